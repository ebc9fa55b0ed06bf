"""python -m tests.idp.saml --port P --config config.json  (prints "READY <base-url>" when serving)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from tests.idp.saml.idp import Application, BadInput, IdentityProvider, find_xmlsec


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature of BaseHTTPRequestHandler
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.idp.saml", description="Local SAML 2.0 test IdP")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--config", required=True, help="JSON: harness_key, sps, users")
    args = parser.parse_args(argv)
    find_xmlsec()  # exits with "apt-get install xmlsec1" before anything else if it is missing
    try:
        with open(args.config, encoding="utf-8") as fh:
            config = json.load(fh)
        if not isinstance(config, dict) or not isinstance(config.get("harness_key"), str):
            raise BadInput("the config needs a harness_key string")
        base_url = f"http://127.0.0.1:{args.port}"
        idp = IdentityProvider(base_url, config)
    except (OSError, ValueError) as exc:
        print(f"SAML IdP config {args.config}: {exc}", file=sys.stderr)
        return 2
    httpd = make_server(
        "127.0.0.1", args.port, Application(idp), server_class=ThreadingWSGIServer, handler_class=QuietHandler
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # terminate() cleans up the temp dir with the keys
    print(f"READY {base_url}", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
        idp.tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
