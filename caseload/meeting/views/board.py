"""The allocation board and its actions: interest, duty, the proposal (make, adjust, confirm), the wrap-up."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from staff.models import CASE_WORKER_ROLES, MANAGER_ROLES
from staff.permissions import staff_required
from staff.platform import audit

from ...selectors import unit_case_workers
from .. import reviews, selectors, services
from ..forms import AdjustForm, DutyForm, WrapUpForm
from ..models import ProposedAllocation
from ..texts import over_capacity_warning
from .common import _meeting, _settings_or_404, _unit_for_manager, _unit_for_viewer


def _board_context(request, unit):
    organisation = request.organisation
    today = timezone.localdate()
    settings = selectors.cycle_settings(organisation=organisation, unit=unit)
    if settings is None:
        return {"unit": unit, "settings": None}
    # This week's allocation point when cases are carried over into it, else the cycle's meeting.
    point = selectors.board_point(organisation=organisation, unit=unit, settings=settings, today=today)
    meeting = selectors.meeting_cycle_for(organisation=organisation, unit=unit, cycle=point)
    viewer = request.get_staff()
    rows = selectors.proposals(organisation=organisation, meeting=meeting)
    queue = selectors.allocation_queue(
        organisation=organisation, unit=unit, on=today, viewer=viewer, point=point.allocation_monday
    )
    return {
        "unit": unit,
        "settings": settings,
        "cycle": point,
        "meeting": meeting,
        "queue": queue,
        # carried over into this point: waiting still, or in its proposal
        "carried_into": {r.case.pk for r in queue if r.carried_from} | {r.case_id for r in rows if r.carried_from_id},
        "proposals": rows,
        "carried_over": [r for r in rows if r.outcome == ProposedAllocation.Outcome.CARRIED_OVER],
        "carried_to": point.next,
        "flagged": [r for r in rows if r.outcome == ProposedAllocation.Outcome.FLAGGED],
        "adjusted_rows": sum(1 for r in rows if r.adjusted),
    }


@staff_required()
def board(request, pk: int):
    unit = _unit_for_viewer(request, pk)
    context = _board_context(request, unit)
    is_manager = request.access.manages_unit(unit.pk)
    context["is_manager"] = is_manager
    context["may_mark_interest"] = unit.pk in request.access.unit_ids_with(*CASE_WORKER_ROLES)
    if is_manager and context["settings"] is not None:
        workers = unit_case_workers(organisation=request.organisation, unit=unit, on=context["cycle"].allocation_monday)
        situations = selectors.worker_situations(
            organisation=request.organisation, unit=unit, cycle=context["cycle"], meeting=context["meeting"]
        )
        duty = {d: [s.staff for s in situations if d in s.duty_days] for d in _week_days(context["cycle"])}
        cycle_meeting = (
            context["meeting"]
            if context["cycle"].is_meeting
            else selectors.meeting_cycle_for(
                organisation=request.organisation,
                unit=unit,
                cycle=selectors.board_cycle(context["settings"], timezone.localdate()),
            )
        )
        context |= {
            "messages": _row_messages(request, context["proposals"]),
            "situations": selectors.with_load_after_proposal(
                situations,
                # once confirmed, the cases are in the load itself
                [] if context["meeting"] and context["meeting"].confirmed_at else context["proposals"],
            ),
            "duty_roster": sorted(duty.items()),
            "duty_form": DutyForm(workers=workers),
            "workers": workers,
            # the review forms and the Friday wrap-up belong to the cycle's meeting, also at a later week's point
            "review_status": reviews.review_status(organisation=request.organisation, meeting=cycle_meeting)
            if cycle_meeting
            else [],
            "wrap_up_form": WrapUpForm(initial={"notes": cycle_meeting.wrap_up_notes if cycle_meeting else ""}),
        }
    # The case numbers shown: the queue to everyone, the proposal rows (and so carried over, flagged) to managers.
    shown = [r.case for r in context.get("queue", ())]
    audit.note(request, shown + ([r.case for r in context.get("proposals", ())] if is_manager else []))
    return render(request, "caseload/meeting/board.html", context)


def _week_days(cycle):
    return [cycle.allocation_monday + datetime.timedelta(days=d) for d in range(5)]


def _board_meeting(request, unit):
    """The allocation point the board shows (the meeting, or this week's point for carried-over cases): its
    duty, proposal and confirmation."""
    settings = _settings_or_404(request, unit)
    point = selectors.board_point(
        organisation=request.organisation, unit=unit, settings=settings, today=timezone.localdate()
    )
    meeting, _created = services.meeting_cycle_ensure(organisation=request.organisation, unit=unit, cycle=point)
    return meeting


ROW_TAG = "proposal-row-"  # messages about one proposal row are shown in that row


def _run(request, unit, action, success, *, row: ProposedAllocation | None = None):
    """Call the service; its refusal becomes error messages, success a message (text, or made from the result).

    With a proposal ``row`` the messages are shown in that row and the board opens at it."""
    extra = f"{ROW_TAG}{row.pk}" if row is not None else ""
    try:
        result = action()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message, extra_tags=extra)
    else:
        if text := success(result) if callable(success) else success:
            messages.success(request, text, extra_tags=extra)
    url = reverse("caseload:board", args=[unit.pk])
    return redirect(f"{url}#proposal-{row.case.number}" if row is not None else url)


def _row_messages(request, rows) -> list:
    """The page's messages without those about one proposal row, which go to the row (``row.notes``)."""
    by_row: dict[int, list] = {}
    page = []
    for message in messages.get_messages(request):
        tag = next((t for t in message.extra_tags.split() if t.startswith(ROW_TAG)), None)
        if tag is None:
            page.append(message)
        else:
            by_row.setdefault(int(tag.removeprefix(ROW_TAG)), []).append(message)
    for row in rows:
        row.notes = by_row.pop(row.pk, [])
    return page + [m for notes in by_row.values() for m in notes]  # a row no longer shown: at the top


def _invalid(request, form, unit):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("caseload:board", unit.pk)


@require_POST
@staff_required(*CASE_WORKER_ROLES)
def interest_toggle(request, pk: int):
    unit = _unit_for_viewer(request, pk)
    try:
        case_id = int(request.POST.get("case", ""))
    except ValueError as exc:
        raise Http404 from exc
    case = selectors.queued_case(organisation=request.organisation, unit=unit, pk=case_id)
    audit.note(request, case)
    try:
        on = services.interest_toggle(organisation=request.organisation, staff=request.get_staff(), case=case)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        text = _("Your interest in %(number)s is noted.") if on else _("Your interest in %(number)s is withdrawn.")
        messages.success(request, text % {"number": case.number})
    return redirect("caseload:board", unit.pk)


@require_POST
@staff_required(*MANAGER_ROLES)
def duty_set(request, pk: int):
    unit = _unit_for_manager(request, pk)
    meeting = _board_meeting(request, unit)
    workers = unit_case_workers(organisation=request.organisation, unit=unit, on=meeting.allocation_monday)
    form = DutyForm(request.POST, workers=workers)
    if not form.is_valid():
        return _invalid(request, form, unit)

    def saved(removed: list) -> str:
        text = _("The duty roster of %(day)s is saved.") % {"day": date_format(form.cleaned_data["day"], "l j F")}
        if removed:  # the form replaces the day's list: say whom that took off
            names = ", ".join(sorted(p.full_name for p in removed))
            text += " " + _("No longer on duty that day: %(names)s.") % {"names": names}
        return text

    return _run(
        request,
        unit,
        lambda: services.duty_set(
            organisation=request.organisation,
            actor=request.get_staff(),
            meeting=meeting,
            day=form.cleaned_data["day"],
            staff=list(form.cleaned_data["staff"]),
        ),
        saved,
    )


@require_POST
@staff_required(*MANAGER_ROLES)
def proposal_make(request, pk: int):
    unit = _unit_for_manager(request, pk)
    meeting = _board_meeting(request, unit)

    def made(rows: list[ProposedAllocation]) -> str:
        """The ready message, and a warning naming the load for each acute case placed over capacity."""
        for row in rows:
            if "over_capacity" not in row.reasons:
                continue
            for name, load, capacity in selectors.over_capacity_after_proposal(
                organisation=request.organisation, unit=unit, meeting=meeting, staff=[row.main, row.co]
            ):
                messages.warning(
                    request,
                    over_capacity_warning(number=row.case.number, acute=True, name=name, load=load, capacity=capacity),
                )
        return _("The engine's proposal is ready. Adjust it and confirm.")

    return _run(
        request,
        unit,
        lambda: services.proposal_make(organisation=request.organisation, actor=request.get_staff(), meeting=meeting),
        made,
    )


@require_POST
@staff_required(*MANAGER_ROLES)
def proposal_adjust(request, pk: int):
    unit = _unit_for_manager(request, pk)
    meeting = _board_meeting(request, unit)
    workers = unit_case_workers(organisation=request.organisation, unit=unit, on=meeting.allocation_monday)
    form = AdjustForm(request.POST, workers=workers)
    if not form.is_valid():
        return _invalid(request, form, unit)
    row = selectors.proposal_get(organisation=request.organisation, meeting=meeting, pk=form.cleaned_data["row"])

    def saved(row: ProposedAllocation) -> str:
        """The saved message, then a warning for anyone the proposal now puts over capacity."""
        tag = f"{ROW_TAG}{row.pk}"
        messages.success(request, _("The change to %(number)s is saved.") % {"number": row.case.number}, extra_tags=tag)
        for name, load, capacity in selectors.over_capacity_after_proposal(
            organisation=request.organisation, unit=unit, meeting=meeting, staff=[row.main, row.co]
        ):
            messages.warning(
                request,
                over_capacity_warning(number=row.case.number, acute=False, name=name, load=load, capacity=capacity),
                extra_tags=tag,
            )
        return ""

    return _run(
        request,
        unit,
        lambda: services.proposal_adjust(
            organisation=request.organisation,
            actor=request.get_staff(),
            row=row,
            main=form.cleaned_data["main"],
            co=form.cleaned_data["co"],
        ),
        saved,
        row=row,
    )


@require_POST
@staff_required(*MANAGER_ROLES)
def proposal_confirm(request, pk: int):
    unit = _unit_for_manager(request, pk)
    meeting = _board_meeting(request, unit)
    return _run(
        request,
        unit,
        lambda: services.proposal_confirm(
            organisation=request.organisation, actor=request.get_staff(), meeting=meeting
        ),
        lambda counts: (
            _("The allocation is confirmed: %(a)s allocated, %(c)s carried over, %(f)s acute not placed.")
            % {"a": counts["assigned"], "c": counts["carried_over"], "f": counts["flagged"]}
        ),
    )


@require_POST
@staff_required(*MANAGER_ROLES)
def wrap_up_save(request, pk: int):
    unit = _unit_for_manager(request, pk)
    meeting = _meeting(request, unit)
    form = WrapUpForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, unit)
    return _run(
        request,
        unit,
        lambda: services.wrap_up_save(
            organisation=request.organisation,
            actor=request.get_staff(),
            meeting=meeting,
            notes=form.cleaned_data["notes"],
        ),
        _("The wrap-up notes are saved."),
    )
