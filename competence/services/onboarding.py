"""A new social worker's start on the ladder, and undoing each of its steps.

Creating a social worker (`staff.services.social_worker_create`) runs `onboarding_start` through the step
registry of `staff.onboarding` (competence registers it in CompetenceConfig.ready()): the person is placed on
the first ladder level from their employment start, gets the introduction plan and reflection sessions from the
organisation's template, and a mentor is asked for. The person page shows each step, and each can be undone;
the `Onboarding` row's history records who undid what.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from staff.models import Organisation, StaffMember
from staff.platform.tenancy import check_same_org
from staff.services import notify

from ..models import IntroductionItem, IntroductionTemplateItem, Onboarding, ReflectionSession
from ..selectors import ladder_levels, ladder_settings, unit_managers
from .introduction import introduction_plan_create, reflection_sessions_plan
from .placements import placement_start


def _ask_for_mentor(*, organisation: Organisation, member: StaffMember) -> int:
    """Tell the unit's managers, once each, that the new social worker needs a mentor."""
    settings = ladder_settings(organisation=organisation)
    asked = 0
    for manager in unit_managers(unit_id=member.unit_id):
        _note, new = notify(
            organisation=organisation,
            recipient=manager,
            key=f"mentor-request:{member.pk}:staff:{manager.pk}",
            subject=_("Choose a mentor for %(name)s") % {"name": member.full_name},
            body=_(
                "%(name)s starts as a new social worker on %(date)s. Every new employee gets a mentor for "
                "%(min)s–%(max)s months."
            )
            % {
                "name": member.full_name,
                "date": member.employment_start.isoformat(),
                "min": settings.mentor_min_months,
                "max": settings.mentor_max_months,
            },
            url=reverse("competence:staff_detail", args=[member.pk]),
        )
        asked += int(new)
    return asked


@transaction.atomic
def onboarding_start(*, organisation: Organisation, member: StaffMember, by: StaffMember | None) -> list[str]:
    """Level 1 from the employment start, the introduction plan from the template, and a mentor request.

    A step the organisation is not set up for (no ladder, no template) is recorded as not possible and said in
    the returned lines; the person is created all the same and can be placed from their page later.
    """
    check_same_org(organisation, member, by)
    start = member.employment_start
    notes: list[str] = []
    levels = ladder_levels(organisation=organisation)
    placement = None
    if levels:
        placement = placement_start(organisation=organisation, staff=member, level=levels[0], start=start, plan=False)
        notes.append(
            _("%(name)s is on level %(level)s from %(date)s.")
            % {"name": member.full_name, "level": levels[0], "date": start.isoformat()}
        )
    else:
        notes.append(_("Not placed on the ladder: the organisation has no ladder levels yet."))
    planned = IntroductionTemplateItem.objects.filter(organisation=organisation).exists()
    if planned:
        items = introduction_plan_create(organisation=organisation, staff=member, start=start)
        sessions = reflection_sessions_plan(organisation=organisation, staff=member, start=start)
        notes.append(
            _("The introduction plan has %(items)s items and %(sessions)s reflection sessions.")
            % {"items": items, "sessions": sessions}
        )
    else:
        notes.append(_("No introduction plan: the organisation has no introduction template yet."))
    Onboarding(
        organisation=organisation,
        staff=member,
        placement=placement,
        placement_step=Onboarding.Step.DONE if placement else Onboarding.Step.SKIPPED,
        plan_step=Onboarding.Step.DONE if planned else Onboarding.Step.SKIPPED,
        mentor_request=Onboarding.MentorRequest.ASKED,
        created_by=by,
    ).save()
    _ask_for_mentor(organisation=organisation, member=member)
    notes.append(_("A mentor is asked for: the unit's managers see it until one is set."))
    return notes


def _locked(organisation: Organisation, onboarding: Onboarding) -> Onboarding:
    check_same_org(organisation, onboarding)
    return Onboarding.objects.select_for_update().get(pk=onboarding.pk)


@transaction.atomic
def onboarding_placement_remove(*, organisation: Organisation, onboarding: Onboarding) -> None:
    """Undo the automatic level-1 placement, while it is the person's only step on the ladder."""
    onboarding = _locked(organisation, onboarding)
    if onboarding.placement_step != Onboarding.Step.DONE:
        raise ValidationError(_("There is no automatic placement to remove."))
    placement = onboarding.placement
    if placement is not None:
        if placement.end is not None:
            raise ValidationError(
                _("The person has moved up the ladder since: the first level is part of their history now.")
            )
        placement.delete()
    onboarding.placement, onboarding.placement_step = None, Onboarding.Step.REMOVED
    onboarding.save(update_fields=["placement", "placement_step"])


@transaction.atomic
def onboarding_plan_remove(*, organisation: Organisation, onboarding: Onboarding) -> int:
    """Undo the automatic introduction plan: its open items and reflection sessions without attendance go; items
    already done and sessions already attended or missed stay. Returns how many items stay."""
    onboarding = _locked(organisation, onboarding)
    if onboarding.plan_step != Onboarding.Step.DONE:
        raise ValidationError(_("There is no automatic introduction plan to remove."))
    mine = {"organisation": organisation, "staff_id": onboarding.staff_id}
    IntroductionItem.objects.filter(**mine, done_on__isnull=True).delete()
    ReflectionSession.objects.filter(**mine, attended__isnull=True).delete()
    onboarding.plan_step = Onboarding.Step.REMOVED
    onboarding.save(update_fields=["plan_step"])
    return IntroductionItem.objects.filter(**mine).count()


@transaction.atomic
def onboarding_mentor_dismiss(*, organisation: Organisation, onboarding: Onboarding) -> None:
    """Stop asking for a mentor for this person (a mentor can still be added)."""
    onboarding = _locked(organisation, onboarding)
    if onboarding.mentor_request != Onboarding.MentorRequest.ASKED:
        raise ValidationError(_("A mentor is not being asked for."))
    onboarding.mentor_request = Onboarding.MentorRequest.DISMISSED
    onboarding.save(update_fields=["mentor_request"])
