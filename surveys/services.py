"""Writes of the survey app: schedule, open, invite, remind, close, answer, action plans, baseline, exits.

Every function is keyword-only, takes the organisation and checks that related objects belong to it.
Steps run by the periodic task take `now` so that tests (and a demo) can move time.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from staff.models import CASE_WORKER_ROLES, MANAGER_ROLES, Organisation, RoleAssignment, StaffMember, Unit
from staff.platform.bulk import claim, insert_new
from staff.platform.identity_numbers import refuse_identity_numbers
from staff.platform.tenancy import check_same_org
from staff.services import Message, notify, notify_many

from .models import (
    EXIT_QUESTIONS,
    ActionPlan,
    Answer,
    Baseline,
    ExitInterview,
    Invitation,
    RhythmStep,
    SurveyRound,
    SurveySettings,
    UnitSnapshot,
)
from .tertials import STOCKHOLM, Tertial, default_window


def survey_settings_get(*, organisation: Organisation) -> SurveySettings:
    from staff.platform.history.reasons import settings_row

    return settings_row(SurveySettings, organisation)


@transaction.atomic
def survey_settings_update(
    *, organisation: Organisation, changed_by: StaffMember | None = None, **fields
) -> SurveySettings:
    """Save the survey rules. The threshold (`min_respondents`) only an organisation admin may change, never
    below the floor; the change history (simple-history) records who changed what. Rounds already closed
    keep the threshold stored on them."""
    settings = survey_settings_get(organisation=organisation)
    if "min_respondents" in fields and fields["min_respondents"] != settings.min_respondents:
        from staff.access import Access

        if changed_by is not None:
            check_same_org(organisation, changed_by)
        if changed_by is None or not Access.load(changed_by).is_org_admin:
            raise ValidationError(
                {"min_respondents": _("Only the organisation admin may change the fewest respondents shown.")}
            )
        settings._history_user = changed_by.user  # recorded as theirs, in a request or not
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.full_clean()
    settings.save()
    return settings


def round_ensure(*, organisation: Organisation, tertial: Tertial) -> SurveyRound:
    """The round of a tertial, created with the organisation's default window when missing."""
    existing = SurveyRound.objects.filter(organisation=organisation, year=tertial.year, tertial=tertial.number).first()
    if existing:
        return existing
    settings = survey_settings_get(organisation=organisation)
    opens_at, closes_at = default_window(tertial, open_hour=settings.open_hour, open_days=settings.open_days)
    try:
        with transaction.atomic():
            return round_schedule(
                organisation=organisation,
                tertial=tertial,
                opens_at=opens_at,
                closes_at=closes_at,
            )
    except IntegrityError:  # a second worker created it a moment ago
        return SurveyRound.objects.get(organisation=organisation, year=tertial.year, tertial=tertial.number)


@transaction.atomic
def round_schedule(
    *,
    organisation: Organisation,
    tertial: Tertial,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
    first_reminder_at: datetime.datetime | None = None,
    final_reminder_at: datetime.datetime | None = None,
) -> SurveyRound:
    """Create or reschedule a tertial's round; reminders default to the organisation's settings."""
    settings = survey_settings_get(organisation=organisation)
    survey_round = SurveyRound.objects.filter(
        organisation=organisation, year=tertial.year, tertial=tertial.number
    ).first() or SurveyRound(organisation=organisation, year=tertial.year, tertial=tertial.number)
    if survey_round.status == SurveyRound.Status.CLOSED:
        raise ValidationError(_("The round is closed and cannot be rescheduled."))
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The round must close after it opens.")})
    survey_round.opens_at, survey_round.closes_at = opens_at, closes_at
    survey_round.first_reminder_at = first_reminder_at or min(
        opens_at + datetime.timedelta(hours=settings.first_reminder_hours), closes_at
    )
    survey_round.final_reminder_at = final_reminder_at or max(
        closes_at - datetime.timedelta(hours=settings.final_reminder_hours), opens_at
    )
    survey_round.full_clean()
    survey_round.save()
    return survey_round


def _case_workers(*, organisation: Organisation, on: datetime.date, staff_ids: Sequence[int] | None = None):
    """Active social workers and specialists with the unit their role is in (one row per person and unit)."""
    rows = (
        RoleAssignment.objects.filter(
            organisation=organisation,
            role__in=sorted(CASE_WORKER_ROLES),
            staff__employment_start__lte=on,
        )
        .filter(Q(staff__employment_end__isnull=True) | Q(staff__employment_end__gte=on))
        .values_list("staff_id", "unit_id")
        .order_by("staff_id", "unit_id")
    )
    if staff_ids is not None:
        rows = rows.filter(staff_id__in=list(staff_ids))
    seen: dict[int, int] = {}
    for staff_id, unit_id in rows:
        seen.setdefault(staff_id, unit_id)
    return seen


def _local(now: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(now, STOCKHOLM)


def _message(text, **kwargs) -> str:
    """A lazily translated text rendered in Swedish (messages are e-mailed in Swedish)."""
    with translation.override("sv"):
        return str(text) % kwargs if kwargs else str(text)


def round_open_due(*, organisation: Organisation, now: datetime.datetime) -> list[SurveyRound]:
    """Open every scheduled round whose time has come; a guarded update so only one worker opens it."""
    opened = []
    for survey_round in SurveyRound.objects.filter(
        organisation=organisation, status=SurveyRound.Status.SCHEDULED, opens_at__lte=now, closes_at__gt=now
    ):
        claimed = SurveyRound.objects.filter(pk=survey_round.pk, status=SurveyRound.Status.SCHEDULED).update(
            status=SurveyRound.Status.OPEN, opened_at=now
        )
        if claimed:
            opened.append(survey_round)
    return opened


def round_invite_due(*, organisation: Organisation, survey_round: SurveyRound, now: datetime.datetime) -> list[int]:
    """Active case workers not yet invited to an open round, by staff id in ascending order (two queries)."""
    check_same_org(organisation, survey_round)
    if survey_round.status != SurveyRound.Status.OPEN:
        return []
    workers = _case_workers(organisation=organisation, on=_local(now).date())
    already = set(
        Invitation.objects.filter(organisation=organisation, round=survey_round).values_list("staff_id", flat=True)
    )
    return [staff_id for staff_id in workers if staff_id not in already]


@transaction.atomic
def round_invite_chunk(
    *, organisation: Organisation, survey_round: SurveyRound, staff_ids: Sequence[int], now: datetime.datetime
) -> int:
    """Invite these people (in the app and by e-mail) in one transaction and a constant number of queries.

    Only those still active case workers of the organisation on the day are invited. The unique invitation
    is the arbiter: a person another chunk, tick or killed worker already invited is skipped, gets no second
    notification and no second e-mail. Returns how many this call invited.
    """
    check_same_org(organisation, survey_round)
    # Locked: a round closing meanwhile waits for this chunk, or this chunk sees it closed and invites nobody.
    survey_round = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    if survey_round.status != SurveyRound.Status.OPEN:
        return 0
    workers = _case_workers(organisation=organisation, on=_local(now).date(), staff_ids=staff_ids)
    rows = [
        {
            "organisation_id": organisation.pk,
            "round_id": survey_round.pk,
            "staff_id": staff_id,
            "unit_id": unit_id,
            "invited_at": now,
            "reminder_stage": 0,
        }
        for staff_id, unit_id in sorted(workers.items())
    ]
    invited = insert_new(Invitation, rows, unique=("organisation", "round", "staff"), returning=("staff_id",))
    url = reverse("surveys:answer", args=[survey_round.pk])
    closes = _local(survey_round.closes_at).strftime("%Y-%m-%d %H:%M")
    subject = _message(gettext_lazy("Survey %(round)s is open"), round=survey_round.label)
    body = _message(
        gettext_lazy(
            "Three short statements about your work situation. Answer by %(closes)s; "
            "you may change your answer until then."
        ),
        closes=closes,
    )
    notify_many(
        organisation=organisation,
        messages=[
            Message(staff_id, f"survey:{survey_round.pk}:invite:{staff_id}", subject, body, url) for staff_id in invited
        ],
    )
    return len(invited)


def _chunks(ids: Sequence[int], size: int) -> list[list[int]]:
    size = max(1, int(size))
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


def round_invite(
    *, organisation: Organisation, survey_round: SurveyRound, now: datetime.datetime, chunk_size: int = 500
) -> int:
    """Invite every active case worker not yet invited, chunk by chunk in this process. Safe to run again.

    The periodic task does the same through Celery (surveys.tasks: one task per chunk, any worker)."""
    due = round_invite_due(organisation=organisation, survey_round=survey_round, now=now)
    return sum(
        round_invite_chunk(organisation=organisation, survey_round=survey_round, staff_ids=chunk, now=now)
        for chunk in _chunks(due, chunk_size)
    )


def _reminder_stage(survey_round: SurveyRound, now: datetime.datetime) -> int:
    if survey_round.status != SurveyRound.Status.OPEN:
        return 0
    return 2 if now >= survey_round.final_reminder_at else 1 if now >= survey_round.first_reminder_at else 0


def round_remind_due(*, organisation: Organisation, survey_round: SurveyRound, now: datetime.datetime) -> list[int]:
    """Invitations (ids, ascending) of people who have not answered and are not reminded at today's stage."""
    check_same_org(organisation, survey_round)
    stage = _reminder_stage(survey_round, now)
    if not stage:
        return []
    answered = Answer.objects.filter(organisation=organisation, round=survey_round).values_list("staff_id", flat=True)
    return list(
        Invitation.objects.filter(organisation=organisation, round=survey_round, reminder_stage__lt=stage)
        .exclude(staff_id__in=answered)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# Claimed only while the person has not answered (checked on the row being claimed, not on a stale list).
_NOT_ANSWERED = (
    '"reminder_stage" < %s AND NOT EXISTS (SELECT 1 FROM "surveys_answer" a '
    'WHERE a."round_id" = "surveys_invitation"."round_id" AND a."staff_id" = "surveys_invitation"."staff_id")'
)


@transaction.atomic
def round_remind_chunk(
    *, organisation: Organisation, survey_round: SurveyRound, invitation_ids: Sequence[int], now: datetime.datetime
) -> int:
    """Remind these invitations' people who have not answered, once per reminder stage, in one transaction.

    A guarded update claims each invitation's stage (one caller wins); the notification key holds the day, so
    at most one reminder a person a day. Returns how many reminders this call created.
    """
    check_same_org(organisation, survey_round)
    stage = _reminder_stage(survey_round, now)
    if not stage:
        return 0
    claimed = claim(
        Invitation,
        pks=sorted(invitation_ids),
        organisation_id=organisation.pk,
        values={"reminder_stage": stage},
        guard=_NOT_ANSWERED,
        guard_params=[stage],
        returning=("staff_id",),
    )
    today = _local(now).date().isoformat()
    url = reverse("surveys:answer", args=[survey_round.pk])
    closes = _local(survey_round.closes_at).strftime("%Y-%m-%d %H:%M")
    subject = _message(
        gettext_lazy("Reminder: survey %(round)s closes %(closes)s"), round=survey_round.label, closes=closes
    )
    body = _message(gettext_lazy("You have not answered yet. It takes two minutes."))
    created = notify_many(
        organisation=organisation,
        messages=[
            Message(staff_id, f"survey:{survey_round.pk}:remind:{staff_id}:{today}", subject, body, url)
            for staff_id in claimed
        ],
    )
    return len(created)


def round_remind(
    *, organisation: Organisation, survey_round: SurveyRound, now: datetime.datetime, chunk_size: int = 500
) -> int:
    """Remind everyone due, chunk by chunk in this process (the periodic task queues the chunks instead)."""
    due = round_remind_due(organisation=organisation, survey_round=survey_round, now=now)
    return sum(
        round_remind_chunk(organisation=organisation, survey_round=survey_round, invitation_ids=chunk, now=now)
        for chunk in _chunks(due, chunk_size)
    )


def round_close_due(*, organisation: Organisation, now: datetime.datetime) -> list[SurveyRound]:
    """Close rounds whose time has passed and take the caseload snapshot per unit at close."""
    closed = []
    for survey_round in SurveyRound.objects.filter(
        organisation=organisation,
        status__in=[SurveyRound.Status.SCHEDULED, SurveyRound.Status.OPEN],
        closes_at__lte=now,
    ):
        if round_close(organisation=organisation, survey_round=survey_round, now=now):
            closed.append(survey_round)
    return closed


def round_close(*, organisation: Organisation, survey_round: SurveyRound, now: datetime.datetime) -> bool:
    """Close one round now (guarded: one caller wins), store the threshold in force and take the snapshots."""
    check_same_org(organisation, survey_round)
    with transaction.atomic():
        claimed = (
            SurveyRound.objects.filter(pk=survey_round.pk)
            .exclude(status=SurveyRound.Status.CLOSED)
            .update(
                status=SurveyRound.Status.CLOSED,
                closed_at=now,
                min_respondents=survey_settings_get(organisation=organisation).min_respondents,
            )
        )
        survey_round.refresh_from_db()
        if claimed:
            snapshot_take(organisation=organisation, survey_round=survey_round)
    return bool(claimed)


def snapshot_take(*, organisation: Organisation, survey_round: SurveyRound) -> list[UnitSnapshot]:
    """Employees, open and weighted cases and cases per employee per unit on the close date, as
    caseload.selectors.unit_cases_per_employee defines them (the HR report's figure too), and the unit's
    department then (the round's structure, frozen)."""
    from caseload.selectors import CasesPerEmployee, unit_cases_per_employee

    check_same_org(organisation, survey_round)
    on = _local(survey_round.closes_at).date()
    caseloads = unit_cases_per_employee(organisation=organisation, on=on)
    snapshots = []
    for unit in Unit.objects.filter(organisation=organisation):
        caseload = caseloads.get(unit.pk, CasesPerEmployee())
        snapshot, _created = UnitSnapshot.objects.update_or_create(
            organisation=organisation,
            round=survey_round,
            unit=unit,
            defaults={
                "department_id": unit.department_id,
                "taken_on": on,
                "employees": caseload.case_workers,
                "open_cases": caseload.open_cases,
                "weighted_cases": caseload.weighted_cases,
                "cases_per_employee": caseload.per_employee,
            },
        )
        snapshots.append(snapshot)
    return snapshots


@dataclass(frozen=True)
class FanOut:
    """One chunk of the fan-out the tick decided on: invite these staff, or remind these invitations."""

    kind: str  # "invite" or "remind"
    round_id: int
    ids: list[int]


def round_tick(*, organisation: Organisation, now: datetime.datetime, chunk_size: int = 500) -> dict:
    """One pass of the schedule for one organisation: ensure, close, open; then who is due, in chunks.

    Returns the counts and `fan_out`, the chunks to invite and to remind. The periodic task queues one task
    per chunk (any worker takes it); `round_invite_chunk` / `round_remind_chunk` are idempotent.
    """
    tertial = Tertial.of(_local(now).date())
    round_ensure(organisation=organisation, tertial=tertial)
    result: dict = {"opened": 0, "closed": 0, "invite_due": 0, "remind_due": 0, "fan_out": []}
    result["closed"] = len(round_close_due(organisation=organisation, now=now))
    result["opened"] = len(round_open_due(organisation=organisation, now=now))
    for survey_round in SurveyRound.objects.filter(organisation=organisation, status=SurveyRound.Status.OPEN):
        invite = round_invite_due(organisation=organisation, survey_round=survey_round, now=now)
        remind = round_remind_due(organisation=organisation, survey_round=survey_round, now=now)
        result["invite_due"] += len(invite)
        result["remind_due"] += len(remind)
        result["fan_out"] += [FanOut("invite", survey_round.pk, chunk) for chunk in _chunks(invite, chunk_size)]
        result["fan_out"] += [FanOut("remind", survey_round.pk, chunk) for chunk in _chunks(remind, chunk_size)]
    return result


@transaction.atomic
def answer_submit(
    *,
    organisation: Organisation,
    survey_round: SurveyRound,
    staff: StaffMember,
    scores: dict[str, int],
    motivations: dict[str, str],
    now: datetime.datetime | None = None,
) -> Answer:
    """Save (or change) a person's answer while the round is open. Refused when closed or not invited."""
    check_same_org(organisation, survey_round, staff)
    now = now or timezone.now()
    survey_round = SurveyRound.objects.select_for_update().get(pk=survey_round.pk)
    if survey_round.status != SurveyRound.Status.OPEN or now >= survey_round.closes_at:
        if survey_round.status == SurveyRound.Status.SCHEDULED and now < survey_round.opens_at:
            raise ValidationError(_("The survey has not opened yet."))
        raise ValidationError(_("The survey has closed; answers can no longer be given or changed."))
    invitation = Invitation.objects.filter(organisation=organisation, round=survey_round, staff=staff).first()
    if invitation is None:
        raise ValidationError(_("You are not invited to this survey."))
    answer = Answer.objects.filter(organisation=organisation, round=survey_round, staff=staff).first() or Answer(
        organisation=organisation, round=survey_round, staff=staff, unit_id=invitation.unit_id
    )
    refuse_identity_numbers(**{key: motivations.get(key) for key in ("m1", "m2", "m3")})
    errors = {}
    for q in ("q1", "q2", "q3"):
        value = scores.get(q)
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = None
        if value is None or not 1 <= value <= 5:
            errors[q] = _("Choose a value from 1 to 5.")
        setattr(answer, q, value)
        setattr(answer, "m" + q[1], (motivations.get("m" + q[1]) or "").strip())
    if errors:
        raise ValidationError(errors)
    answer.full_clean()
    answer.save()
    return answer


@transaction.atomic
def action_plan_offer(
    *,
    organisation: Organisation,
    answer: Answer,
    offered_by: StaffMember,
    actions: str,
    follow_up_on: datetime.date,
) -> ActionPlan:
    """Record the individual action plan a manager offers after a 1 or 2; the worker sees it."""
    check_same_org(organisation, answer, offered_by)
    refuse_identity_numbers(actions=actions)
    if not answer.flagged:
        raise ValidationError(_("Action plans are offered after an answer of 1 or 2."))
    if ActionPlan.objects.filter(answer=answer).exists():
        raise ValidationError(_("An action plan has already been offered for this answer."))
    if follow_up_on and follow_up_on < timezone.localdate():
        raise ValidationError({"follow_up_on": _("The follow-up date cannot be in the past.")})
    plan = ActionPlan(
        organisation=organisation,
        answer=answer,
        staff=answer.staff,
        offered_by=offered_by,
        actions=(actions or "").strip(),
        follow_up_on=follow_up_on,
    )
    plan.full_clean()
    plan.save()
    notify(
        organisation=organisation,
        recipient=answer.staff,
        key=f"survey:actionplan:{plan.pk}",
        subject=_message(gettext_lazy("Your manager has offered you an action plan")),
        body=_message(gettext_lazy("Follow-up on %(date)s."), date=follow_up_on.isoformat()),
        url=reverse("surveys:my_survey"),
    )
    return plan


@transaction.atomic
def action_plan_update(
    *,
    organisation: Organisation,
    plan: ActionPlan,
    changed_by: StaffMember,
    actions: str,
    follow_up_on: datetime.date,
    outcome: str = "",
    closed: bool = False,
) -> ActionPlan:
    """Edit a plan and record its follow-up: the outcome, and closed (when and by whom) or reopened.

    A follow-up date that is changed cannot be in the past (an unchanged one may have passed: that is the
    follow-up being recorded). Closing needs the outcome. The row is locked, so two managers saving at once
    cannot both close it, and the first closer stays the closer.
    """
    check_same_org(organisation, plan, changed_by)
    refuse_identity_numbers(actions=actions, outcome=outcome)
    plan = ActionPlan.objects.select_for_update().get(organisation=organisation, pk=plan.pk)
    actions, outcome = (actions or "").strip(), (outcome or "").strip()
    errors = {}
    if follow_up_on != plan.follow_up_on and follow_up_on < timezone.localdate():
        errors["follow_up_on"] = _("The follow-up date cannot be in the past.")
    if closed and not outcome:
        errors["outcome"] = _("Write the outcome of the follow-up to close the plan.")
    if errors:
        raise ValidationError(errors)
    plan.actions, plan.follow_up_on, plan.outcome = actions, follow_up_on, outcome
    if closed and plan.closed_at is None:
        plan.closed_at, plan.closed_by = timezone.now(), changed_by
    elif not closed:
        plan.closed_at, plan.closed_by = None, None
    plan.full_clean()
    plan.save()
    return plan


def action_plan_reminders_send(*, organisation: Organisation, today: datetime.date) -> int:
    """Remind the plan's owner on its follow-up date when the plan is still open; returns how many were new.

    The owner is the manager who offered it while they still manage the answer's unit, else the unit's
    managers now (a plan is read by the managers of its unit only). One notification per plan, follow-up
    date and recipient (its key): a second run, the next day's run, a retry or a second worker sends none
    again; a day the job did not run is caught up the next day, once. A new follow-up date is reminded anew.
    The message names no one (it is e-mailed): the link opens the plan.
    """
    plans = list(
        ActionPlan.objects.filter(organisation=organisation, closed_at__isnull=True, follow_up_on__lte=today)
        .select_related("answer")
        .only("pk", "follow_up_on", "offered_by_id", "answer__unit_id")
    )
    if not plans:
        return 0
    managers: dict[int, set[int]] = {}
    for unit_id, staff_id in RoleAssignment.objects.filter(
        organisation=organisation, role__in=MANAGER_ROLES, unit_id__in={p.answer.unit_id for p in plans}
    ).values_list("unit_id", "staff_id"):
        managers.setdefault(unit_id, set()).add(staff_id)
    messages = []
    for plan in plans:
        unit_managers = managers.get(plan.answer.unit_id, set())
        recipients = {plan.offered_by_id} if plan.offered_by_id in unit_managers else unit_managers
        date = plan.follow_up_on.isoformat()
        for recipient_id in sorted(recipients):
            messages.append(
                Message(
                    recipient_id=recipient_id,
                    key=f"survey:actionplan:{plan.pk}:follow-up:{date}:staff:{recipient_id}",
                    subject=_message(gettext_lazy("An action plan is due for follow-up (%(date)s)"), date=date),
                    body=_message(
                        gettext_lazy("Record the outcome of the follow-up and close the plan when it is done.")
                    ),
                    url=reverse("surveys:action_plan_detail", args=[plan.pk]),
                )
            )
    return len(notify_many(organisation=organisation, messages=messages))


@transaction.atomic
def rhythm_step_record(
    *,
    organisation: Organisation,
    unit: Unit,
    year: int,
    step: int,
    done_on: datetime.date,
    note: str,
    recorded_by: StaffMember,
) -> RhythmStep:
    check_same_org(organisation, unit, recorded_by)
    refuse_identity_numbers(note=note)
    if RhythmStep.objects.filter(organisation=organisation, unit=unit, year=year, step=step).exists():
        raise ValidationError(_("This step is already recorded for the year."))
    record = RhythmStep(
        organisation=organisation, unit=unit, year=year, step=step, done_on=done_on, note=note, recorded_by=recorded_by
    )
    record.full_clean()
    record.save()
    return record


BASELINE_COLUMNS = ("unit", "q1", "q2", "q3")


@transaction.atomic
def baseline_import(*, organisation: Organisation, content: str, year: int = 2014) -> int:
    """Import `unit;q1;q2;q3` (comma or semicolon, decimal comma allowed). All lines or none."""
    units = {u.name.casefold(): u for u in Unit.objects.filter(organisation=organisation)}
    try:
        dialect = csv.Sniffer().sniff(content.splitlines()[0] if content.strip() else "a;b", delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(content), dialect))
    except csv.Error as exc:  # a field over csv's 128 kB limit, a stray NUL byte
        raise ValidationError(
            _("The file cannot be read as CSV (a field is too long or it holds binary data).")
        ) from exc
    errors: list[str] = []
    parsed: list[tuple[Unit, list[Decimal]]] = []
    if not rows:
        raise ValidationError(_("The file is empty."))
    start = 1 if rows[0] and rows[0][0].strip().casefold() in {"unit", "enhet"} else 0
    for number, row in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 4:
            errors.append(_("Line %(line)s: expected 4 columns (unit, q1, q2, q3).") % {"line": number})
            continue
        unit = units.get(row[0].strip().casefold())
        if unit is None:
            errors.append(_("Line %(line)s: unknown unit “%(unit)s”.") % {"line": number, "unit": row[0].strip()})
            continue
        values = []
        for cell in row[1:]:
            try:
                value = Decimal(cell.strip().replace(",", "."))
            except InvalidOperation:
                value = None
            if value is None or not value.is_finite() or not Decimal(1) <= value <= Decimal(5):
                errors.append(
                    _("Line %(line)s: “%(value)s” is not a value from 1 to 5.")
                    % {"line": number, "value": cell.strip()}
                )
                break
            values.append(value.quantize(Decimal("0.01"), ROUND_HALF_UP))
        else:
            parsed.append((unit, values))
    if errors:
        raise ValidationError(errors)
    if not parsed:
        raise ValidationError(_("The file has no lines with values."))
    for unit, (q1, q2, q3) in parsed:
        Baseline.objects.update_or_create(
            organisation=organisation, unit=unit, defaults={"year": year, "q1": q1, "q2": q2, "q3": q3}
        )
    return len(parsed)


@transaction.atomic
def exit_interview_record(
    *,
    organisation: Organisation,
    staff: StaffMember,
    interviewer: StaffMember,
    held_on: datetime.date,
    main_reason: str,
    answers: dict[str, str],
) -> ExitInterview:
    check_same_org(organisation, staff, interviewer)
    if staff.pk == interviewer.pk:
        raise ValidationError({"staff": _("Choose the person who is leaving, not yourself.")})
    if ExitInterview.objects.filter(organisation=organisation, staff=staff).exists():
        raise ValidationError({"staff": _("An exit interview with this person is already recorded.")})
    clean = {str(i): (answers.get(str(i)) or "").strip() for i in range(1, len(EXIT_QUESTIONS) + 1)}
    refuse_identity_numbers(**{f"a{number}": text for number, text in clean.items()})
    interview = ExitInterview(
        organisation=organisation,
        staff=staff,
        unit=staff.unit,
        held_on=held_on,
        main_reason=main_reason,
        answers=clean,
        interviewer=interviewer,
    )
    interview.full_clean()
    interview.save()
    return interview
