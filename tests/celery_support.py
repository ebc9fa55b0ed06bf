"""A real Celery worker process for tests: same broker as the test process, the test database.

Use the `celery_worker` fixture (it implies `transactional_db`, so the worker sees committed rows):

    def test_reminders(world, celery_worker):
        send_reminders.delay(organisation_id=world.org.pk)
        celery_worker.wait_until(lambda: Reminder.objects.count() == 2)

On the embedded default the broker is the file-system transport and the test database a SQLite
file; in CI it is Redis and PostgreSQL. No eager mode: tasks cross a real broker into a real process.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"


MAIL_SEPARATOR = "-" * 79  # the file backend's line after each message


class WorkerProcess:
    def __init__(self, env: dict[str, str], mail_dir: Path):
        self.env = env
        self.mail_dir = mail_dir
        self.proc: subprocess.Popen | None = None
        self.output: list[str] = []
        self._ready = threading.Event()

    def start(self, timeout: float = 60) -> None:
        self._ready.clear()
        cmd = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            "--concurrency=2",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            "--hostname",
            f"test-{os.getpid()}-{time.monotonic_ns()}@%h",
        ]
        self.proc = subprocess.Popen(  # noqa: S603
            cmd, cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        threading.Thread(target=self._pump, args=(self.proc,), daemon=True).start()
        if not self._ready.wait(timeout):
            self.stop()
            raise RuntimeError("Celery worker did not start:\n" + "".join(self.output[-50:]))

    def _pump(self, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            self.output.append(line)
            if " ready." in line:
                self._ready.set()

    def stop(self, *, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            if kill:
                self.kill()
                return
            else:
                self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def kill(self) -> None:
        """SIGKILL the worker's main process (its pool children die with it): a crash mid-batch."""
        if self.proc and self.proc.poll() is None:
            subprocess.run(["pkill", "-KILL", "-P", str(self.proc.pid)], check=False)  # noqa: S603, S607
            self.proc.kill()
            self.proc.wait(10)

    def wait_until(self, condition: Callable[[], bool], timeout: float = 30, interval: float = 0.2) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(interval)
        raise AssertionError("condition not met in time; worker log tail:\n" + "".join(self.output[-40:]))

    def mails(self) -> list[str]:
        """Every e-mail the worker sent, one string each. The file backend writes one file per connection and
        may append two workers' messages to one file (same second, same backend id in forked processes), so
        files are split on its separator line rather than counted."""
        if not self.mail_dir.exists():
            return []
        texts = (p.read_text() for p in sorted(self.mail_dir.glob("*.log")))
        return [m.strip() for text in texts for m in text.split(MAIL_SEPARATOR) if m.strip()]


def _purge_broker() -> None:
    from config.celery_app import app

    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        for key in ("data_folder_in", "processed_folder"):
            folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS[key])
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True, exist_ok=True)
    else:
        app.control.purge()


@pytest.fixture
def celery_worker(transactional_db):
    mail_dir = Path(tempfile.mkdtemp(prefix="stabil-mail-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        env["CELERY_BROKER_FOLDER"] = str(Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]).parent)
    _purge_broker()
    worker = WorkerProcess(env, mail_dir)
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        shutil.rmtree(mail_dir, ignore_errors=True)
