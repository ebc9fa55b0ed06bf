"""Median time and query count of "my caseload" and the unit dashboard for one generated organisation.

For before/after figures of a change to these pages (issue 21): both pages are requested in turn, REPEAT
times after a warm-up, as the generated worker and manager, in the same run; `--queries` prints the SQL of
one request of each. CPU is this process's own time (Python), less disturbed by a busy machine than the wall time.

    manage.py generate_load --organisations 1 --staff 100 --cases 5000
    DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python bench/page_profile.py [--repeat 60] [--queries]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from staff.models import Organisation, Unit  # noqa: E402

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--slug", help="the organisation's slug (default: the newest generated one)")
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--queries", action="store_true", help="print the SQL of one request of each page")
    args = parser.parse_args()
    orgs = Organisation.objects.filter(slug__startswith="lasttest-")
    org = orgs.get(slug=args.slug) if args.slug else orgs.order_by("-pk").first()
    unit = Unit.objects.filter(organisation=org).order_by("pk").first()
    pages = {
        "my caseload": (_client(f"{org.slug}-worker1"), "/caseload/mine/"),
        "unit dashboard": (_client(f"{org.slug}-manager0"), f"/caseload/units/{unit.pk}/"),
    }
    times: dict[str, list[float]] = {page: [] for page in pages}
    cpu: dict[str, list[float]] = {page: [] for page in pages}
    for client, url in pages.values():
        assert client.get(url).status_code == 200  # warm-up
    for _ in range(args.repeat):
        for page, (client, url) in pages.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times[page].append(time.perf_counter() - start)
            cpu[page].append(time.process_time() - start_cpu)
            assert response.status_code == 200, (url, response.status_code)
    print(f"{org.slug} on {connection.vendor}; median of {args.repeat}")
    for page, (client, url) in pages.items():
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        wall, own = statistics.median(times[page]) * 1000, statistics.median(cpu[page]) * 1000
        print(f"{page:<16}{wall:>8.2f} ms{own:>8.2f} ms CPU{len(queries):>5} queries")
        if args.queries:
            for q in queries:
                print("   ", q["sql"][:300])


if __name__ == "__main__":
    main()
