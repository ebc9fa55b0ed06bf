"""The organisation's survey settings: read (created on first use) and changed."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from staff.models import Organisation, StaffMember
from staff.platform.tenancy import check_same_org

from ..models import SurveySettings


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
