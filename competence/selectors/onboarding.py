"""Reads about a new social worker's start: the mentor requests still open and the mentorship length guideline."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from staff.models import Organisation, StaffMember

from ..dates import add_months
from ..models import LadderSettings, Mentorship, Onboarding

ONE_DAY = datetime.timedelta(days=1)


def mentorship_length_warning(*, settings: LadderSettings, start: datetime.date, end: datetime.date) -> str:
    """A warning (never a refusal) when a mentorship from `start` to `end` (both days included) is shorter or
    longer than the organisation's guideline (Vision 80: 6–12 months); "" within it."""
    shortest_end = add_months(start, settings.mentor_min_months) - ONE_DAY
    longest_end = add_months(start, settings.mentor_max_months) - ONE_DAY
    bounds = {"min": settings.mentor_min_months, "max": settings.mentor_max_months}
    if end < shortest_end:
        return _(
            "The mentorship is shorter than the guideline of %(min)s–%(max)s months: to follow it, it lasts until "
            "%(date)s at least."
        ) % {**bounds, "date": shortest_end.isoformat()}
    if end > longest_end:
        return _(
            "The mentorship is longer than the guideline of %(min)s–%(max)s months: to follow it, it ends on "
            "%(date)s at the latest."
        ) % {**bounds, "date": longest_end.isoformat()}
    return ""


def mentor_requests(*, organisation: Organisation, unit_ids: frozenset[int] | None) -> QuerySet[Onboarding]:
    """New social workers for whom a mentor was asked and none is set yet, oldest request first."""
    has_mentor = Mentorship.objects.filter(organisation=organisation, staff=OuterRef("staff_id"))
    qs = (
        Onboarding.objects.filter(
            organisation=organisation,
            mentor_request=Onboarding.MentorRequest.ASKED,
            staff__employment_end__isnull=True,
        )
        .filter(~Exists(has_mentor))
        .select_related("staff", "staff__unit")
    )
    if unit_ids is not None:
        qs = qs.filter(staff__unit_id__in=unit_ids)
    return qs.order_by("created_at", "pk")


def onboarding_of(*, member: StaffMember) -> Onboarding | None:
    return Onboarding.objects.filter(organisation_id=member.organisation_id, staff=member).first()
