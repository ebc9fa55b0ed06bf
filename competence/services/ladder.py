"""Writes of the organisation's ladder settings: rules, levels, supplement amounts, templates, catalogue."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.models import Organisation, StaffMember
from staff.platform.identity_numbers import refuse_identity_numbers
from staff.platform.tenancy import check_same_org

from ..models import (
    PRICING_BEGINNING,
    PRICING_FIELDS,
    SETTINGS_FIELDS,
    IntroductionPhase,
    IntroductionTemplateItem,
    LadderLevel,
    LadderSettings,
    PricingPeriod,
    ResponsibleRole,
    SupplementRate,
    Training,
)
from ..selectors import ladder_settings
from .base import save_validated


@transaction.atomic
def ladder_settings_update(
    *,
    organisation: Organisation,
    valid_from: datetime.date | None = None,
    by: StaffMember | None = None,
    today: datetime.date | None = None,
    **fields: Any,
) -> LadderSettings:
    """Save the ladder rules. A changed term that prices a month (pro rata by FTE, months of level-1
    supplement) holds from `valid_from` (default today) on: months before it keep the terms they had."""
    check_same_org(organisation, by)
    settings = ladder_settings(organisation=organisation)
    for name in SETTINGS_FIELDS:
        if name in fields and name not in PRICING_FIELDS:
            setattr(settings, name, fields[name])
    changed = {n: fields[n] for n in PRICING_FIELDS if n in fields and fields[n] != getattr(settings, n)}
    if changed:
        today = today or timezone.localdate()
        for name, value in _pricing_terms_set(
            organisation=organisation, settings=settings, valid_from=valid_from or today, by=by, today=today, **changed
        ).items():
            setattr(settings, name, value)
    return save_validated(settings)


def _pricing_terms_set(
    *,
    organisation: Organisation,
    settings: LadderSettings,
    valid_from: datetime.date,
    today: datetime.date,
    by: StaffMember | None = None,
    **changed: Any,
) -> dict[str, Any]:
    """The changed terms hold from `valid_from` on, in later periods too; returns the terms valid today.

    The terms held so far are kept as the period "from the start" when the organisation has none yet.
    """
    if valid_from > today:
        raise ValidationError({"valid_from": _("The terms can change from today or an earlier date, not later.")})
    periods = list(PricingPeriod.objects.select_for_update().filter(organisation=organisation).order_by("valid_from"))
    if not periods:
        periods = [
            save_validated(
                PricingPeriod(
                    organisation=organisation,
                    valid_from=PRICING_BEGINNING,
                    **{n: getattr(settings, n) for n in PRICING_FIELDS},
                )
            )
        ]
    in_force = next((p for p in reversed(periods) if p.valid_from <= valid_from), periods[0])
    if in_force.valid_from != valid_from:
        values = {n: getattr(in_force, n) for n in PRICING_FIELDS}
        periods.append(PricingPeriod(organisation=organisation, valid_from=valid_from, created_by=by, **values))
    for period in periods:
        if period.valid_from >= valid_from:
            for name, value in changed.items():
                setattr(period, name, value)
            save_validated(period)
    current = [p for p in periods if p.valid_from <= today]
    latest = max(current or periods, key=lambda p: p.valid_from)
    return {n: getattr(latest, n) for n in PRICING_FIELDS}


@transaction.atomic
def ladder_level_save(
    *,
    organisation: Organisation,
    level: LadderLevel | None = None,
    number: int,
    name: str,
    is_specialist: bool = False,
    min_years: Decimal = Decimal("0"),
    requires_introduction: bool = False,
    expectations: str = "",
) -> LadderLevel:
    """Create a level, or change one; a level's number must stay unique in the organisation."""
    check_same_org(organisation, level)
    refuse_identity_numbers(expectations=expectations)
    level = level or LadderLevel(organisation=organisation)
    clash = LadderLevel.objects.filter(organisation=organisation, number=number).exclude(pk=level.pk)
    if clash.exists():
        raise ValidationError({"number": _("The ladder already has a level %(n)s.") % {"n": number}})
    level.number, level.name, level.is_specialist = number, name, is_specialist
    level.min_years, level.requires_introduction, level.expectations = min_years, requires_introduction, expectations
    return save_validated(level)


@transaction.atomic
def supplement_rate_add(
    *,
    organisation: Organisation,
    level: LadderLevel,
    amount: Decimal,
    valid_from: datetime.date,
    by: StaffMember | None = None,
    today: datetime.date | None = None,
) -> SupplementRate:
    """A new amount from a date on. Past months keep their amounts: it cannot start before this month."""
    check_same_org(organisation, level, by)
    today = today or timezone.localdate()
    if valid_from < today.replace(day=1):
        raise ValidationError(
            {"valid_from": _("A new amount cannot start in a past month: the reports already paid would change.")}
        )
    if SupplementRate.objects.filter(organisation=organisation, level=level, valid_from=valid_from).exists():
        raise ValidationError({"valid_from": _("The level already has an amount from this date.")})
    return save_validated(
        SupplementRate(organisation=organisation, level=level, amount=amount, valid_from=valid_from, created_by=by)
    )


@transaction.atomic
def intro_template_item_add(
    *,
    organisation: Organisation,
    title: str,
    phase: str,
    responsible_role: str,
    due_offset_days: int,
    responsible_person: StaffMember | None = None,
) -> IntroductionTemplateItem:
    check_same_org(organisation, responsible_person)
    if IntroductionTemplateItem.objects.filter(organisation=organisation, title=title, phase=phase).exists():
        raise ValidationError({"title": _("The template already has this item in this phase.")})
    return save_validated(
        IntroductionTemplateItem(
            organisation=organisation,
            title=title,
            phase=phase,
            responsible_role=responsible_role,
            responsible_person=responsible_person,
            due_offset_days=due_offset_days,
        )
    )


@transaction.atomic
def training_create(*, organisation: Organisation, name: str, description: str = "") -> Training:
    refuse_identity_numbers(description=description)
    if Training.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise ValidationError({"name": _("The catalogue already has this training.")})
    return save_validated(Training(organisation=organisation, name=name, description=description))


UMEA_LADDER = [
    (
        1,
        "Nyanställd",
        False,
        0,
        False,
        1000,
        "Introduktionsprogram, dagligt stöd av specialistsocionom, extern handledning; "
        "inga komplexa ärenden som huvudhandläggare.",
    ),
    (2, "Efter introduktion", False, 0, True, 2000, "Mer självständig; ettårigt mentor–adeptprogram."),
    (
        3,
        "Erfaren",
        False,
        5,
        False,
        3500,
        "Stödjer kollegor, handleder studenter, handlägger alla ärendetyper inklusive komplexa.",
    ),
    (
        4,
        "Specialistsocionom",
        True,
        7,
        False,
        5000,
        "Introduktionsansvar, ärendehandledning, BBIC-utbildning, stöd i domstol; "
        "inga egna ärenden (kan vara medhandläggare).",
    ),
]
KIRUNA_TEMPLATE = [
    ("Välkomstsamtal med enhetschef", IntroductionPhase.ORIENTATION, ResponsibleRole.MANAGER, 3),
    ("Genomgång av rutiner och dokumentation", IntroductionPhase.ORIENTATION, ResponsibleRole.SPECIALIST, 14),
    ("Auskultation hos erfaren kollega", IntroductionPhase.ORIENTATION, ResponsibleRole.SPECIALIST, 28),
    ("Första egna utredning med stöd", IntroductionPhase.SUPPORTED, ResponsibleRole.SPECIALIST, 56),
    ("BBIC grundutbildning", IntroductionPhase.SUPPORTED, ResponsibleRole.MANAGER, 90),
    ("Uppföljningssamtal efter 18 veckor", IntroductionPhase.SUPPORTED, ResponsibleRole.MANAGER, 126),
    ("Fördjupning: LVU och domstolsprocess", IntroductionPhase.DEEPENING, ResponsibleRole.SPECIALIST, 240),
    ("Utvärdering av introduktionen", IntroductionPhase.DEEPENING, ResponsibleRole.MANAGER, 365),
]
CATALOGUE = ["BBIC", "Signs of Safety", "Motiverande samtal (MI)", "Dokumentation", "LVU", "Barnsamtal"]


@transaction.atomic
def ladder_setup_default(*, organisation: Organisation, rates_from: datetime.date | None = None) -> None:
    """Umeå's four levels, their amounts, Kiruna's introduction template and a training catalogue.

    Only what is missing is created, so it is safe to run again.
    """
    rates_from = rates_from or datetime.date(2015, 1, 1)
    settings = ladder_settings(organisation=organisation)
    if not PricingPeriod.objects.filter(organisation=organisation).exists():
        PricingPeriod.objects.create(
            organisation=organisation, valid_from=PRICING_BEGINNING, **{n: getattr(settings, n) for n in PRICING_FIELDS}
        )
    if not LadderLevel.objects.filter(organisation=organisation).exists():
        for number, name, specialist, years, intro, amount, expectations in UMEA_LADDER:
            level = LadderLevel.objects.create(
                organisation=organisation,
                number=number,
                name=name,
                is_specialist=specialist,
                min_years=Decimal(years),
                requires_introduction=intro,
                expectations=expectations,
            )
            SupplementRate.objects.create(
                organisation=organisation, level=level, amount=Decimal(amount), valid_from=rates_from
            )
    if not IntroductionTemplateItem.objects.filter(organisation=organisation).exists():
        for title, phase, role, offset in KIRUNA_TEMPLATE:
            IntroductionTemplateItem.objects.create(
                organisation=organisation, title=title, phase=phase, responsible_role=role, due_offset_days=offset
            )
    for name in CATALOGUE:
        Training.objects.get_or_create(organisation=organisation, name=name)
