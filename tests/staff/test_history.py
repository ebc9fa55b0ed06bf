"""Change history (Ändringshistorik): who changed which field from what to what, on the object's page.

Changes are made through the pages, as a user would, and read back on the page in Swedish.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseload.models import Case, CaseloadSettings
from caseload.trust import case_history
from competence.models import SETTINGS_FIELDS, LadderSettings
from staff.forms import OrganisationSettingsForm
from staff.models import Organisation
from staff.platform.history.display import history_page
from staff.platform.history.reasons import change_reason, current_reason
from staff.platform.history.registry import tracked
from tests.caseload import conftest as caseload_conftest
from tests.caseload.factories import case, worker

ladder = caseload_conftest.ladder  # the caseload tests' fixture: bob on level 2, carol the specialist


def _history_rows(html: str) -> list[str]:
    section = html.split('id="history-heading"', 1)[1]
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("</tr>")[:-1]]
    return [re.sub(r"\s+([:,)])", r"\1", row) for row in rows]


def _reassign(client, c, main, co, reason):
    version = Case.objects.get(pk=c.pk).version
    return client.post(
        reverse("caseload:case_assign", args=[c.pk]),
        {"main": main.pk, "co": co.pk if co else "", "reason": reason, "version": version},
    )


@time_machine.travel(datetime.datetime(2024, 3, 1, 9, 0, tzinfo=datetime.UTC), tick=True)
def test_case_page_shows_who_changed_the_handlers_from_what_to_what(ladder):
    w = ladder
    dora = worker(w.unit, "dora", level=3)
    c = case(w.unit, "A-100", main=w.bob, co=w.carol)
    response = _reassign(w.client("alice"), c, dora, w.carol, "Bob går på föräldraledighet")
    assert response.status_code == 302

    html = w.client("alice").get(reverse("caseload:case_detail", args=[c.pk])).content.decode()
    assert "Ändringshistorik" in html
    rows = _history_rows(html)
    # Newest first: the new main handler, then the old one's end date, then the rows the factory made.
    assert rows[0].startswith("2024-03-01 10:00 Alice Testsson Handläggning: skapad")
    assert "Person: – → Dora" in rows[0]
    assert re.search(r"Roll: – → (Huvudhandläggare|Handläggare)\b", rows[0])
    assert "Skäl: – → Bob går på föräldraledighet" in rows[0]
    assert "Alice Testsson Handläggning: ändrad Till: – → 2024-03-01" in rows[1]
    # Rows written without a signed-in person name the system and why.
    assert any(r.startswith("2024-03-01 10:00 Systemet (system) Ärende: skapad") for r in rows)


def test_closing_an_investigation_records_the_outcome_in_swedish(ladder):
    w = ladder
    c = case(w.unit, "A-101", main=w.bob, co=w.carol, start=datetime.date(2024, 1, 10))
    with time_machine.travel(datetime.datetime(2024, 2, 20, 12, 0, tzinfo=datetime.UTC), tick=False):
        response = w.client("bob").post(
            reverse("caseload:investigation_close", args=[c.pk]),
            {"closed_on": "2024-02-20", "outcome": "no_intervention", "close_case": "on"},
        )
    assert response.status_code == 302
    rows = _history_rows(w.client("alice").get(reverse("caseload:case_detail", args=[c.pk])).content.decode())
    investigation = next(r for r in rows if "Utredning: ändrad" in r)
    assert "Bob Testsson" in investigation
    assert "Avslutad: – → 2024-02-20" in investigation or "Avslutat: – → 2024-02-20" in investigation
    case_row = next(r for r in rows if "Ärende: ändrad" in r)
    assert "Status: Öppen → Avslutad" in case_row


def test_nobody_outside_the_case_sees_its_history(ladder):
    w = ladder
    c = case(w.unit, "A-102", main=w.bob, co=w.carol)
    _reassign(w.client("alice"), c, w.bob, None, "Ingen medhandläggare behövs")
    # Heidi works in another unit of the same organisation; Charlie in another organisation.
    assert w.client("heidi").get(reverse("caseload:case_detail", args=[c.pk])).status_code == 403
    assert w.client("charlie").get(reverse("caseload:case_detail", args=[c.pk])).status_code == 404
    # Even asked directly for another organisation, the history has nothing of this case.
    foreign = history_page(organisation=w.other_org, sources=case_history(c))
    assert foreign.total == 0 and foreign.entries == []
    assert history_page(organisation=w.org, sources=case_history(c)).total > 0


def test_case_page_queries_do_not_grow_with_the_history(ladder, django_assert_num_queries):
    w = ladder
    people = [worker(w.unit, f"w{i}", level=3) for i in range(6)]
    small = case(w.unit, "A-103", main=w.bob, co=w.carol)
    big = case(w.unit, "A-104", main=w.bob, co=w.carol)
    client = w.client("alice")
    client.get(reverse("caseload:case_detail", args=[small.pk]))  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("caseload:case_detail", args=[small.pk]))
    queries = len(few)
    for i, person in enumerate(people * 3):
        _reassign(client, big, person, w.carol, f"Omfördelning {i}")
    with django_assert_num_queries(queries):
        html = client.get(reverse("caseload:case_detail", args=[big.pk])).content.decode()
    assert len(_history_rows(html)) == 20


def test_long_history_is_paginated_newest_first(world):
    client = world.client("frank")
    for posts in range(1, 26):
        defaults = LadderSettings(organisation=world.org)
        data = {f: getattr(defaults, f) for f in SETTINGS_FIELDS if f != "pro_rata_by_fte"}
        data.update(
            appointment_months=24,
            renewal_notice_months=4,
            specialist_posts=posts,
            pro_rata_by_fte="on",
            eligible_soon_months=3,
        )
        assert client.post(reverse("competence:settings"), data).status_code == 302
    html = client.get(reverse("competence:settings")).content.decode()
    rows = _history_rows(html)
    assert len(rows) == 20
    assert "Frank Testsson" in rows[0] and "Antal specialisttjänster: 24 → 25" in rows[0]
    assert "26 ändringar, nyaste först" in html
    assert "Sida 1 av 2" in html and "historik=2" in html
    older = _history_rows(client.get(reverse("competence:settings") + "?historik=2").content.decode())
    assert len(older) == 6
    assert "Inställningar för trappan: skapad" in older[-1]
    # A page number out of range shows the last page, not an error.
    assert client.get(reverse("competence:settings") + "?historik=99").status_code == 200
    assert client.get(reverse("competence:settings") + "?historik=x").status_code == 200


def test_caseload_and_organisation_settings_show_their_history(world):
    client = world.client("frank")
    CaseloadSettings.for_org(world.org)
    form = {
        f.name: getattr(CaseloadSettings.for_org(world.org), f.name)
        for f in CaseloadSettings._meta.fields
        if f.editable and f.name not in ("id",)
    }
    form["target_days"] = 80
    form = {k: ("on" if v is True else v) for k, v in form.items() if v is not False}
    assert client.post(reverse("caseload:settings"), form).status_code == 302
    rows = _history_rows(client.get(reverse("caseload:settings")).content.decode())
    assert "Frank Testsson" in rows[0] and "Mål för utredningstid (dagar): 90 → 80" in rows[0]

    form = OrganisationSettingsForm(prefix="settings", instance=world.org)
    data = {"form": "settings"}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is not False:
            data[f"settings-{name}"] = "on" if value is True else ("" if value is None else value)
    data["settings-span_of_control_limit"] = 9
    response = client.post(reverse("staff:admin_structure"), data)
    assert response.status_code == 302
    rows = _history_rows(client.get(reverse("staff:admin_structure")).content.decode())
    assert "Frank Testsson" in rows[0] and "Gräns för kontrollspann: 12 → 9" in rows[0]


def test_ladder_page_shows_level_placements(ladder):
    w = ladder
    html = w.client("alice").get(reverse("competence:staff_detail", args=[w.bob.pk])).content.decode()
    rows = _history_rows(html)
    assert any("Trappsteg: skapad" in r and "Nivå: – → 2. Nivå 2" in r for r in rows)


def test_every_history_table_carries_the_organisation(world):
    historical = [model.history.model for model in tracked()]
    assert len(historical) >= 19
    for model in historical:
        assert model._meta.get_field("organisation").column == "organisation_id", model
    world.org.span_of_control_limit = 8
    world.org.save()
    row = Organisation.history.filter(id=world.org.pk).latest("history_date")
    assert row.organisation_id == world.org.pk
    assert not Organisation.history.filter(organisation_id=world.other_org.pk, id=world.org.pk).exists()


def test_secrets_and_bookkeeping_stay_out_of_the_history():
    from caseload.models import CycleSettings

    names = {f.name for f in CycleSettings.history.model._meta.fields}
    assert "feed_token" not in names and "anchor" in names
    assert "version" not in {f.name for f in Case.history.model._meta.fields}


def test_reason_without_a_person(world):
    assert current_reason() == "system"
    with change_reason("Import från verksamhetssystemet"):
        world.org.span_of_control_limit = 7
        world.org.save()
    row = Organisation.history.filter(id=world.org.pk).latest("history_date")
    assert row.history_user is None and row.history_change_reason == "Import från verksamhetssystemet"
    assert current_reason() == "system"


@pytest.mark.celery_worker
def test_changes_made_by_a_celery_task_name_the_task(world, celery_worker):
    from staff.platform.retention.models import RetentionSettings
    from staff.platform.retention.tasks import retention_run

    retention_run.delay(organisation_id=world.org.pk)
    celery_worker.wait_until(lambda: RetentionSettings.history.filter(organisation_id=world.org.pk).exists())
    row = RetentionSettings.history.get(organisation_id=world.org.pk)
    assert row.history_user is None
    assert row.history_change_reason == "Celery: staff.retention.tasks.retention_run"
