"""Small helpers the survey services share: Stockholm time and texts rendered in Swedish."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.utils import timezone, translation

from ..tertials import STOCKHOLM


def _local(now: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(now, STOCKHOLM)


def _message(text, **kwargs) -> str:
    """A lazily translated text rendered in Swedish (messages are e-mailed in Swedish)."""
    with translation.override("sv"):
        return str(text) % kwargs if kwargs else str(text)


def _chunks(ids: Sequence[int], size: int) -> list[list[int]]:
    size = max(1, int(size))
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]
