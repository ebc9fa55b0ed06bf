"""A worker's answer to an open round."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from staff.models import Organisation, StaffMember
from staff.platform.identity_numbers import refuse_identity_numbers
from staff.platform.tenancy import check_same_org

from ..models import Answer, Invitation, SurveyRound


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
