"""Load test and floor benchmark against gunicorn + PostgreSQL + Redis on loopback (bench/stack.py).

    .venv/bin/python bench/load.py [--staff 300] [--cases 30000] [--organisations 3] [--steps 5,10,20,40,80]
                                   [--step-seconds 40] [--floor-seconds 15] [--floor-connections 2]
                                   [--web-workers 2]

1. Generates the organisations (manage.py generate_load) into a private PostgreSQL; gunicorn and the Celery
   worker connect as the application role, so row-level security is on (checked and printed from the database).
2. Floor, with wrk (a light C client: `apt-get install wrk`), each page for --floor-seconds, all pages twice
   interleaved, --floor-connections connections = threads, the session cookie of a real sign-in:
   /bench/ping/ (a trivial authenticated view), /accessibility/ (the site's layout only), "my caseload" as a
   case worker and the unit dashboard as its manager; prints requests per second and each page's ratio to the
   trivial view (any answer but 200 is counted and fails the run). Then sign-ins per second (Python requests,
   4 threads: the password hash is deliberately slow, so sign-ins are measured here, apart).
3. Locust (bench/locustfile.py), headless, one bounded run per step of users (each stops by itself after
   --step-seconds; the users start signed in: a session each, made in the database beforehand); prints
   throughput, p50/p95/p99 and error rate per step, the knee (the last step whose throughput still grew by
   at least 10 %, without errors) and the most users served with p95 under 1 s.
Writes var/bench/load-<date>.txt. `uptime` load is printed with every figure (the machine is shared).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402

from bench.stack import APP_ROLE, PY, ROOT, VAR, WEB_PORT, Stack, log, prepare, url  # noqa: E402


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _session(username: str) -> requests.Session:
    s = requests.Session()
    s.get(url("/accounts/login/"), timeout=30)
    r = s.post(
        url("/accounts/login/"),
        data={"username": username, "password": "stabil-demo", "csrfmiddlewaretoken": s.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=30,
    )
    assert r.status_code == 302, r.status_code
    return s


def signins(usernames: list[str], seconds: float) -> float:
    """Sign-ins per second (login page + password form), len(usernames) threads in a closed loop."""
    done = [0] * len(usernames)
    end = time.monotonic() + seconds

    def run(i: int) -> None:
        while time.monotonic() < end:
            _session(usernames[i])
            done[i] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(usernames))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / seconds


# Counts every answer that is not 200 (a redirect to the sign-in page would otherwise count as a fast success).
_WRK_STATUS = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) not200 = 0 end
function response(status, headers, body) if status ~= 200 then not200 = not200 + 1 end end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("not200") end
  io.write(string.format("not200 %d\\n", n))
end
"""
WRK_MISSING = "make load needs wrk (a light HTTP client) for the floor: apt-get install wrk"


def wrk(path: str, session_id: str, seconds: int, connections: int) -> dict:
    """Requests per second of one page by wrk: `connections` connections on as many threads, closed loop."""
    script = VAR / "wrk-status.lua"
    script.write_text(_WRK_STATUS)
    cmd = [shutil.which("wrk") or "wrk", "-t", str(connections), "-c", str(connections), "-d", f"{seconds}s"]
    cmd += ["--timeout", "30s", "-s", str(script), "-H", f"Cookie: sessionid={session_id}", url(path)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout  # noqa: S603
    requests_n = int(re.search(r"(\d+) requests in", out).group(1))
    return {"requests": requests_n, "not200": int(re.search(r"not200 (\d+)", out).group(1)), "seconds": seconds}


def floor(plan: dict, seconds: float, connections: int) -> dict:
    """Each page's requests per second (wrk) and its ratio to the trivial authenticated view."""
    org = plan["organisations"][0]
    manager, unit = org["managers"][0]
    worker = _session(org["workers"][1]).cookies["sessionid"]
    pages = {
        "trivial view /bench/ping/": ("/bench/ping/", worker),
        "layout only /accessibility/": ("/accessibility/", worker),
        "my caseload (worker)": ("/caseload/mine/", worker),
        "unit dashboard (manager)": (f"/caseload/units/{unit}/", _session(manager).cookies["sessionid"]),
    }
    for path, session_id in pages.values():  # signed in and 200 (not a redirect), warm
        r = requests.get(url(path), cookies={"sessionid": session_id}, allow_redirects=False, timeout=30)
        assert r.status_code == 200, (path, r.status_code)
    totals = {name: {"requests": 0, "not200": 0, "seconds": 0} for name in pages}
    for _ in range(2):
        for name, (path, session_id) in pages.items():
            for key, value in wrk(path, session_id, max(1, round(seconds)), connections).items():
                totals[name][key] += value
    rps = {name: t["requests"] / t["seconds"] for name, t in totals.items()}
    ping = rps["trivial view /bench/ping/"]
    return {
        "pages": {name: (round(r, 1), round(r / ping, 2)) for name, r in rps.items()},
        "not200": sum(t["not200"] for t in totals.values()),
        "connections": connections,
        "signins": round(signins(org["workers"][1:5], seconds), 1),
        "load": load(),
    }


def locust_step(users: int, seconds: int, plan_file: Path) -> dict:
    prefix = VAR / f"locust-{users}"
    cmd = [PY, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless", "-u", str(users)]
    cmd += ["-r", str(max(1, users // 4)), "--run-time", f"{seconds}s", "--host", f"http://127.0.0.1:{WEB_PORT}"]
    cmd += [
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "10",
        "--exit-code-on-error",
        "0",
        "--reset-stats",
    ]
    subprocess.run(  # noqa: S603
        cmd, cwd=ROOT, env={**os.environ, "LOCUST_PLAN": str(plan_file)}, check=True, capture_output=True
    )
    with open(f"{prefix}_stats.csv") as f:  # noqa: PTH123
        rows = list(csv.DictReader(f))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    pages = {r["Name"]: r for r in rows if r["Name"] != "Aggregated"}
    requests_n = int(total["Request Count"])

    def ms(value: str) -> float:
        return float("nan") if value in ("N/A", "") else float(value)

    return {
        "users": users,
        "requests": requests_n,
        "rps": float(total["Requests/s"]),
        "p50": ms(total["50%"]),
        "p95": ms(total["95%"]),
        "p99": ms(total["99%"]),
        "errors": int(total["Failure Count"]),
        "error_rate": int(total["Failure Count"]) / requests_n if requests_n else 0.0,
        "slowest_p95": max(pages.items(), key=lambda kv: ms(kv[1]["95%"]) or 0)[0] if pages else "",
        "load": load(),
    }


def knee(steps: list[dict]) -> dict | None:
    """The last step whose throughput still grew by at least 10 % over the step before, without errors: past it,
    more users only wait longer. None when even the first step had errors."""
    best = None
    for prev, cur in zip([None, *steps], steps, strict=False):
        grew = prev is None or cur["rps"] >= prev["rps"] * 1.10
        if grew and cur["requests"] and cur["errors"] == 0:
            best = cur
        else:
            break
    return best


def fast_enough(steps: list[dict], p95_ms: float = 1000) -> dict | None:
    """The most users at which p95 stayed under p95_ms with no errors (the service level a person notices)."""
    good = [s for s in steps if s["requests"] and s["errors"] == 0 and s["p95"] < p95_ms]
    return max(good, key=lambda s: s["users"]) if good else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--staff", type=int, default=300)
    parser.add_argument("--cases", type=int, default=30000)
    parser.add_argument("--organisations", type=int, default=3)
    parser.add_argument("--steps", default="5,10,20,40,80")
    parser.add_argument("--step-seconds", type=int, default=40)
    parser.add_argument("--floor-seconds", type=float, default=15)
    parser.add_argument("--floor-connections", type=int, default=2, help="wrk connections (= threads)")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit(WRK_MISSING)
    lines = [
        f"# {time.strftime('%Y-%m-%d %H:%M')} {platform.platform()}, {os.cpu_count()} cores; gunicorn "
        f"{args.web_workers} workers x {args.threads} threads; PostgreSQL + Redis on loopback"
    ]

    def out(line: str) -> None:
        lines.append(line)
        log(line)

    with Stack(web_workers=args.web_workers, threads=args.threads) as stack:
        plan = prepare(stack, staff=args.staff, cases=args.cases, organisations=args.organisations)
        plan_file = VAR / "plan.json"
        plan_file.write_text(json.dumps(plan))
        out(
            f"generated {args.organisations} organisation(s) x {args.staff} staff x {args.cases} cases in "
            f"{plan['generated_s']} s (load {load()})"
        )
        stack.web_start()
        stack.worker_start("worker", concurrency=1)
        f = floor(plan, args.floor_seconds, args.floor_connections)
        aims = {"my caseload (worker)": 0.35, "unit dashboard (manager)": 0.25}
        per_page = f"2 x {args.floor_seconds:g} s per page"
        out(f"floor (wrk, {f['connections']} connections = threads, {per_page}; load {f['load']}):")
        for name, (rps, ratio) in f["pages"].items():
            aim = f" (aim >= {aims[name]})" if name in aims else ""
            out(f"  {name:<30}{rps:>8.1f} req/s   ratio to the trivial view {ratio:.2f}{aim}")
        out(f"  answers other than 200: {f['not200']}; sign-ins {f['signins']}/s (4 threads)")
        rls = stack.rls_check(plan["organisations"][0]["id"])
        out(
            f"row-level security: connections of the web and worker {rls['connections']}; "
            f"{APP_ROLE} (super, bypassrls, tables owned) = {rls['role']}; {rls['policies']} tables with the policy; "
            f"with no organisation set it sees "
            f"{rls['unset']} of {rls['all']} cases, with organisation {plan['organisations'][0]['id']} set "
            f"(count|organisations|id) {rls['set']}"
        )
        if f["not200"] or rls["unset"] or set(rls["connections"]) != {APP_ROLE}:
            sys.exit("floor: answers other than 200, or the web is not under row-level security (see above)")
        steps = []
        out(f"{'users':>6}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>8}  slowest p95 / load")
        for users in (int(u) for u in args.steps.split(",")):
            s = locust_step(users, args.step_seconds, plan_file)
            steps.append(s)
            out(
                f"{s['users']:>6}{s['rps']:>8.1f}{s['p50']:>8.0f}{s['p95']:>8.0f}{s['p99']:>8.0f}"
                f"{s['errors']:>8}  {s['slowest_p95']} / {s['load']}"
            )
        k = knee(steps)
        out(
            f"knee: {k['users']} users, {k['rps']:.1f} req/s, p95 {k['p95']:.0f} ms"
            if k
            else "knee: below the first step"
        )
        f = fast_enough(steps)
        out(f"p95 under 1 s up to {f['users']} users ({f['rps']:.1f} req/s)" if f else "p95 under 1 s: at no step")
    report = VAR / f"load-{time.strftime('%Y%m%d-%H%M')}.txt"
    report.write_text("\n".join(lines) + "\n")
    print(f"written {report}")


if __name__ == "__main__":
    main()
