"""Start the web server, a Celery worker and Celery beat together; Ctrl-C stops all three."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = os.environ.setdefault("PORT", "8000")  # the worker and beat inherit it: their e-mails link here too
PY = sys.executable
CELERY = [PY, "-m", "celery", "-A", "config"]

for folder in ("var/broker/out", "var/broker/processed"):
    (ROOT / folder).mkdir(parents=True, exist_ok=True)

commands = {
    "web": [PY, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
    "worker": [*CELERY, "worker", "--loglevel=INFO", "--concurrency=2", "--pool=prefork"],
    "beat": [*CELERY, "beat", "--loglevel=INFO"],
}

procs = {name: subprocess.Popen(cmd, cwd=ROOT) for name, cmd in commands.items()}  # noqa: S603
print(
    f"\nStabil runs at http://127.0.0.1:{PORT}/\n"
    "Demo logins (password stabil-demo): manager, assistant-manager, worker, specialist, depthead, hr,\n"
    "admin, administrator, intake-worker (Demo kommun) and other-manager (Grannby kommun).\n"
    "Ctrl-C stops the web server, the Celery worker and beat.\n",
    flush=True,
)


def stop(*_):
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.time() + 10
    for proc in procs.values():
        try:
            proc.wait(max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            proc.kill()
    sys.exit(0)


signal.signal(signal.SIGINT, stop)
signal.signal(signal.SIGTERM, stop)
while True:
    for name, proc in procs.items():
        if proc.poll() is not None:
            print(f"{name} stopped (exit {proc.returncode}); stopping the others.", flush=True)
            stop()
    time.sleep(1)
