"""An intake item keeps its change history, shown on its page: who registered it, assessed the need for immediate
protection and decided, from what to what. No other organisation's history reaches it."""

import datetime

import time_machine
from django.urls import reverse
from django.utils import timezone

from intake.models import IntakeItem
from intake.trust import intake_item_history
from staff.platform.history.display import history_page
from tests.intake.factories import item
from tests.staff.test_history import _history_rows

NOW = datetime.datetime(2024, 6, 14, 10, 0, tzinfo=datetime.UTC)


@time_machine.travel(NOW, tick=True)
def test_the_item_page_shows_who_changed_what(world):
    response = world.client("grace").post(
        reverse("intake:register"),
        {
            "case_number": "MOT-2024-9",
            "kind": "report",
            "received_at": "2024-06-14T08:30",
            "reason": "violence",
            "acute": "on",
            "about_child": "on",
            "unit": world.intake_unit.pk,
        },
    )
    assert response.status_code == 302
    report = IntakeItem.objects.get(case_number="MOT-2024-9")
    url = reverse("intake:detail", args=[report.pk])
    assert world.client("heidi").post(url, {"p-needed": "0", "p-outcome": "Tryggt hemma"}).status_code == 302
    decision = {"d-open_investigation": "0", "d-reason": "Ingen oro", "d-decided_on": "2024-06-14", "d-weight": "1"}
    assert world.client("heidi").post(url, decision).status_code == 302

    rows = _history_rows(world.client("heidi").get(url).content.decode())
    assert len(rows) == 3, rows
    # Newest first: the decision, the protection assessment, the registration.
    assert "Heidi Testsson" in rows[0] and "Inkommet ärende" in rows[0]
    assert "Beslut: Väntar på förhandsbedömning → Ingen utredning" in rows[0]
    assert "Skäl för beslutet: – → Ingen oro" in rows[0] and "Beslutad av: – → Heidi Testsson" in rows[0]
    assert "Heidi Testsson" in rows[1] and "Tryggt hemma" in rows[1]
    assert "Grace Testsson" in rows[2] and "skapad" in rows[2]
    assert "MOT-2024-9" in rows[2]


def test_another_organisations_item_history_is_not_found(world):
    foreign = item(world.other_unit, "BETA-MOT-1", by=world.charlie)
    foreign.decision_reason = "Ändrad"
    foreign.save()
    assert IntakeItem.history.filter(id=foreign.pk).count() == 2
    assert history_page(organisation=world.org, sources=intake_item_history(foreign)).total == 0
    assert history_page(organisation=world.other_org, sources=intake_item_history(foreign)).total == 2
    assert world.client("grace").get(reverse("intake:detail", args=[foreign.pk])).status_code == 404


def test_each_change_writes_one_row_with_the_organisation(world):
    report = item(world.intake_unit, "MOT-7", by=world.grace, received=timezone.now())
    report.protection_outcome = "Skydd behövs inte"
    report.save()
    rows = list(IntakeItem.history.filter(id=report.pk).order_by("history_id"))
    assert [r.history_type for r in rows] == ["+", "~"]
    assert {r.organisation_id for r in rows} == {world.org.pk}
