"""Growth benchmark: the same pages for an organisation of 1× and of 10× the size, in one run.

Generates two load-test organisations (manage.py generate_load): the small one with --staff case workers and
--cases cases, the large one with ten times both (so ten times the units: a unit, a worker and a department
look alike in both). Then requests, interleaved so machine load hits both alike, as the generated people:

  my caseload       /caseload/mine/                          a level-2 social worker
  unit dashboard    /caseload/units/<first unit>/            its unit manager
  allocation board  /caseload/units/<first unit>/board/      its unit manager
  tertial report    /api/v1/reports/tertial/<last>/?department=<first department>   HR (ten units)

and prints the median time of each at both sizes, the ratio large/small (aim ≤ 1.2) and both query counts
(aim: identical). The organisation-wide tertial report grows with the organisation by design; it is printed
as an extra row with its time per unit.

    .venv/bin/python bench/growth.py [--staff 200] [--cases 20000] [--factor 10] [--repeat 15]
    .venv/bin/python bench/growth.py --reuse --pages report    # only the two report rows, on earlier data
"""

from __future__ import annotations

import argparse
import os
import platform
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
from django.utils import timezone  # noqa: E402

from caseload.services import coverage_figure_count  # noqa: E402
from staff.models import Department, Organisation, Unit  # noqa: E402
from surveys.reports.tertial_ids import tertial_id  # noqa: E402
from surveys.tertials import Tertial  # noqa: E402

settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def pages_of(org: Organisation) -> dict[str, tuple[Client, str]]:
    """The four pages of the benchmark for the generated people of `org` (as logged-in test clients)."""
    unit = Unit.objects.filter(organisation=org).order_by("pk").first()
    department = Department.objects.filter(organisation=org).order_by("pk").first()
    users = get_user_model().objects
    clients = {}
    for role, name in (("worker", "worker1"), ("manager", "manager0"), ("hr", "hr")):
        clients[role] = Client()
        clients[role].force_login(users.get(username=f"{org.slug}-{name}"))
    report = f"/api/v1/reports/tertial/{tertial_id(Tertial.of(timezone.localdate()).previous())}/"
    return {
        "my caseload": (clients["worker"], "/caseload/mine/"),
        "unit dashboard": (clients["manager"], f"/caseload/units/{unit.pk}/"),
        "allocation board": (clients["manager"], f"/caseload/units/{unit.pk}/board/"),
        "tertial report": (clients["hr"], f"{report}?department={department.pk}"),
        "report, whole org": (clients["hr"], report),
    }


def generate(staff: int, cases: int, seed: int, reuse: bool = False) -> Organisation:
    if reuse:  # the newest organisation of this size from an earlier run
        org = Organisation.objects.filter(slug__startswith=f"lasttest-{staff}-").order_by("-pk").first()
        if org is not None:
            return org
    started = time.monotonic()
    with open(os.devnull, "w") as quiet:
        call_command("generate_load", staff=staff, cases=cases, seed=seed, stdout=quiet)
    print(f"# generated {staff} staff, {cases} cases in {time.monotonic() - started:.1f} s", flush=True)
    return Organisation.objects.filter(slug__startswith=f"lasttest-{staff}-").order_by("-pk").first()


def _get(client: Client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def measure(small: dict, large: dict, repeat: int) -> dict[str, list[tuple[float, int, int]]]:
    """Median seconds, query count and bytes per page and size; the sizes alternate request by request."""
    results = {}
    for page in small:
        sizes = (small[page], large[page])
        for client, url in sizes:
            _get(client, url)  # warm-up (settings rows created on first use)
        times: list[list[float]] = [[], []]
        for _ in range(repeat):
            for i, (client, url) in enumerate(sizes):
                started = time.perf_counter()
                _get(client, url)
                times[i].append(time.perf_counter() - started)
        row = []
        for i, (client, url) in enumerate(sizes):
            with CaptureQueriesContext(connection) as queries:
                body = _get(client, url).content
            row.append((statistics.median(times[i]), len(queries), len(body)))
        results[page] = row
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--staff", type=int, default=200)
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reuse", action="store_true", help="measure the organisations of an earlier run")
    parser.add_argument(
        "--pages", default="", help="only the pages whose name contains one of these words (comma-separated): report"
    )
    args = parser.parse_args()
    print(f"# {platform.platform()}, {os.cpu_count()} cores, database {connection.vendor}")
    small = generate(args.staff, args.cases, args.seed, args.reuse)
    large = generate(args.staff * args.factor, args.cases * args.factor, args.seed, args.reuse)
    for org in (small, large):  # what the beat does every few minutes: the unit pages' organisation figure
        coverage_figure_count(organisation=org)
    print(f"# load average before measuring {os.getloadavg()}", flush=True)
    chosen = [p.strip() for p in args.pages.split(",") if p.strip()]
    small_pages, large_pages = pages_of(small), pages_of(large)
    if chosen:
        small_pages = {k: v for k, v in small_pages.items() if any(word in k for word in chosen)}
        large_pages = {k: v for k, v in large_pages.items() if any(word in k for word in chosen)}
    results = measure(small_pages, large_pages, args.repeat)
    print(f"# load average after measuring {os.getloadavg()}")
    print(f"{'page':<20}{'1x ms':>9}{f'{args.factor}x ms':>9}{'ratio':>8}{'queries':>10}{'same':>6}{'kB 1x/Nx':>12}")
    for page, ((ts, qs, bs), (tl, ql, bl)) in results.items():
        same = "yes" if qs == ql else "NO"
        print(
            f"{page:<20}{ts * 1000:>9.1f}{tl * 1000:>9.1f}{tl / ts:>8.2f}{f'{qs}/{ql}':>10}{same:>6}"
            f"{f'{bs // 1024}/{bl // 1024}':>12}"
        )
    if "report, whole org" not in results:
        return
    units = [Unit.objects.filter(organisation=o).count() for o in (small, large)]
    (ts, _q, _b), (tl, _q2, _b2) = results["report, whole org"]
    print(
        f"# whole-org report per unit: {ts * 1000 / units[0]:.1f} ms ({units[0]} units) vs "
        f"{tl * 1000 / units[1]:.1f} ms ({units[1]} units)"
    )


if __name__ == "__main__":
    main()
