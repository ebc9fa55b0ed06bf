"""Fault scripts, repeatable: each starts a private stack (bench/stack.py), injects one fault and checks the
outcome. Exit status 0 when every chosen scenario passed.

    .venv/bin/python bench/faults/run.py                 # all four
    .venv/bin/python bench/faults/run.py db-restart redis-down

  db-restart     PostgreSQL restarted (fast) under load: the web processes recover without a restart,
                 failures are bounded to the outage and answered 503, and no case is half-written.
  redis-down     Redis stopped: pages and the API keep answering 200, a page that sends a task still
                 succeeds (the notification is kept and reported), and it is e-mailed once Redis is back.
  worker-kill    A Celery worker killed (SIGKILL, with its pool) a fifth into the survey invitations of an
                 organisation of FAULTS_FAN_OUT_STAFF (3000; CI 600) case workers, invited in 30 chunk tasks
                 paced 0.3 s apart: no chunk half-written, and after a new worker and
                 the next beat tick every case worker is invited exactly once, and e-mailed (the resend task
                 picks up e-mails queued but lost with the worker) once.
  beat-restart   Celery beat restarted three times while the schedule runs every 2 s: one round per tertial,
                 opened once.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import signal
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

import requests  # noqa: E402

from bench.stack import Stack, log, url  # noqa: E402

PASSWORD = "stabil-demo"
SLUG = "lasttest-40-1"


def login(username: str) -> requests.Session:
    session = requests.Session()
    session.get(url("/accounts/login/"), timeout=10)
    response = session.post(
        url("/accounts/login/"),
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, (username, response.status_code)
    return session


def post(session: requests.Session, path: str, data: dict, timeout: float = 15) -> requests.Response:
    data = {**data, "csrfmiddlewaretoken": session.cookies["csrftoken"]}
    return session.post(url(path), data=data, allow_redirects=False, timeout=timeout, headers={"Referer": url(path)})


def django(code: str) -> str:
    """Run Python in a Django shell of the stack (its own process: the check sees the committed state)."""
    import subprocess

    from bench.stack import PY, ROOT, env

    result = subprocess.run(  # noqa: S603
        [PY, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def prepare(stack: Stack, *, staff: int = 40, cases: int = 400) -> int:
    stack.pg_init()
    stack.redis_start()
    stack.manage("migrate", "--noinput")
    stack.manage("compile_translations")
    out = stack.manage("generate_load", "--staff", str(staff), "--cases", str(cases))
    return int(re.search(r"first unit id (\d+)", out).group(1))


class Failed(AssertionError):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)
    log(f"  ok: {message}")


# --- db-restart -----------------------------------------------------------------------------------------


def db_restart(stack: Stack, unit_id: int) -> None:
    stack.web_start()
    worker, manager = login(f"{SLUG}-worker1"), login(f"{SLUG}-manager0")
    results: list[tuple[float, str, int, str]] = []  # (time, kind, status, case number)
    stop = threading.Event()
    started = time.monotonic()

    def reader(session):
        while not stop.is_set():
            try:
                status = session.get(url("/caseload/mine/"), timeout=15).status_code
            except requests.RequestException as exc:
                status = f"connection: {type(exc).__name__}"
            results.append((time.monotonic() - started, "read", status, ""))

    def writer(session, n):
        i = 0
        while not stop.is_set():
            i += 1
            number = f"FAULT-{n}-{i:04d}"
            try:
                status = post(
                    session,
                    "/caseload/cases/new/",
                    {"number": number, "unit": unit_id, "kind": "investigation", "weight": 1, "opened_on": today()},
                ).status_code
            except requests.RequestException as exc:
                status = f"connection: {type(exc).__name__}"
            results.append((time.monotonic() - started, "write", status, number))

    threads = [threading.Thread(target=reader, args=(worker,)) for _ in range(2)]
    threads += [threading.Thread(target=writer, args=(manager, n)) for n in range(2)]
    for t in threads:
        t.start()
    time.sleep(4)
    down_at = time.monotonic() - started
    stack.pg_restart()
    up_at = time.monotonic() - started
    log(f"  PostgreSQL restarted in {up_at - down_at:.1f} s")
    time.sleep(6)
    stop.set()
    for t in threads:
        t.join()
    statuses = Counter(status for _t, _k, status, _n in results)
    log(f"  {len(results)} requests: {dict(statuses)}")
    check(set(statuses) <= {200, 302, 503}, "every answer is 200/302 or a clear 503 (no 500, no dropped connection)")
    failed = [t for t, _k, status, _n in results if status == 503]
    check(all(down_at - 1 <= t <= up_at + 3 for t in failed), "503s only during the outage (+3 s)")
    after = [status for t, _k, status, _n in results if t > up_at + 3]
    check(bool(after) and all(s in (200, 302) for s in after), f"all {len(after)} requests after it succeed")
    saved = set(
        django(
            "from caseload.models import Case, CaseEvent\n"
            "bad = [c.number for c in Case.objects.filter(number__startswith='FAULT-') "
            "if CaseEvent.objects.filter(case=c, kind='created').count() != 1]\n"
            "print('HALF' if bad else '', *Case.objects.filter(number__startswith='FAULT-').values_list('number', "
            "flat=True))"
        ).split()
    )
    check("HALF" not in saved, "every saved case has its registration event (nothing half-written)")
    ok = {n for _t, kind, status, n in results if kind == "write" and status == 302}
    refused = {n for _t, kind, status, n in results if kind == "write" and status == 503}
    check(ok <= saved, f"all {len(ok)} cases answered 302 are saved")
    check(not (refused & saved), f"none of the {len(refused)} cases answered 503 is saved")
    stack.kill("web")


def today() -> str:
    return datetime.date.today().isoformat()


# --- redis-down -----------------------------------------------------------------------------------------


def redis_down(stack: Stack, unit_id: int) -> None:
    stack.web_start()
    worker, manager, hr = login(f"{SLUG}-worker1"), login(f"{SLUG}-manager0"), login(f"{SLUG}-hr")
    answer_id = int(
        django(
            "from surveys.models import Answer\n"
            f"a = [a for a in Answer.objects.filter(unit_id={unit_id}, round__status='closed') if a.flagged][0]\n"
            "print(a.pk)"
        )
    )
    stack.kill("redis")
    log("  Redis stopped")
    pages = [
        (worker, "/caseload/mine/"),
        (worker, "/surveys/"),
        (manager, f"/caseload/units/{unit_id}/"),
        (manager, f"/caseload/units/{unit_id}/board/"),
        (hr, "/api/v1/tertials/"),
    ]
    statuses = {path: session.get(url(path), timeout=30).status_code for session, path in pages}
    log(f"  {statuses}")
    check(all(s == 200 for s in statuses.values()), "pages and the API answer 200 while Redis is down")
    started = time.monotonic()
    response = post(
        manager,
        f"/surveys/answers/{answer_id}/action-plan/",
        {"actions": "Genomgång av ärendena varannan vecka.", "follow_up_on": today()},
        timeout=60,
    )
    log(f"  action plan (sends an e-mail task): {response.status_code} in {time.monotonic() - started:.1f} s")
    check(response.status_code == 302, "a page that sends a task still succeeds while Redis is down")
    pending = django(
        "from staff.models import Notification\n"
        "print(Notification.objects.filter(key__startswith='survey:actionplan:', emailed_at__isnull=True).count())"
    )
    check(pending == "1", "the notification is kept (shown in the app), not yet e-mailed")
    stack.redis_start()
    log("  Redis back")
    stack.worker_start("worker", concurrency=1)
    stack.beat_start(seconds=2)
    deadline = time.monotonic() + 60
    sent = ""
    while time.monotonic() < deadline:
        sent = django(
            "from staff.models import Notification\n"
            "print(Notification.objects.filter(key__startswith='survey:actionplan:', emailed_at__isnull=False).count())"
        )
        if sent == "1":
            break
        time.sleep(2)
    check(sent == "1", "the kept notification is e-mailed once Redis is back")
    for name in ("beat", "worker", "web"):
        stack.kill(name)


# --- worker-kill ----------------------------------------------------------------------------------------

FAN_OUT_STAFF = int(os.environ.get("FAULTS_FAN_OUT_STAFF", "3000"))
BIG = f"lasttest-{FAN_OUT_STAFF}-1"


# The fan-out goes in chunks (one transaction each, any worker); paced here so the kill lands mid-batch.
FAN_OUT_CHUNK = max(10, FAN_OUT_STAFF // 30)


def _fan_out(slug: str, pause: float = 0) -> None:
    """What a beat tick does for one organisation: queue surveys_tick (open, close, then one task per chunk)."""
    django(
        "from staff.models import Organisation\n"
        "from surveys.tasks import surveys_tick\n"
        f"surveys_tick.delay(organisation_id=Organisation.objects.get(slug='{slug}').pk, "
        f"chunk_size={FAN_OUT_CHUNK}, pause={pause})"
    )


def _counts(stack: Stack, round_id: int) -> tuple[int, int, int]:
    row = stack.sql(
        f"SELECT (SELECT count(*) FROM surveys_invitation WHERE round_id = {round_id}), "
        f"count(*), count(emailed_at) FROM staff_notification WHERE key LIKE 'survey:{round_id}:invite:%'"
    )
    return tuple(int(x) for x in row.split("|"))


def worker_kill(stack: Stack, unit_id: int) -> None:
    stack.manage("generate_load", "--staff", str(FAN_OUT_STAFF), "--cases", str(FAN_OUT_STAFF))
    # The generated open round invited everyone already: empty it so the fan-out has everyone to invite.
    org = stack.sql(f"SELECT id FROM staff_organisation WHERE slug = '{BIG}'")
    round_id = int(stack.sql(f"SELECT id FROM surveys_surveyround WHERE organisation_id = {org} AND status = 'open'"))
    stack.sql(f"DELETE FROM surveys_answer WHERE round_id = {round_id}")
    stack.sql(f"DELETE FROM surveys_invitation WHERE round_id = {round_id}")
    expected = int(
        stack.sql(
            "SELECT count(DISTINCT staff_id) FROM staff_roleassignment "
            f"WHERE organisation_id = {org} AND role IN ('social_worker', 'specialist')"
        )
    )
    stack.worker_start("worker1", concurrency=2)
    _fan_out(BIG, pause=0.3)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _counts(stack, round_id)[0] < expected // 5:
        time.sleep(0.2)
    # A crash of the whole worker: the main process and its pool children at once (by process id).
    main_pid = stack.procs["worker1"].pid
    for pid in [main_pid, *_children(main_pid)]:
        os.kill(pid, signal.SIGKILL)
    stack.kill("worker1")
    at_kill = _counts(stack, round_id)
    log(f"  worker killed after {at_kill[0]} of {expected} invitations ({at_kill[2]} e-mailed)")
    check(0 < at_kill[0] < expected, "the worker died mid-batch")
    check(at_kill[0] == at_kill[1], "each invitation so far has its notification (one transaction)")
    check(at_kill[0] % FAN_OUT_CHUNK == 0, f"whole chunks of {FAN_OUT_CHUNK} only: no chunk half-written")
    started = time.monotonic()
    stack.worker_start("worker2", concurrency=2)
    _fan_out(BIG)  # the next beat tick
    deadline = time.monotonic() + 300
    counts = at_kill
    while time.monotonic() < deadline:
        counts = _counts(stack, round_id)
        if counts[0] == expected and counts[2] >= counts[1] - at_kill[1] + at_kill[2]:
            break
        time.sleep(1)
    invitations, notifications, mailed = counts
    log(
        f"  after the next tick ({time.monotonic() - started:.0f} s): {invitations} invitations, "
        f"{notifications} notifications, {mailed} e-mailed"
    )
    check(invitations == expected, f"every case worker invited ({expected}): nothing lost")
    check(notifications == expected, "one invitation notification each: nothing twice")
    duplicates = stack.sql(
        f"SELECT count(*) FROM (SELECT staff_id FROM surveys_invitation WHERE round_id = {round_id} "
        "GROUP BY staff_id HAVING count(*) > 1) d"
    )
    check(duplicates == "0", "no person invited twice")
    # E-mails queued by the killed worker's transactions but never sent are picked up by the resend task.
    stack.beat_start(seconds=2)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _counts(stack, round_id)[2] < expected:
        time.sleep(1)
    mailed = _counts(stack, round_id)[2]
    check(mailed == expected, f"every invitation e-mailed ({mailed}), each once (emailed_at claimed once)")
    stack.kill("beat")
    stack.kill("worker2")


def _children(pid: int) -> list[int]:
    import subprocess

    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)  # noqa: S607
    return [int(p) for p in out.stdout.split()]


# --- beat-restart ---------------------------------------------------------------------------------------


def beat_restart(stack: Stack, unit_id: int) -> None:
    org = stack.sql(f"SELECT id FROM staff_organisation WHERE slug = '{SLUG}'")
    stack.sql(
        f"UPDATE surveys_surveyround SET status = 'scheduled', opened_at = NULL "
        f"WHERE organisation_id = {org} AND status = 'open'"
    )
    stack.worker_start("worker", concurrency=2)
    opened_sql = f"SELECT opened_at FROM surveys_surveyround WHERE organisation_id = {org} AND status = 'open'"
    for i in range(3):
        stack.beat_start(seconds=1)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and stack.beat_ticks() < 2:
            time.sleep(0.3)
        stack.kill("beat", signal.SIGKILL if i == 1 else signal.SIGTERM)
        log(f"  beat stopped ({'SIGKILL' if i == 1 else 'SIGTERM'}) after {stack.beat_ticks()} ticks")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not stack.sql(opened_sql):
        time.sleep(1)
    opened_at = stack.sql(opened_sql)
    stack.beat_start(seconds=1)  # more ticks: the open round must not be opened again
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and stack.beat_ticks() < 3:
        time.sleep(0.3)
    stack.kill("beat")
    time.sleep(3)
    total, distinct, opened = map(
        int,
        stack.sql(
            "SELECT count(*), count(DISTINCT (year, tertial)), count(*) FILTER (WHERE status = 'open') "
            f"FROM surveys_surveyround WHERE organisation_id = {org}"
        ).split("|"),
    )
    log(f"  rounds {total}, distinct tertials {distinct}, open {opened}, opened at {opened_at}")
    check(total == distinct, "one round per tertial")
    check(opened == 1 and bool(opened_at), "the current round is open")
    final = stack.sql(opened_sql)
    check(final == opened_at, "opened once: its opening time did not change over the later ticks and restarts")
    stack.kill("worker")


SCENARIOS = {
    "db-restart": db_restart,
    "redis-down": redis_down,
    "worker-kill": worker_kill,
    "beat-restart": beat_restart,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenarios", nargs="*", help=", ".join(SCENARIOS))
    args = parser.parse_args()
    chosen = args.scenarios or list(SCENARIOS)
    unknown = [name for name in chosen if name not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {unknown}; choose from {', '.join(SCENARIOS)}")
    failed = []
    started = time.monotonic()
    with Stack(web_workers=2) as stack:
        unit_id = prepare(stack)
        log(f"stack ready (load average {os.getloadavg()[0]:.2f})")
        for name in chosen:
            log(f"{name}:")
            try:
                SCENARIOS[name](stack, unit_id)
            except Failed as exc:
                log(f"  FAILED: {exc}")
                failed.append(name)
            finally:
                for proc in ("web", "worker", "worker1", "worker2", "beat"):
                    stack.kill(proc)
                if "redis" not in stack.procs:
                    stack.redis_start()
    log(f"{len(chosen) - len(failed)}/{len(chosen)} scenarios passed in {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
