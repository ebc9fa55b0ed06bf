"""Demo organisations for `manage.py seed_demo`: Demo kommun (as docs/domain.md describes it) and Grannby kommun.

Other apps extend the demo in their own `demo.py` with `seed(ctx: DemoContext)`; each app's seed is
idempotent on its own, so an old demo database picks up what newer apps add.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from staff.models import Department, Group, GroupMembership, Organisation, Role, RoleAssignment, StaffMember, Unit

DEMO_PASSWORD = "stabil-demo"
User = get_user_model()

FIRST_NAMES = [
    "Anna",
    "Erik",
    "Maria",
    "Johan",
    "Sara",
    "Karl",
    "Emma",
    "Lars",
    "Elin",
    "Anders",
    "Sofia",
    "Per",
    "Hanna",
    "Mikael",
    "Ida",
    "Fredrik",
    "Linnea",
    "Oskar",
    "Maja",
    "Nils",
    "Klara",
    "Jonas",
    "Amira",
    "Ahmed",
    "Leila",
    "Oscar",
    "Frida",
    "Viktor",
    "Ebba",
    "Gustav",
    "Alva",
    "Henrik",
    "Tove",
    "Daniel",
    "Julia",
    "Samir",
    "Moa",
    "Axel",
    "Wilma",
    "Emil",
    "Agnes",
    "Isak",
    "Saga",
    "Hugo",
]
LAST_NAMES = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Lindberg",
    "Lindqvist",
    "Berg",
    "Lundgren",
    "Holm",
    "Ali",
    "Hassan",
    "Nyström",
    "Sandberg",
    "Forsberg",
    "Sundberg",
    "Ek",
    "Björk",
    "Wallin",
    "Engström",
    "Lund",
    "Hedlund",
    "Axelsson",
    "Fransson",
    "Isaksson",
    "Mohammed",
]


@dataclass
class DemoContext:
    """What the staff seed built, for the other apps' demo seeds."""

    organisation: Organisation
    today: datetime.date
    units: dict[str, Unit] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    logins: dict[str, StaffMember] = field(default_factory=dict)
    # Case workers (social workers and specialists) with the ladder level the demo gives them.
    planned_levels: dict[int, int] = field(default_factory=dict)
    managers: list[StaffMember] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(2017))  # noqa: S311


def _years_ago(today: datetime.date, years: float) -> datetime.date:
    return today - datetime.timedelta(days=round(years * 365.25))


def _demo_password_hash() -> str:
    # Hash once: every demo login shares the password, and hashing is slow on purpose.
    global _HASH
    if _HASH is None:
        _HASH = make_password(DEMO_PASSWORD)
    return _HASH


_HASH: str | None = None


def _login(username: str, member: StaffMember) -> None:
    user = User.objects.create(
        username=username,
        password=_demo_password_hash(),
        first_name=member.first_name,
        last_name=member.last_name,
        email=member.email,
    )
    member.user = user
    member.save(update_fields=["user"])


def ensure_login(ctx: DemoContext, username: str, *, unit: Unit, role: str) -> StaffMember | None:
    """Give the first of `unit`'s people in `role` without a login the demo login `username`, once.

    For logins added after a demo database was seeded: the next `seed_demo` adds them, later runs nothing.
    """
    if username in ctx.logins or User.objects.filter(username=username).exists():
        return ctx.logins.get(username)
    member = (
        StaffMember.objects.filter(
            organisation=ctx.organisation,
            unit=unit,
            user__isnull=True,
            employment_end__isnull=True,
            roles__role=role,
            roles__unit=unit,
        )
        .order_by("pk")
        .first()
    )
    if member is not None:
        _login(username, member)
        ctx.logins[username] = member
    return member


class _People:
    def __init__(self, ctx: DemoContext, name_offset: int = 0):
        self.ctx = ctx
        self.n = name_offset

    def add(self, *, unit: Unit | None, title: str, years: float, employed_years: float | None = None, **extra):
        first = FIRST_NAMES[self.n % len(FIRST_NAMES)]
        last = LAST_NAMES[(self.n * 7) % len(LAST_NAMES)]
        self.n += 1
        today = self.ctx.today
        employed = employed_years if employed_years is not None else min(years, self.ctx.rng.uniform(0.3, 9))
        slug = f"{first}.{last}".lower().translate(str.maketrans("åäö", "aao"))
        return StaffMember.objects.create(
            organisation=self.ctx.organisation,
            first_name=first,
            last_name=last,
            email=f"{slug}.{self.n}@{self.ctx.organisation.slug}.example",
            unit=unit,
            title=title,
            employment_start=_years_ago(today, employed),
            profession_start=_years_ago(today, years),
            employee_number=extra.pop("employee_number", f"{self.ctx.organisation.pk}{self.n:04d}"),
            **extra,
        )


def _role(member: StaffMember, role: str, unit: Unit | None = None, department: Department | None = None):
    RoleAssignment.objects.create(
        organisation=member.organisation, staff=member, role=role, unit=unit, department=department
    )


def _years_for_level(rng: random.Random, level: int) -> float:
    return {1: rng.uniform(0.2, 1.4), 2: rng.uniform(1.5, 4.8), 3: rng.uniform(5.2, 12), 4: rng.uniform(8, 20)}[level]


@transaction.atomic
def seed_demo_kommun(today: datetime.date) -> DemoContext:
    org = Organisation.objects.create(name="Demo kommun", slug="demo", kind=Organisation.Kind.MUNICIPALITY)
    ctx = DemoContext(organisation=org, today=today)
    rng = ctx.rng
    dept = Department.objects.create(organisation=org, name="Barn och unga")
    Department.objects.create(organisation=org, name="Vuxna – ekonomiskt bistånd")
    intake = Unit.objects.create(organisation=org, department=dept, name="Mottagningsenheten", kind=Unit.Kind.INTAKE)
    inv = Unit.objects.create(organisation=org, department=dept, name="Utredningsenheten", kind=Unit.Kind.INVESTIGATION)
    placement = Unit.objects.create(
        organisation=org, department=dept, name="Placeringsgruppen", kind=Unit.Kind.PLACEMENT
    )
    ctx.units = {"intake": intake, "investigation": inv, "placement": placement}
    for key, name in (("0-9", "Utredning 0–9 år"), ("10-15", "Utredning 10–15 år"), ("16-20", "Utredning 16–20 år")):
        ctx.groups[key] = Group.objects.create(organisation=org, unit=inv, name=name)
    ctx.groups["mottagning"] = Group.objects.create(organisation=org, unit=intake, name="Mottagning")
    ctx.groups["placering"] = Group.objects.create(organisation=org, unit=placement, name="Placering")

    people = _People(ctx)
    # Managers and organisation roles.
    manager = people.add(unit=inv, title="Enhetschef", years=14, employed_years=6)
    _role(manager, Role.UNIT_MANAGER, unit=inv)
    _login("manager", manager)
    assistant = people.add(unit=inv, title="Biträdande enhetschef", years=11, employed_years=4)
    _role(assistant, Role.ASSISTANT_MANAGER, unit=inv)
    _login("assistant-manager", assistant)
    intake_manager = people.add(unit=intake, title="Enhetschef", years=16, employed_years=8)
    _role(intake_manager, Role.UNIT_MANAGER, unit=intake)
    placement_manager = people.add(unit=placement, title="Enhetschef", years=18, employed_years=10)
    _role(placement_manager, Role.UNIT_MANAGER, unit=placement)
    depthead = people.add(unit=None, title="Avdelningschef", years=22, employed_years=12)
    _role(depthead, Role.DEPARTMENT_HEAD, department=dept)
    _login("depthead", depthead)
    hr = people.add(unit=None, title="HR-specialist", years=9, employed_years=5)
    _role(hr, Role.HR)
    _login("hr", hr)
    admin = people.add(unit=None, title="Systemförvaltare", years=7, employed_years=7)
    _role(admin, Role.ORG_ADMIN)
    _login("admin", admin)
    administrator = people.add(unit=intake, title="Administrativ assistent", years=5, employed_years=5)
    _role(administrator, Role.ADMINISTRATOR, unit=intake)
    _login("administrator", administrator)
    ctx.managers = [manager, assistant, intake_manager, placement_manager]
    ctx.logins.update(
        manager=manager,
        **{"assistant-manager": assistant},
        depthead=depthead,
        hr=hr,
        admin=admin,
        administrator=administrator,
    )

    # 35 case workers on levels 1/2/3 = 9/14/8 plus 4 specialists (seed 000, 2017).
    levels = [1] * 9 + [2] * 14 + [3] * 8
    rng.shuffle(levels)
    placement_levels, intake_levels, inv_levels = levels[:3], levels[3:9], levels[9:]
    inv_groups = [ctx.groups["0-9"], ctx.groups["10-15"], ctx.groups["16-20"]]
    plan = (
        [(placement, ctx.groups["placering"], lvl) for lvl in placement_levels]
        + [(intake, ctx.groups["mottagning"], lvl) for lvl in intake_levels]
        + [(inv, inv_groups[i % 3], lvl) for i, lvl in enumerate(sorted(inv_levels))]
        + [(inv, inv_groups[i % 3], 4) for i in range(4)]
    )
    for index, (unit, group, level) in enumerate(plan):
        years = _years_for_level(rng, level)
        extra = {}
        if unit == inv and index % 9 == 4:
            extra["fte"] = Decimal("0.75")
        if unit == inv and level in (2, 3) and index % 11 == 6:
            extra["employment_type"] = StaffMember.EmploymentType.CONSULTANT
            extra["consultant_monthly_cost"] = Decimal("100000")
        elif index % 13 == 5:
            extra["employment_type"] = StaffMember.EmploymentType.TEMPORARY
        if group == ctx.groups["16-20"]:
            extra["manager"] = assistant  # the rest of the unit's case review is the unit manager's
        title = "Specialistsocionom" if level == 4 else "Socialsekreterare"
        employed = min(years, rng.uniform(0.2, 6)) if level > 1 else years
        member = people.add(unit=unit, title=title, years=years, employed_years=employed, **extra)
        _role(member, Role.SPECIALIST if level == 4 else Role.SOCIAL_WORKER, unit=unit)
        GroupMembership.objects.create(organisation=org, staff=member, group=group, start=member.employment_start)
        ctx.planned_levels[member.pk] = level
        if level == 1 and unit == inv and "worker" not in ctx.logins:
            _login("worker", member)
            ctx.logins["worker"] = member
        if level == 4 and "specialist" not in ctx.logins:
            _login("specialist", member)
            ctx.logins["specialist"] = member
    return ctx


@transaction.atomic
def seed_grannby(today: datetime.date) -> DemoContext:
    org = Organisation.objects.create(name="Grannby kommun", slug="grannby", kind=Organisation.Kind.MUNICIPALITY)
    ctx = DemoContext(organisation=org, today=today, rng=random.Random(1999))  # noqa: S311
    dept = Department.objects.create(organisation=org, name="Individ- och familjeomsorg")
    unit = Unit.objects.create(organisation=org, department=dept, name="Barn och familj", kind=Unit.Kind.INVESTIGATION)
    ctx.units = {"investigation": unit}
    ctx.groups["barn"] = Group.objects.create(organisation=org, unit=unit, name="Barngruppen")
    people = _People(ctx, name_offset=17)
    manager = people.add(unit=unit, title="Enhetschef", years=15, employed_years=5)
    _role(manager, Role.UNIT_MANAGER, unit=unit)
    _login("other-manager", manager)
    ctx.logins["other-manager"] = manager
    ctx.managers = [manager]
    for level in (1, 1, 2, 2, 2, 3, 3):
        member = people.add(unit=unit, title="Socialsekreterare", years=_years_for_level(ctx.rng, level))
        _role(member, Role.SOCIAL_WORKER, unit=unit)
        GroupMembership.objects.create(
            organisation=org, staff=member, group=ctx.groups["barn"], start=member.employment_start
        )
        ctx.planned_levels[member.pk] = level
    return ctx


def load_context(organisation: Organisation, today: datetime.date) -> DemoContext:
    """Rebuild the context of an already seeded organisation (for app seeds added later)."""
    ctx = DemoContext(organisation=organisation, today=today)
    for member in StaffMember.objects.filter(organisation=organisation).select_related("user"):
        if member.user_id:
            ctx.logins[member.user.username] = member
    ctx.units = {
        u.kind if u.kind != Unit.Kind.OTHER else u.name: u for u in Unit.objects.filter(organisation=organisation)
    }
    return ctx


def today() -> datetime.date:
    return timezone.localdate()
