"""The organisation-wide co-handler coverage that unit pages compare with, counted by the beat."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from staff.models import Organisation

from ..models import CaseloadSettings, CoverageFigure
from ..selectors import co_handler_coverage


@transaction.atomic
def coverage_figure_count(*, organisation: Organisation) -> CoverageFigure:
    """Count the organisation's open cases and those with a current co-handler now, and keep the figure."""
    counted = co_handler_coverage(organisation=organisation, settings=CaseloadSettings.for_org(organisation))
    figure, _created = CoverageFigure.objects.update_or_create(
        organisation=organisation,
        defaults={
            "open_cases": counted.open_cases,
            "with_co_handler": counted.with_co_handler,
            "counted_at": timezone.now(),
        },
    )
    return figure
