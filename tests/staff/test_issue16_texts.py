"""Issue 16: Swedish wording in the change history and on the API docs page; revoking a token asks first."""

from __future__ import annotations

import sys

from django.urls import reverse

from staff.models import ApiToken
from staff.platform.history.display import history_page
from staff.services import api_token_create
from staff.trust import organisation_history
from tests.confirmation import confirmation_page


def _org_history_who(world, argv, monkeypatch):
    monkeypatch.setattr(sys, "argv", argv)
    world.org.span_of_control_limit = 7
    world.org.save()
    page = history_page(organisation=world.org, sources=organisation_history())
    return page.entries[0].who, page.entries[0].reason


def test_history_names_the_demo_seed_in_swedish(world, monkeypatch):
    who, reason = _org_history_who(world, ["manage.py", "seed_demo"], monkeypatch)
    assert (who, reason) == ("Systemet", "demodata")


def test_history_names_another_command_in_swedish(world, monkeypatch):
    who, reason = _org_history_who(world, ["manage.py", "import_staff"], monkeypatch)
    assert (who, reason) == ("Systemet", "kommandot import_staff")
    assert "manage.py" not in reason


def test_api_docs_say_in_swedish_that_the_reference_is_in_english(world):
    page = world.client("erin").get(reverse("api-docs")).content.decode()
    assert "API-referensen nedan är på engelska" in page
    assert "integrationer" in page


def test_revoking_a_token_asks_first(world):
    token, _key = api_token_create(organisation=world.org, staff=world.erin, name="Statistikexport")
    client = world.client("erin")
    url = reverse("staff:api_token_revoke", args=[token.pk])
    confirmation_page(client, url, "Vill du verkligen återkalla", "Statistikexport")
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.get(url).status_code == 405
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
