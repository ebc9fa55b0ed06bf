"""Survey fan-out at city size: invitations and reminders for 30 000 case workers by two Celery workers, against
the same fan-out by one worker in the same run (the ratio is the figure; the machine is shared).

    .venv/bin/python bench/fanout.py                    # one organisation of 30 000 case workers
    .venv/bin/python bench/fanout.py --staff 3000       # smaller, a quick check
    make fanout                                         # the same, with FANOUT_ARGS

It starts a private stack (bench/stack.py: its own PostgreSQL cluster and Redis, on their own ports so a
`make faults` or `make load` at the same time is not disturbed), generates the data once, then for each
configuration (two workers of one process each; one worker of one process): empties the open round,
sends the organisation's tick as beat would, waits until every invitation exists and is e-mailed, then
sends the tick at the first reminder time and waits for every reminder and its e-mail. Counted in the
database: invitations, notifications, e-mails (`emailed_at`) and duplicates (GROUP BY ... HAVING
count(*) > 1, which must be 0); e-mails written by the workers' file backend are counted per recipient too.

One organisation of 30 000 rather than ten of 3 000: the organisation is the unit of the old fan-out (one
task per organisation, one worker), so one large organisation is the case a second worker could not help
with before chunking; ten organisations would be shared between workers even without it.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

# Own ports and cluster directory by default: a concurrent `make faults` or `make load` uses 55432/6390.
os.environ.setdefault("BENCH_PG_PORT", "55452")
os.environ.setdefault("BENCH_REDIS_PORT", "6392")
os.environ.setdefault("BENCH_WEB_PORT", "8792")
os.environ.setdefault("BENCH_PG_DIR", "/tmp/stabil-bench-fanout-pg")  # noqa: S108 - the postgres user must own it

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.stack import REDIS_PORT, VAR, Stack, log  # noqa: E402

MAIL = VAR / "mail"


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def send(task: str, **kwargs) -> None:
    """Queue a task as beat would: straight onto the stack's Redis, no Django process in between."""
    from celery import Celery

    app = Celery(broker=f"redis://127.0.0.1:{REDIS_PORT}/0")
    app.send_task(task, kwargs=kwargs)
    app.close()


class Bench:
    def __init__(self, stack: Stack, *, staff: int, chunk: int):
        self.stack, self.staff, self.chunk = stack, staff, chunk

    def prepare(self) -> None:
        s = self.stack
        s.pg_init()
        s.redis_start()
        s.manage("migrate", "--noinput")
        s.manage("compile_translations")
        started = time.monotonic()
        s.manage("generate_load", "--staff", str(self.staff), "--cases", str(self.staff))
        log(f"generated 1 organisation × {self.staff} case workers in {time.monotonic() - started:.0f} s")
        self.org = int(s.sql("SELECT id FROM staff_organisation ORDER BY id LIMIT 1"))
        row = s.sql(
            "SELECT id, first_reminder_at AT TIME ZONE 'UTC' FROM surveys_surveyround "
            f"WHERE organisation_id = {self.org} AND status = 'open'"
        ).split("|")
        self.round, first_reminder = int(row[0]), datetime.datetime.fromisoformat(row[1])
        self.remind_at = (first_reminder.replace(tzinfo=datetime.UTC) + datetime.timedelta(minutes=1)).isoformat()
        self.expected = int(
            s.sql(
                "SELECT count(DISTINCT staff_id) FROM staff_roleassignment "
                f"WHERE organisation_id = {self.org} AND role IN ('social_worker', 'specialist')"
            )
        )

    def reset(self) -> None:
        """The open round as if just opened: nobody invited, answered or notified yet."""
        s, r = self.stack, self.round
        s.sql(f"DELETE FROM staff_notification WHERE organisation_id = {self.org} AND key LIKE 'survey:{r}:%'")
        s.sql(f"DELETE FROM surveys_answer WHERE round_id = {r}")
        s.sql(f"DELETE FROM surveys_invitation WHERE round_id = {r}")
        s.sql("VACUUM ANALYZE staff_notification")
        s.sql("VACUUM ANALYZE surveys_invitation")
        shutil.rmtree(MAIL, ignore_errors=True)
        MAIL.mkdir(parents=True)

    def counts(self, kind: str) -> tuple[int, int, int]:
        """(invitations, notifications of this kind, of them e-mailed)."""
        row = self.stack.sql(
            f"SELECT (SELECT count(*) FROM surveys_invitation WHERE round_id = {self.round}), count(*), "
            f"count(emailed_at) FROM staff_notification WHERE organisation_id = {self.org} "
            f"AND key LIKE 'survey:{self.round}:{kind}:%'"
        )
        return tuple(int(x) for x in row.split("|"))

    def duplicates(self) -> dict[str, int]:
        r = self.round
        queries = {
            "invitations": f"SELECT staff_id FROM surveys_invitation WHERE round_id = {r} GROUP BY staff_id",
            "invite notifications": "SELECT recipient_id FROM staff_notification "
            f"WHERE key LIKE 'survey:{r}:invite:%' GROUP BY recipient_id",
            "reminder notifications": "SELECT recipient_id FROM staff_notification "
            f"WHERE key LIKE 'survey:{r}:remind:%' GROUP BY recipient_id",
        }
        return {
            name: int(self.stack.sql(f"SELECT count(*) FROM ({sql} HAVING count(*) > 1) d"))
            for name, sql in queries.items()
        }

    def wait(self, kind: str, timeout: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            _invitations, notifications, mailed = self.counts(kind)
            if notifications == self.expected and mailed == self.expected:
                return time.monotonic() - started
            time.sleep(0.5)
        raise RuntimeError(f"{kind}: not done within {timeout} s: {self.counts(kind)}")

    def run(self, workers: int, timeout: float) -> dict:
        s = self.stack
        self.reset()
        names = [f"fanout{i}" for i in range(workers)]
        for name in names:
            s.worker_start(name, concurrency=1)
        result = {"workers": workers, "load_before": _load()}
        try:
            started = time.monotonic()
            send("surveys.tasks.surveys_tick", organisation_id=self.org, chunk_size=self.chunk)
            self.wait("invite", timeout)
            result["invite_s"] = time.monotonic() - started
            result["after_invite"] = self.counts("invite")
            started = time.monotonic()
            send("surveys.tasks.surveys_tick", organisation_id=self.org, now=self.remind_at, chunk_size=self.chunk)
            self.wait("remind", timeout)
            result["remind_s"] = time.monotonic() - started
            result["after_remind"] = self.counts("remind")
        finally:
            for name in names:
                s.kill(name)
        result["duplicates"] = self.duplicates()
        result["mails"] = mail_counts()
        result["load_after"] = _load()
        return result


def mail_counts() -> dict[str, int]:
    """E-mails the workers wrote (file backend, messages separated by a line of dashes): total, and recipients
    e-mailed more than once with the same kind of message."""
    per: Counter = Counter()
    for path in MAIL.glob("*.log"):
        for message in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
            to = re.search(r"^To: (.+)$", message, re.M)
            if to:
                per[("remind" if "Du har inte svarat" in message else "invite", to.group(1).strip())] += 1
    return {"e-mails": sum(per.values()), "recipients twice": sum(1 for n in per.values() if n > 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--staff", type=int, default=30_000, help="case workers in the organisation (30 000)")
    parser.add_argument("--chunk", type=int, default=500, help="people per chunk task (500)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per phase before giving up")
    parser.add_argument("--order", default="2,1", help="worker counts in run order, e.g. 2,1,2,1 (interleaved)")
    args = parser.parse_args()
    machine = subprocess.run(["uname", "-srm"], capture_output=True, text=True).stdout.strip()  # noqa: S607
    log(f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, {machine}, {os.cpu_count()} cores, load {_load()}")
    results = []
    with Stack() as stack:
        bench = Bench(stack, staff=args.staff, chunk=args.chunk)
        bench.prepare()
        log(f"{bench.expected} case workers to invite and remind, chunks of {args.chunk}")
        for workers in [int(n) for n in args.order.split(",")]:
            result = bench.run(workers, args.timeout)
            results.append(result)
            log(
                f"{workers} worker(s): invitations {result['invite_s']:.1f} s, reminders {result['remind_s']:.1f} s; "
                f"invite (invitations, notifications, e-mailed) {result['after_invite']}, reminders "
                f"(-, notifications, e-mailed) {result['after_remind']}; {result['mails']}; duplicates "
                f"{result['duplicates']}; load {result['load_before']} → {result['load_after']}"
            )
    failed = [
        r
        for r in results
        if any(r["duplicates"].values())
        or r["mails"]["recipients twice"]
        or r["after_invite"] != (bench.expected,) * 3
        or r["after_remind"][1:] != (bench.expected,) * 2
    ]
    one = [r for r in results if r["workers"] == 1]
    two = [r for r in results if r["workers"] == 2]
    lines = [f"staff {bench.expected}, chunk {args.chunk}"]
    if one and two:
        for phase in ("invite_s", "remind_s"):
            a = sum(r[phase] for r in one) / len(one)
            b = sum(r[phase] for r in two) / len(two)
            lines.append(f"{phase[:-2]}: one worker {a:.1f} s, two workers {b:.1f} s, speed-up {a / b:.2f}×")
    lines.append("duplicates: " + ("NONE" if not failed else f"FAILED in {len(failed)} run(s)"))
    for line in lines:
        log(line)
    out = VAR / f"fanout-{datetime.datetime.now(datetime.UTC):%Y%m%d-%H%M}.txt"
    out.write_text("\n".join([*lines, *map(str, results)]) + "\n")
    log(f"written to {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
