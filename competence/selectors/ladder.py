"""Reads of the ladder: levels, settings, placements, eligibility and specialist posts."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from staff.dates import months_in, years_reached
from staff.models import Organisation, StaffMember

from ..dates import add_months
from ..models import Appointment, IntroductionItem, LadderLevel, LadderSettings, LevelPlacement


def ladder_settings(*, organisation: Organisation) -> LadderSettings:
    """The organisation's ladder rules, created with docs/domain.md's defaults on first use."""
    from staff.platform.history.reasons import settings_row

    return settings_row(LadderSettings, organisation)


def levels_on(
    *, organisation: Organisation, on: datetime.date, staff_ids: Iterable[int] | None = None
) -> dict[int, LadderLevel]:
    """Each person's level on a date, in one query: {staff_id: LadderLevel}."""
    qs = (
        LevelPlacement.objects.filter(organisation=organisation, start__lte=on)
        .filter(Q(end__isnull=True) | Q(end__gte=on))
        .select_related("level")
    )
    if staff_ids is not None:
        qs = qs.filter(staff_id__in=list(staff_ids))
    return {p.staff_id: p.level for p in qs}


def ladder_levels(*, organisation: Organisation) -> list[LadderLevel]:
    return list(LadderLevel.objects.filter(organisation=organisation).order_by("number"))


def current_placement(*, staff: StaffMember) -> LevelPlacement | None:
    return (
        LevelPlacement.objects.filter(organisation_id=staff.organisation_id, staff=staff, end__isnull=True)
        .select_related("level")
        .first()
    )


def next_level(*, levels: list[LadderLevel], current: LadderLevel | None) -> LadderLevel | None:
    """The step after `current` (the lowest level for a person not yet on the ladder)."""
    for level in levels:
        if current is None or level.number > current.number:
            return level
    return None


@dataclass(frozen=True)
class IntroductionStatus:
    total: int = 0
    open: int = 0
    last_open_due: datetime.date | None = None

    @property
    def completed(self) -> bool:
        return self.total > 0 and self.open == 0


def introduction_statuses(*, organisation: Organisation, staff_ids: Iterable[int]) -> dict[int, IntroductionStatus]:
    rows = (
        IntroductionItem.objects.filter(organisation=organisation, staff_id__in=list(staff_ids))
        .values("staff_id")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(done_on__isnull=True)),
            last_open_due=Max("due", filter=Q(done_on__isnull=True)),
        )
    )
    return {r["staff_id"]: IntroductionStatus(r["total"], r["open"], r["last_open_due"]) for r in rows}


def introduction_completed(staff: StaffMember) -> bool:
    """True when the person has an introduction plan and every item of it is done."""
    status = introduction_statuses(organisation=staff.organisation, staff_ids=[staff.pk]).get(staff.pk)
    return bool(status and status.completed)


def appointments_active_on(*, organisation: Organisation, on: datetime.date) -> int:
    return Appointment.objects.filter(organisation=organisation, start__lte=on, end__gte=on).count()


def posts_free_from(*, organisation: Organisation, on: datetime.date, posts: int) -> datetime.date | None:
    """The first day from `on` when fewer than `posts` appointments run (None: never, all open-ended)."""
    ends = sorted(
        Appointment.objects.filter(organisation=organisation, start__lte=on, end__gte=on).values_list("end", flat=True)
    )
    if len(ends) < posts:
        return on
    if posts == 0:
        return None
    return ends[len(ends) - posts] + datetime.timedelta(days=1)


@dataclass
class Eligibility:
    staff: StaffMember
    current: LadderLevel | None
    next: LadderLevel | None
    unmet: list[str] = field(default_factory=list)
    soon: bool = False

    @property
    def eligible(self) -> bool:
        return self.next is not None and not self.unmet


def eligibility_for(
    *, organisation: Organisation, staff: Iterable[StaffMember], on: datetime.date
) -> dict[int, Eligibility]:
    """Why each person is or is not eligible for the next level on `on`, and whether within the window.

    A constant number of queries whatever the number of people.
    """
    people = list(staff)
    settings = ladder_settings(organisation=organisation)
    levels = ladder_levels(organisation=organisation)
    current = levels_on(organisation=organisation, on=on, staff_ids=[p.pk for p in people])
    intro = introduction_statuses(organisation=organisation, staff_ids=[p.pk for p in people])
    soon_date = add_months(on, settings.eligible_soon_months)
    free_from: datetime.date | None = None
    posts_checked = False
    result: dict[int, Eligibility] = {}
    for person in people:
        level = current.get(person.pk)
        target = next_level(levels=levels, current=level) if level else None
        item = Eligibility(staff=person, current=level, next=target)
        result[person.pk] = item
        if target is None:
            continue
        soon = True
        start = person.profession_start
        if not (start and years_reached(start, on, years=target.min_years)):
            if start:
                item.unmet.append(
                    _(
                        "At least %(min)s years of experience are needed; %(years)s full years so far, "
                        "reached on %(date)s."
                    )
                    % {
                        "min": number_format(target.min_years, 1),
                        "years": person.years_of_experience(on),
                        "date": add_months(start, months_in(target.min_years)).isoformat(),
                    }
                )
            else:
                item.unmet.append(
                    _("At least %(min)s years of experience are needed; %(years)s so far.")
                    % {"min": number_format(target.min_years, 1), "years": 0}
                )
            soon = soon and bool(start) and years_reached(start, soon_date, years=target.min_years)
        if target.requires_introduction:
            status = intro.get(person.pk, IntroductionStatus())
            if not status.completed:
                item.unmet.append(
                    _("The introduction is not completed (%(open)s of %(total)s items open).")
                    % {"open": status.open, "total": status.total}
                    if status.total
                    else _("The person has no introduction plan.")
                )
                soon = soon and status.total > 0 and status.last_open_due <= soon_date
        if target.is_specialist:
            if not posts_checked:
                free_from = posts_free_from(organisation=organisation, on=on, posts=settings.specialist_posts)
                posts_checked = True
            if free_from != on:
                item.unmet.append(_("All %(posts)s specialist posts are taken.") % {"posts": settings.specialist_posts})
                soon = soon and free_from is not None and free_from <= soon_date
        item.soon = bool(item.unmet) and soon
    return result


def eligibility(*, staff: StaffMember, on: datetime.date) -> Eligibility:
    return eligibility_for(organisation=staff.organisation, staff=[staff], on=on)[staff.pk]
