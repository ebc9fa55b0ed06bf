"""Review forms before the allocation meeting: reads, writes and the reminders (docs/domain.md section 7)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.models import Organisation, StaffMember
from staff.platform.identity_numbers import refuse_identity_numbers
from staff.platform.tenancy import check_same_org
from staff.services import notify

from ..models import Assignment, Case
from ..selectors import unit_case_workers
from .models import CycleSettings, MeetingCycle, ReviewEntry, ReviewForm
from .selectors import board_cycle
from .services import meeting_cycle_ensure

ENTRY_FIELDS = ("stands", "basis_started", "journal_started", "still_needed", "interventions", "decisions")


def review_cases(*, organisation: Organisation, staff: StaffMember) -> list[Case]:
    """The worker's open investigations as main handler: one entry each on the form."""
    return list(
        Case.objects.filter(
            organisation=organisation,
            status=Case.Status.OPEN,
            unit_id=staff.unit_id,
            assignments__staff=staff,
            assignments__role=Assignment.Role.MAIN,
            assignments__end__isnull=True,
        ).order_by("number")
    )


def review_form_get(*, organisation: Organisation, staff: StaffMember, meeting: MeetingCycle) -> ReviewForm | None:
    return (
        ReviewForm.objects.filter(organisation=organisation, cycle=meeting, staff=staff)
        .prefetch_related("entries")
        .first()
    )


def review_status(*, organisation: Organisation, meeting: MeetingCycle) -> list[tuple[StaffMember, ReviewForm | None]]:
    """Each worker of the unit and their submitted form (or None), for the manager (two queries)."""
    forms = {
        f.staff_id: f
        for f in ReviewForm.objects.filter(organisation=organisation, cycle=meeting, submitted_at__isnull=False)
    }
    workers = unit_case_workers(organisation=organisation, unit=meeting.unit, on=meeting.allocation_monday)
    return [(w, forms.get(w.pk)) for w in workers]


def submitted_review_forms(*, organisation: Organisation, meeting: MeetingCycle) -> list[ReviewForm]:
    """The submitted forms of one meeting with their entries and case numbers, for the case review (3 queries)."""
    entries = ReviewEntry.objects.select_related("case").order_by("case__number")
    return list(
        ReviewForm.objects.filter(organisation=organisation, cycle=meeting, submitted_at__isnull=False)
        .select_related("staff")
        .prefetch_related(models.Prefetch("entries", entries))
        .order_by("staff__last_name", "staff__first_name")
    )


@transaction.atomic
def review_form_submit(
    *,
    organisation: Organisation,
    staff: StaffMember,
    meeting: MeetingCycle,
    work_situation: int,
    comment: str,
    entries: dict[int, dict],
) -> ReviewForm:
    """Save and submit the form: one entry per open investigation of the worker (others are refused)."""
    check_same_org(organisation, staff, meeting)
    refuse_identity_numbers(
        comment=comment,
        **{
            f"c{case_id}_{field}": data.get(field)
            for case_id, data in entries.items()
            for field in ENTRY_FIELDS
            if isinstance(data.get(field), str)
        },
    )
    if staff.unit_id != meeting.unit_id:
        raise ValidationError(_("The review form is for the workers of the unit."))
    if meeting.allocation_monday < timezone.localdate():
        raise ValidationError(_("The allocation meeting has passed: the review form is closed."))
    allowed = {c.pk for c in review_cases(organisation=organisation, staff=staff)}
    if set(entries) - allowed:
        raise ValidationError(_("The form may only describe your own open investigations."))
    form, _created = ReviewForm.objects.get_or_create(organisation=organisation, cycle=meeting, staff=staff)
    form.work_situation, form.comment, form.submitted_at = work_situation, (comment or "").strip(), timezone.now()
    form.full_clean(exclude=["organisation", "cycle", "staff"])
    form.save()
    for case_id, data in entries.items():
        entry = ReviewEntry.objects.filter(organisation=organisation, form=form, case_id=case_id).first()
        entry = entry or ReviewEntry(organisation=organisation, form=form, case_id=case_id)
        for field in (*ENTRY_FIELDS, "reconsideration"):
            setattr(entry, field, data.get(field, getattr(entry, field)))
        entry.full_clean(exclude=["organisation", "form", "case"])
        entry.save()
    return form


def review_reminders_send(*, organisation: Organisation, today: datetime.date) -> int:
    """Remind every worker without a submitted form, once per threshold (days before the meeting)."""
    sent = 0
    for settings in CycleSettings.objects.filter(organisation=organisation).select_related("unit"):
        cycle = board_cycle(settings, today)
        days_before = (cycle.allocation_monday - today).days
        reached = [t for t in settings.reminder_days if t >= days_before >= 0]
        if not reached:
            continue
        threshold = min(reached)
        meeting, _created = meeting_cycle_ensure(organisation=organisation, unit=settings.unit, cycle=cycle)
        url = reverse("caseload:review_form", args=[settings.unit_id])
        for person, form in review_status(organisation=organisation, meeting=meeting):
            if form is not None:
                continue
            _row, created = notify(
                organisation=organisation,
                recipient=person,
                key=f"review-form:{meeting.pk}:{person.pk}:{threshold}",
                subject=_("Fill in your review form before the allocation meeting on %(day)s")
                % {"day": cycle.allocation_monday.isoformat()},
                body=_("The review form is not submitted yet."),
                url=url,
            )
            sent += created
    return sent
