"""Broker reachability for /healthz (Redis or the embedded file-system broker)."""

import logging

from django.conf import settings
from kombu import Connection

logger = logging.getLogger(__name__)


def broker_status() -> str:
    try:
        with Connection(settings.CELERY_BROKER_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            conn.default_channel  # noqa: B018 - opens the channel, proving the broker answers
    except Exception:  # noqa: BLE001
        logger.warning("healthz: broker not reachable")
        return "unavailable"
    return "ok"
