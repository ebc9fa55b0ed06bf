"""Reads of retention: the organisation's runs, newest first."""

from __future__ import annotations

from django.db.models import QuerySet

from staff.models import Organisation
from staff.platform.retention.models import RetentionRun

RUN_SORTS = {"date": "run_on", "cases": "cases", "intake": "intake_items", "staff": "staff"}


def runs(*, organisation: Organisation, order: str = "-run_on") -> QuerySet[RetentionRun]:
    return RetentionRun.objects.filter(organisation=organisation).order_by(order, "-pk")
