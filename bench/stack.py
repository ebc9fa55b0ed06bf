"""A private production-like stack on loopback for the load test, the floor benchmark and the fault scripts.

Its own PostgreSQL cluster (initdb in /tmp/stabil-bench-pg, port 55432), its own Redis (port 6390), gunicorn
with bench.settings, Celery workers and beat: so a restarted database or a stopped Redis never touches the
PostgreSQL and Redis other work on the machine uses. Everything it starts it stops (by process id).

As in production (docker-compose.yml, docs/trust-rls.md): `migrate`, `generate_load` and the checks run as the
table owner `stabil`; gunicorn, the Celery workers and beat connect as the application role `stabil_app` (a
login of its own that owns nothing, no BYPASSRLS), so row-level security applies to every request and task
measured. `Stack.rls_check()` shows it from the database.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
PY = sys.executable
PG_BIN = (
    Path("/usr/lib/postgresql")
    / (sorted(os.listdir("/usr/lib/postgresql"), key=int)[-1] if Path("/usr/lib/postgresql").is_dir() else "15")
    / "bin"
)
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "55432"))
REDIS_PORT = int(os.environ.get("BENCH_REDIS_PORT", "6390"))
WEB_PORT = int(os.environ.get("BENCH_WEB_PORT", "8790"))
PG_DIR = Path(os.environ.get("BENCH_PG_DIR", "/tmp/stabil-bench-pg"))  # noqa: S108 - the postgres user must own it
OWNER, APP_ROLE = "stabil", "stabil_app"


def env() -> dict[str, str]:
    """The environment of the owner's commands (migrate, generate_load, shells); `app_env()` for the services."""
    e = dict(os.environ)
    e.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=f"postgres://{OWNER}@127.0.0.1:{PG_PORT}/stabil",
        DATABASE_APP_ROLE=APP_ROLE,  # migrate grants it the table rights (staff/platform/rls.py)
        CELERY_BROKER_URL=f"redis://127.0.0.1:{REDIS_PORT}/0",
        EMAIL_FILE_PATH=str(VAR / "mail"),
        CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
        NOTIFICATION_RESEND_SECONDS="2",
        NOTIFICATION_RESEND_AFTER_SECONDS="3",
        PYTHONPATH=str(ROOT),
    )
    e.pop("DATABASE_ASSUME_ROLE", None)
    return e


def app_env() -> dict[str, str]:
    """The environment of gunicorn, the workers and beat: connected as the application role, as in production."""
    return {**env(), "DATABASE_URL": f"postgres://{APP_ROLE}@127.0.0.1:{PG_PORT}/stabil"}


def _as_postgres(*args: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Stack:
    def __init__(self, *, web_workers: int = 2, threads: int = 1):
        self.web_workers, self.threads = web_workers, threads
        self.procs: dict[str, subprocess.Popen] = {}
        VAR.mkdir(parents=True, exist_ok=True)
        (VAR / "mail").mkdir(exist_ok=True)

    # PostgreSQL -----------------------------------------------------------------------------------------
    def pg_init(self) -> None:
        if PG_DIR.exists():
            self.pg_stop()
            shutil.rmtree(PG_DIR)
        PG_DIR.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(PG_DIR, "postgres", "postgres")
        subprocess.run(  # noqa: S603
            _as_postgres(str(PG_BIN / "initdb"), "-D", str(PG_DIR / "data"), "-U", OWNER, "--auth=trust", "-E", "UTF8"),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.pg_start()
        subprocess.run(  # noqa: S603
            [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", OWNER, "stabil"], check=True
        )
        # As docker/postgres/10-app-role.sh (trust authentication on loopback here, so no password).
        self.sql(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
        self.sql(f"GRANT CONNECT ON DATABASE stabil TO {APP_ROLE}")
        self.sql(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {PG_PORT} -k {PG_DIR} -c listen_addresses=127.0.0.1 -c max_connections=100"
        subprocess.run(  # noqa: S603
            _as_postgres(
                str(PG_BIN / "pg_ctl"),
                action,
                "-D",
                str(PG_DIR / "data"),
                "-o",
                options,
                "-l",
                str(PG_DIR / "log"),
                "-w",
                *extra,
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def pg_start(self) -> None:
        self.pg_ctl("start")

    def pg_stop(self) -> None:
        if (PG_DIR / "data" / "postmaster.pid").exists():
            self.pg_ctl("stop", "-m", "fast")

    def pg_restart(self) -> None:
        self.pg_ctl("restart", "-m", "fast")

    # Redis ----------------------------------------------------------------------------------------------
    def redis_start(self) -> None:
        self.start("redis", ["redis-server", "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no"])
        for _ in range(50):
            if subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True).returncode == 0:  # noqa: S607
                return
            time.sleep(0.1)
        raise RuntimeError("redis did not start")

    # Django processes -----------------------------------------------------------------------------------
    def manage(self, *args: str) -> str:
        result = subprocess.run(  # noqa: S603
            [PY, "manage.py", *args], cwd=ROOT, env=env(), check=True, capture_output=True, text=True
        )
        return result.stdout

    def web_start(self) -> None:
        cmd = [PY, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{WEB_PORT}"]
        cmd += ["--workers", str(self.web_workers), "--threads", str(self.threads), "--log-level", "warning"]
        self.start("web", cmd)
        self.wait_http(f"http://127.0.0.1:{WEB_PORT}/accounts/login/")

    def worker_start(self, name: str = "worker", concurrency: int = 1, timeout: float = 90) -> None:
        """Start a worker and wait until it reports ready (its log, at INFO)."""
        log_file = VAR / f"{name}.log"
        log_file.unlink(missing_ok=True)
        cmd = [PY, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", f"--concurrency={concurrency}"]
        self.start(name, [*cmd, "-n", f"{name}@%h", "--pool=prefork"])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if log_file.exists() and " ready." in log_file.read_text(errors="replace"):
                return
            time.sleep(0.3)
        raise RuntimeError(f"celery worker {name} not ready within {timeout} s")

    def sql(self, *queries: str, user: str = OWNER) -> str:
        """One value or row from the stack's database (psql: much quicker than a Django shell); with several
        queries, one session and a line per result."""
        commands = [arg for query in queries for arg in ("-c", query)]
        result = subprocess.run(  # noqa: S603
            ["psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", user, "-d", "stabil", "-tA", *commands],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.strip()

    def rls_check(self, organisation_id: int) -> dict:
        """Row-level security in the running stack: who the web's connections are, and what the application role
        sees of the cases with no organisation set and with `organisation_id` set (only that one's rows)."""
        seen = self.sql(
            "SELECT count(*) FROM caseload_case",
            f"SELECT set_config('stabil.organisation_id', '{organisation_id}', false)",
            "SELECT count(*), count(DISTINCT organisation_id), max(organisation_id) FROM caseload_case",
            user=APP_ROLE,
        ).split("\n")
        return {
            "connections": dict(  # Django's connections (psql's carry application_name 'psql')
                line.split("|")
                for line in self.sql(
                    "SELECT usename, count(*) FROM pg_stat_activity WHERE datname = 'stabil' AND "
                    "application_name = '' GROUP BY usename"
                ).splitlines()
            ),
            "role": self.sql(
                f"SELECT rolsuper, rolbypassrls, (SELECT count(*) FROM pg_tables WHERE tableowner = '{APP_ROLE}') "
                f"FROM pg_roles WHERE rolname = '{APP_ROLE}'"
            ),
            "policies": int(self.sql("SELECT count(*) FROM pg_policies WHERE policyname = 'stabil_tenant'")),
            "unset": int(seen[0]),
            "set": seen[2],
            "all": int(self.sql("SELECT count(*) FROM caseload_case")),
        }

    def beat_start(self, seconds: float = 2) -> None:
        schedule = VAR / "celerybeat-schedule"
        (VAR / "beat.log").unlink(missing_ok=True)
        self.start(
            "beat",
            [PY, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO", f"--schedule={schedule}"],
            extra_env={"SURVEYS_BEAT_SECONDS": str(seconds)},
        )

    def beat_ticks(self) -> int:
        """How many survey ticks the running beat has sent (its log, at INFO)."""
        log_file = VAR / "beat.log"
        return log_file.read_text(errors="replace").count("surveys-schedule") if log_file.exists() else 0

    def start(self, name: str, cmd: list[str], extra_env: dict | None = None) -> subprocess.Popen:
        out = open(VAR / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(  # noqa: S603
            cmd, cwd=ROOT, env={**app_env(), **(extra_env or {})}, stdout=out, stderr=subprocess.STDOUT
        )
        self.procs[name] = proc
        return proc

    def kill(self, name: str, sig: int = signal.SIGTERM, wait: float = 15) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    @staticmethod
    def wait_http(url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - loopback
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{url} did not answer within {timeout} s")

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.kill(name)
        self.pg_stop()

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc) -> None:
        self.stop_all()


def url(path: str) -> str:
    return f"http://127.0.0.1:{WEB_PORT}{path}"


def prepare(stack: Stack, *, staff: int, cases: int, organisations: int = 1) -> dict:
    """A fresh database with generated organisations; returns the plan the load users need (as JSON data)."""
    stack.pg_init()
    stack.redis_start()
    stack.manage("migrate", "--noinput")
    stack.manage("compile_translations")
    started = time.monotonic()
    stack.manage("generate_load", "--organisations", str(organisations), "--staff", str(staff), "--cases", str(cases))
    generated_s = time.monotonic() - started
    plan = {"generated_s": round(generated_s, 1), "organisations": []}
    for slug in stack.sql("SELECT slug FROM staff_organisation ORDER BY id").split():
        org = stack.sql(f"SELECT id FROM staff_organisation WHERE slug = '{slug}'")
        managers = stack.sql(
            "SELECT u.username || ':' || r.unit_id FROM staff_roleassignment r JOIN staff_staffmember s ON s.id = "
            f"r.staff_id JOIN auth_user u ON u.id = s.user_id WHERE r.organisation_id = {org} AND r.role = "
            "'unit_manager' ORDER BY r.unit_id"
        ).split()
        workers = stack.sql(
            "SELECT u.username FROM staff_staffmember s JOIN auth_user u ON u.id = s.user_id "
            f"WHERE s.organisation_id = {org} AND u.username LIKE '%-worker%' ORDER BY s.id"
        ).split()
        open_round = stack.sql(f"SELECT id FROM surveys_surveyround WHERE organisation_id = {org} AND status = 'open'")
        plan["organisations"].append(
            {
                "slug": slug,
                "id": int(org),
                "hr": f"{slug}-hr",
                "managers": [m.split(":") for m in managers],
                "workers": workers,
                "open_round": int(open_round),
            }
        )
    plan["sessions"] = signed_in(stack, plan)
    return plan


_SESSIONS = """
import json, sys
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
out = {}
for user in get_user_model().objects.filter(username__in=json.loads(sys.stdin.read())):
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    out[user.username] = session.session_key
print(json.dumps(out))
"""


def signed_in(stack: Stack, plan: dict) -> dict[str, str]:
    """A session per planned person, as a sign-in would leave it: the load test measures a morning of people
    already signed in (the password hash costs ~0.3 s of CPU per sign-in; load.py measures sign-ins apart)."""
    names = []
    for org in plan["organisations"]:
        names += [org["hr"], *(m[0] for m in org["managers"]), *org["workers"]]
    result = subprocess.run(  # noqa: S603
        [PY, "manage.py", "shell", "-c", _SESSIONS],
        cwd=ROOT,
        env=env(),
        check=True,
        capture_output=True,
        text=True,
        input=json.dumps(names),
    )
    return json.loads(result.stdout.strip().splitlines()[-1])
