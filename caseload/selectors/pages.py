"""Reads behind the caseload pages and the REST API. Each runs a constant number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, FilteredRelation, OuterRef, Q, QuerySet, Subquery, Value, Window
from django.db.models.functions import Concat

from staff.models import CASE_WORKER_ROLES, Absence, Organisation, StaffMember, Unit
from staff.platform.tenancy import get_for_org
from staff.selectors import SpanOfControl, span_of_control

from .. import deadlines
from ..models import Assignment, Case, CaseEvent, CaseloadSettings, Investigation
from ..panels import panels
from .counts import unit_closed_investigations
from .load import (
    Coverage,
    WorkerLoad,
    co_handler_coverage,
    month_bounds,
    organisation_co_handler_coverage,
    worker_loads,
)


def case_get(*, organisation: Organisation, pk) -> Case:
    return get_for_org(Case.objects.select_related("unit", "unit__department"), organisation=organisation, pk=pk)


def running_investigation(*, case: Case) -> Investigation | None:
    return Investigation.objects.filter(organisation_id=case.organisation_id, case=case, closed_on__isnull=True).first()


def find_case(*, organisation: Organisation, number: str) -> Case | None:
    return Case.objects.filter(organisation=organisation, number__iexact=(number or "").strip()).first()


def unit_case_workers(*, organisation: Organisation, unit: Unit, on: datetime.date) -> QuerySet[StaffMember]:
    """Active social workers and specialists of a unit (the people who may hold its cases)."""
    return (
        StaffMember.objects.filter(
            organisation=organisation,
            unit=unit,
            employment_start__lte=on,
            roles__unit=unit,
            roles__role__in=CASE_WORKER_ROLES,
        )
        .filter(Q(employment_end__isnull=True) | Q(employment_end__gte=on))
        .distinct()
        .order_by("last_name", "first_name")
    )


@dataclass
class CaseRow:
    case: Case
    role: str
    partner: str | None
    deadline: deadlines.DeadlineStatus | None

    @property
    def sort_key(self):
        if self.deadline is None:
            return (1, 0, 0, self.case.number)
        return (0, -self.deadline.level, self.deadline.days_to_legal, self.case.number)

    def as_dict(self) -> dict:
        return {
            "case_id": self.case.pk,
            "number": self.case.number,
            "kind": self.case.kind,
            "weight": self.case.weight,
            "acute": self.case.acute,
            "role": self.role,
            "investigation": self.deadline.as_dict() if self.deadline else None,
        }


@dataclass
class MyCaseload:
    rows: list[CaseRow]
    load: WorkerLoad
    closed_target: int
    absences: list[Absence]
    settings: CaseloadSettings


def _in_field_order(model, names: set[str]) -> tuple[str, ...]:
    """`names` in the model's column order, as Model.from_db takes the values of some of the fields."""
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in names)


SHOWN_CASE = _in_field_order(Case, {"id", "organisation_id", "number", "kind", "weight", "acute", "status", "unit_id"})
SHOWN_INVESTIGATION = _in_field_order(
    Investigation,
    {
        "id",
        "organisation_id",
        "case_id",
        "start_date",
        "target_date",
        "legal_deadline",
        "extended_until",
        "closed_on",
        "chained",
    },
)


def my_caseload(*, organisation: Organisation, staff: StaffMember, today: datetime.date) -> MyCaseload:
    """A worker's open cases as main and co-handler, most urgent first, with load and upcoming absences.

    Six queries whatever the caseload: settings, the current assignments of the worker's cases (theirs and
    their partners', each with its case's running investigation, in one), level, absences (this month's and
    upcoming in one), investigations closed this month. The load is counted from the assignments already
    fetched. The rows are only shown: they are read as values, and the shown case and investigation are built
    with the shown fields only (any other field would cost a query, which the query-count tests catch).
    """
    settings = CaseloadSettings.for_org(organisation)
    my_case_ids = Assignment.objects.filter(organisation=organisation, staff=staff, end__isnull=True).values("case_id")
    running = FilteredRelation("case__investigations", condition=Q(case__investigations__closed_on__isnull=True))
    current = (
        Assignment.objects.filter(organisation=organisation, case_id__in=my_case_ids, end__isnull=True)
        .exclude(case__status=Case.Status.CLOSED)
        .annotate(running=running, staff_name=Concat("staff__first_name", Value(" "), "staff__last_name"))
        .values_list(
            "staff_id",
            "role",
            "staff_name",
            *(f"case__{name}" if name != "id" else "case_id" for name in SHOWN_CASE),
            *(f"running__{name}" for name in SHOWN_INVESTIGATION),
        )
    )
    mine, partners = [], {}
    for staff_id, role, name, *values in current:
        case_values, investigation_values = values[: len(SHOWN_CASE)], values[len(SHOWN_CASE) :]
        if staff_id != staff.pk:
            partners[case_values[0]] = name
            continue
        case = Case.from_db(current.db, SHOWN_CASE, case_values)
        investigation = None
        if investigation_values[0] is not None:
            investigation = Investigation.from_db(current.db, SHOWN_INVESTIGATION, investigation_values)
        mine.append((case, role, investigation))
    rows = [
        CaseRow(
            case=case,
            role=role,
            partner=partners.get(case.pk),
            deadline=deadlines.status_on(investigation, today, settings) if investigation else None,
        )
        for case, role, investigation in mine
    ]
    rows.sort(key=lambda r: r.sort_key)
    month_start, _month_end = month_bounds(today)
    absences = list(
        Absence.objects.filter(organisation=organisation, staff=staff, end__gte=min(month_start, today)).order_by(
            "start", "pk"
        )
    )
    held = [(staff.pk, role, case.weight) for case, role, _inv in mine if case.status == Case.Status.OPEN]
    load = worker_loads(
        organisation=organisation, staff=[staff], today=today, settings=settings, absences=absences, held=held
    )[0]
    upcoming = [a for a in absences if a.end >= today][:10]
    return MyCaseload(rows, load, settings.closed_per_month_target, upcoming, settings)


@dataclass
class UnitDashboard:
    unit: Unit
    loads: list[WorkerLoad]
    at_risk: list[deadlines.DeadlineStatus]
    at_risk_total: int
    coverage: Coverage
    org_coverage: Coverage
    span: SpanOfControl
    closed_target: int
    awaiting: int
    extra_panels: list[dict] = field(default_factory=list)
    closed_past_deadline: int = 0  # this month, after the date in force without an extension (with a reason)

    def shown(self) -> list:
        """What the dashboard and its API show by number: the at-risk cases, the panels' items and the cases
        their numbers name (access log)."""
        panels = [o for p in self.extra_panels for key in ("items", "cases") for o in p.get(key, ())]
        return [d.investigation.case for d in self.at_risk] + panels

    def chart_data(self) -> dict:
        return {
            "labels": [w.staff.full_name for w in self.loads],
            "load": [float(w.load) for w in self.loads],
            "capacity": [float(w.capacity) for w in self.loads],
        }


AT_RISK_SHOWN = 50


def _main_handler_name():
    current_main = Assignment.objects.filter(case_id=OuterRef("case_id"), role=Assignment.Role.MAIN, end__isnull=True)
    return Subquery(
        current_main.annotate(name=Concat("staff__first_name", Value(" "), "staff__last_name")).values("name")[:1]
    )


def at_risk_investigations(
    *, organisation: Organisation, unit: Unit, today: datetime.date, settings: CaseloadSettings
) -> QuerySet[Investigation]:
    """Running investigations of the unit past the first warning day (a filter on stored dates)."""
    warned_from = today - datetime.timedelta(days=settings.first_warning_day)
    return (
        Investigation.objects.filter(
            organisation=organisation, unit=unit, closed_on__isnull=True, start_date__lte=warned_from
        )
        .select_related("case")
        .annotate(main_handler=_main_handler_name())
        .order_by("start_date", "pk")
    )


def overdue_investigations(*, organisation: Organisation, today: datetime.date) -> QuerySet[Investigation]:
    """Past the legal deadline (or its extension): the "overdue" filter."""
    return Investigation.objects.filter(organisation=organisation, closed_on__isnull=True).filter(
        Q(extended_until__isnull=True, legal_deadline__lt=today) | Q(extended_until__lt=today)
    )


def unit_loads(
    *, organisation: Organisation, unit: Unit, today: datetime.date, settings: CaseloadSettings | None = None
) -> list[WorkerLoad]:
    """The one measure of load of each case worker of the unit this month (the dashboard, its CSV and API, and
    the unit page), in a constant number of queries."""
    settings = settings or CaseloadSettings.for_org(organisation)
    workers = list(unit_case_workers(organisation=organisation, unit=unit, on=today))
    return worker_loads(organisation=organisation, staff=workers, today=today, settings=settings)


def unit_dashboard(*, organisation: Organisation, unit: Unit, today: datetime.date) -> UnitDashboard:
    settings = CaseloadSettings.for_org(organisation)
    loads = unit_loads(organisation=organisation, unit=unit, today=today, settings=settings)
    risky_qs = at_risk_investigations(organisation=organisation, unit=unit, today=today, settings=settings)
    # The total rides along as a window count: one query at every size (no extra COUNT when the list is cut).
    shown = list(risky_qs.annotate(total=Window(Count("pk")))[:AT_RISK_SHOWN])
    risky = [deadlines.status_on(inv, today, settings) for inv in shown]
    risky.sort(key=lambda d: (-d.level, d.days_to_legal))
    total = shown[0].total if shown else 0
    awaiting = Case.objects.filter(organisation=organisation, unit=unit, status=Case.Status.AWAITING_ALLOCATION).count()
    return UnitDashboard(
        unit=unit,
        loads=loads,
        at_risk=risky,
        at_risk_total=total,
        coverage=co_handler_coverage(organisation=organisation, settings=settings, unit_id=unit.pk),
        org_coverage=organisation_co_handler_coverage(organisation=organisation, settings=settings),
        span=span_of_control(unit=unit, on=today),
        closed_target=settings.closed_per_month_target,
        awaiting=awaiting,
        extra_panels=[panel(organisation=organisation, unit=unit, today=today) for panel in panels()],
        closed_past_deadline=unit_closed_investigations(
            organisation=organisation, start=month_bounds(today)[0], end=today, unit_ids=[unit.pk]
        )
        .get(unit.pk, {})
        .get("past_deadline", 0),
    )


@dataclass
class CaseDetail:
    case: Case
    investigations: list[Investigation]
    running: deadlines.DeadlineStatus | None
    current: dict[str, Assignment]
    history: list[Assignment]
    events: list[CaseEvent]


def case_detail(*, case: Case, today: datetime.date) -> CaseDetail:
    settings = CaseloadSettings.for_org(case.organisation)
    investigations = list(case.investigations.prefetch_related("extensions__decided_by"))
    running = next((i for i in investigations if i.closed_on is None), None)
    history = list(case.assignments.select_related("staff", "assigned_by").order_by("-start", "-pk"))
    return CaseDetail(
        case=case,
        investigations=investigations,
        running=deadlines.status_on(running, today, settings) if running else None,
        current={a.role: a for a in history if a.end is None},
        history=history,
        events=list(case.events.select_related("actor")),
    )
