"""Retention's own settings keep change history, shown on the retention page."""

from __future__ import annotations

from django.utils.translation import gettext as _

from staff.platform.history.display import Source
from staff.platform.history.registry import LEGACY, track
from staff.platform.retention.models import RetentionSettings

track(RetentionSettings, table=LEGACY)


def retention_settings_history() -> list[Source]:
    return [Source(RetentionSettings, {}, _("Retention settings"), created_values=False)]
