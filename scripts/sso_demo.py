"""`make sso-demo`: Stabil (web, worker, beat) plus the two local test identity providers of tests/idp/.

Demo kommun then signs in at http://127.0.0.1:8000/accounts/sso/demo/ through OpenID Connect (port 9001,
django-oauth-toolkit) or SAML 2.0 (port 9002, pysaml2; needs Debian's xmlsec1). Ctrl-C stops everything."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PORT = os.environ.get("PORT", "8000")
OUT = ROOT / "var" / "sso-demo"
SITE = f"http://127.0.0.1:{PORT}"

subprocess.run(  # noqa: S603
    [PY, "manage.py", "sso_demo_setup", "--out", str(OUT), "--site", SITE], cwd=ROOT, check=True
)
provider_env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
provider_env["PYTHONPATH"] = str(ROOT)
commands = {
    "oidc provider": [
        PY,
        "-m",
        "tests.idp.oidc",
        "--port",
        "9001",
        "--config",
        str(OUT / "oidc.json"),
        "--data-dir",
        str(OUT / "oidc"),
    ],
    "saml provider": [PY, "-m", "tests.idp.saml", "--port", "9002", "--config", str(OUT / "saml.json")],
}
procs = {name: subprocess.Popen(cmd, cwd=ROOT, env=provider_env) for name, cmd in commands.items()}  # noqa: S603
procs["stabil"] = subprocess.Popen([PY, "scripts/run_local.py"], cwd=ROOT)  # noqa: S603
print(
    f"\nSign in as Demo kommun through its identity providers: {SITE}/accounts/sso/demo/\n"
    "At the provider: worker, manager, specialist or admin, password stabil-idp. Use 127.0.0.1, not localhost:\n"
    "the providers know Stabil by that address. Ctrl-C stops Stabil and both providers.\n",
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
