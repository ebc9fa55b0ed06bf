"""Broker reachability for /healthz (Redis or the embedded file-system broker)."""

import logging

from kombu import Connection

logger = logging.getLogger(__name__)


def broker_status() -> str:
    from config.celery_app import app

    try:
        with Connection(app.conf.broker_url, transport_options=app.conf.broker_transport_options) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            conn.default_channel  # noqa: B018 - opens the channel, proving the broker answers
    except Exception:  # noqa: BLE001
        logger.warning("healthz: broker not reachable", exc_info=True)
        return "unavailable"
    return "ok"
