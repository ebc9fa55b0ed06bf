"""`python -m tests.idp.oidc --port P --config config.json [--data-dir DIR]`: serve the test provider.

Binds 127.0.0.1:P first (P=0 lets the system pick a free port), so the issuer is known before Django
starts; migrates a fresh SQLite database, loads the config, serves threaded and prints `READY <issuer>`.
"""

import argparse
import json
import os
import signal
import sys
import tempfile
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.idp.oidc", description=__doc__)
    parser.add_argument("--port", type=int, default=9001, help="loopback port; 0 picks a free one")
    parser.add_argument("--config", type=Path, required=True, help="JSON: clients, users, harness_key")
    parser.add_argument("--data-dir", type=Path, help="where the SQLite database goes (default: a temp dir)")
    args = parser.parse_args(argv)
    config = json.loads(args.config.read_text())

    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    server = ThreadedWSGIServer(("127.0.0.1", args.port), WSGIRequestHandler)
    issuer = f"http://127.0.0.1:{server.server_address[1]}/o"
    scratch = None
    if args.data_dir:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        os.environ["IDP_OIDC_DATA_DIR"] = str(args.data_dir)
    elif not os.environ.get("IDP_OIDC_DATA_DIR"):
        scratch = tempfile.TemporaryDirectory(prefix="stabil-oidc-idp-")
        os.environ["IDP_OIDC_DATA_DIR"] = scratch.name
    os.environ["IDP_OIDC_ISSUER"] = issuer
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.idp.oidc.settings"  # never Stabil's

    import django
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    from tests.idp.oidc import harness

    harness.configure(config)
    server.set_app(get_wsgi_application())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"READY {issuer}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        if scratch is not None:
            scratch.cleanup()


if __name__ == "__main__":
    main()
