"""Opening a settings page for the first time creates the organisation's default row, but that is no change
of the visitor's: the history must not name them (issue 16)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caseload.models import CaseloadSettings
from competence.models import LadderSettings
from intake.models import IntakeSettings
from staff.platform.audit.models import AccessLogSettings
from staff.platform.retention.models import RetentionSettings
from surveys.models import SurveySettings

PAGES = (
    ("retention:settings", RetentionSettings),
    ("caseload:settings", CaseloadSettings),
    ("surveys:admin", SurveySettings),
    ("competence:settings", LadderSettings),
)


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "model"), PAGES)
def test_first_get_of_a_settings_page_writes_no_history_in_the_visitors_name(world, url_name, model):
    model.objects.filter(organisation=world.org).delete()
    model.history.filter(organisation_id=world.org.pk).delete()
    response = world.client("frank").get(reverse(url_name))
    assert response.status_code == 200
    assert model.objects.filter(organisation=world.org).count() == 1
    rows = model.history.filter(organisation_id=world.org.pk)
    assert not rows.filter(history_user=world.frank.user).exists()
    assert all(row.history_user_id is None and row.history_change_reason for row in rows)


@pytest.mark.django_db
def test_a_save_after_the_first_read_still_names_the_person(world):
    RetentionSettings.objects.filter(organisation=world.org).delete()
    frank = world.client("frank")
    frank.get(reverse("retention:settings"))
    response = frank.post(
        reverse("retention:settings"),
        {"closed_case_years": 7, "intake_item_years": 5, "former_staff_years": 2, "access_log_years": 5},
    )
    assert response.status_code == 302
    latest = RetentionSettings.history.filter(organisation_id=world.org.pk).latest("history_id")
    assert latest.history_user == world.frank.user and latest.closed_case_years == 7


@pytest.mark.django_db
@pytest.mark.parametrize("model", [IntakeSettings, AccessLogSettings, CaseloadSettings])
def test_for_org_creates_the_default_row_once(world, model):
    model.objects.filter(organisation=world.org).delete()
    first = model.for_org(world.org)
    assert model.for_org(world.org).pk == first.pk
    assert model.objects.filter(organisation=world.org).count() == 1
