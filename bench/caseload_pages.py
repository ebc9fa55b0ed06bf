"""Benchmark of the my-caseload page and the unit dashboard at two sizes.

Generates two load-test organisations (manage.py generate_load), requests each page as the generated
worker and manager, and prints the median time, the query count and the ratio larger/smaller.

    DATABASE_URL=sqlite:///var/bench.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:///var/bench.sqlite3 .venv/bin/python bench/caseload_pages.py --small 400 --large 4000
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
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from staff.models import Organisation, Unit  # noqa: E402

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
REPEAT = 15


def _timed(client: Client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def _generate(staff: int, cases: int) -> dict[str, tuple[Client, str]]:
    with open(os.devnull, "w") as quiet:
        call_command("generate_load", staff=staff, cases=cases, units=1, stdout=quiet)
    org = Organisation.objects.filter(slug__startswith=f"lasttest-{staff}-").order_by("-pk").first()
    unit = Unit.objects.get(organisation=org)
    users = get_user_model().objects
    worker, manager = Client(), Client()
    worker.force_login(users.get(username=f"{org.slug}-worker1"))
    manager.force_login(users.get(username=f"{org.slug}-manager0"))
    return {"my caseload": (worker, "/caseload/mine/"), "unit dashboard": (manager, f"/caseload/units/{unit.pk}/")}


def _compare(small: dict, large: dict) -> dict[str, list]:
    """Both sizes are generated first, then requested in turn, so warm-up and machine load hit both alike."""
    results = {}
    for page in small:
        sizes = (small[page], large[page])
        for client, url in sizes:
            _timed(client, url)  # warm-up
        times: list[list[float]] = [[], []]
        for _ in range(REPEAT):
            for i, (client, url) in enumerate(sizes):
                times[i].append(_timed(client, url))
        row = []
        for i, (client, url) in enumerate(sizes):
            with CaptureQueriesContext(connection) as queries:
                body = client.get(url).content
            row.append((statistics.median(times[i]), len(queries), len(body)))
        results[page] = row
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--staff", type=int, default=20)
    parser.add_argument("--small", type=int, default=400)
    parser.add_argument("--large", type=int, default=4000)
    args = parser.parse_args()
    results = _compare(_generate(args.staff, args.small), _generate(args.staff, args.large))
    print(f"database: {connection.vendor}; {args.staff} case workers; {args.small} vs {args.large} cases")
    print(f"{'page':<16}{'small ms':>10}{'large ms':>10}{'ratio':>8}{'queries':>10}{'kB small/large':>18}")
    for page, ((ts, qs, bs), (tl, ql, bl)) in results.items():
        sizes = f"{bs // 1024}/{bl // 1024}"
        print(f"{page:<16}{ts * 1000:>10.1f}{tl * 1000:>10.1f}{tl / ts:>8.2f}{f'{qs}/{ql}':>10}{sizes:>18}")


if __name__ == "__main__":
    main()
