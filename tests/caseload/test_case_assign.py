"""Handlers: the hard rules, history with who/when/why, and two managers reassigning at once."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from caseload import services
from caseload.models import Assignment, Case, CaseEvent
from tests.caseload.factories import case, worker


def assign(world, c, main, co, **kw):
    kw.setdefault("expected_version", Case.objects.get(pk=c.pk).version)
    return services.case_assign(
        organisation=world.org, actor=kw.pop("actor", world.alice), case=c, main=main, co=co, **kw
    )


def test_first_assignment_opens_the_case_and_records_who(ladder):
    w = ladder
    c = case(w.unit, "A-1")
    assign(w, c, w.bob, w.carol)
    c.refresh_from_db()
    assert c.status == Case.Status.OPEN
    current = {a.role: a for a in Assignment.objects.filter(case=c, end__isnull=True)}
    assert current["main"].staff == w.bob and current["co"].staff == w.carol
    assert current["main"].assigned_by == w.alice
    event = CaseEvent.objects.get(case=c, kind=CaseEvent.Kind.ASSIGNED)
    assert event.actor == w.alice and "Bob" in event.detail


def test_reassignment_keeps_history_and_needs_a_reason(ladder):
    w = ladder
    dora = worker(w.unit, "dora", level=3)
    c = case(w.unit, "A-2", main=w.bob, co=w.carol)
    with pytest.raises(ValidationError) as exc:
        assign(w, c, dora, w.carol)
    assert "Ange skälet till omfördelningen." in exc.value.message_dict["reason"]
    assign(w, c, dora, w.carol, reason="Bob går på föräldraledighet", on=datetime.date(2024, 3, 1))
    rows = list(Assignment.objects.filter(case=c, role="main").order_by("start"))
    assert [(r.staff, r.end) for r in rows] == [(w.bob, datetime.date(2024, 3, 1)), (dora, None)]
    assert rows[1].reason == "Bob går på föräldraledighet" and rows[1].assigned_by == w.alice
    # The co-handler did not change: still one row.
    assert Assignment.objects.filter(case=c, role="co").count() == 1


@pytest.mark.parametrize(
    ("setup", "field", "message"),
    [
        ("same", "co", "Huvudhandläggare och medhandläggare måste vara olika personer."),
        (
            "novice_top",
            "main",
            "En medarbetare på nivå 1 kan inte vara huvudhandläggare för ett ärende med högsta vikt.",
        ),
        ("novice_alone", "co", "En medarbetare på nivå 1 har alltid en medhandläggare: välj en."),
        ("specialist", "main", "En specialist har inga egna ärenden: välj specialisten som medhandläggare i stället."),
        ("other_unit", "main", "Heidi Testsson är inte socialsekreterare i enheten Utredning."),
    ],
)
def test_hard_rules_refuse_with_a_swedish_message_and_save_nothing(ladder, setup, field, message):
    w = ladder
    novice = worker(w.unit, "nova", level=1)
    c = case(w.unit, "R-1", weight=3 if setup == "novice_top" else 1)
    args = {
        "same": (w.bob, w.bob),
        "novice_top": (novice, w.bob),
        "novice_alone": (novice, None),
        "specialist": (w.carol, w.bob),
        "other_unit": (w.heidi, w.bob),
    }[setup]
    with pytest.raises(ValidationError) as exc:
        assign(w, c, *args)
    assert message in exc.value.message_dict[field]
    assert not Assignment.objects.filter(case=c).exists()
    assert Case.objects.get(pk=c.pk).version == 0
    assert not CaseEvent.objects.filter(case=c, kind="assigned").exists()


def test_specialists_may_hold_cases_when_the_organisation_allows(ladder):
    from caseload.models import CaseloadSettings

    settings = CaseloadSettings.for_org(ladder.org)
    settings.specialists_hold_no_cases = False
    settings.save()
    c = case(ladder.unit, "S-1")
    assign(ladder, c, ladder.carol, ladder.bob)
    assert Assignment.objects.get(case=c, role="main").staff == ladder.carol


def test_worker_of_another_organisation_is_not_found(ladder):
    c = case(ladder.unit, "O-1")
    with pytest.raises(Http404):
        assign(ladder, c, ladder.charlie, None)
    assert not Assignment.objects.filter(case=c).exists()


def test_only_a_manager_of_the_unit_assigns(ladder):
    c = case(ladder.unit, "M-1")
    with pytest.raises(ValidationError) as exc:
        assign(ladder, c, ladder.bob, None, actor=ladder.bob)
    assert "Bara en chef för enheten kan fördela handläggare." in exc.value.messages


def test_second_of_two_concurrent_reassignments_is_told(ladder):
    w = ladder
    dora = worker(w.unit, "dora", level=3)
    c = case(w.unit, "C-1", main=w.bob)
    seen = Case.objects.get(pk=c.pk).version  # both managers opened the form at this version
    assign(w, c, dora, None, reason="Omfördelning", expected_version=seen)
    with pytest.raises(ValidationError) as exc:
        assign(w, c, w.bob, w.carol, reason="Annan omfördelning", expected_version=seen, actor=w.ivan)
    assert "Någon annan ändrade handläggarna" in exc.value.messages[0]
    assert Assignment.objects.get(case=c, role="main", end__isnull=True).staff == dora
    assert not Assignment.objects.filter(case=c, role="co").exists()


def test_reassignment_form_shows_the_conflict_to_the_second_manager(ladder):
    w = ladder
    dora = worker(w.unit, "dora", level=3)
    c = case(w.unit, "C-2", main=w.bob)
    url = reverse("caseload:case_assign", args=[c.pk])
    first, second = w.client("alice"), w.client("ivan")
    version = Case.objects.get(pk=c.pk).version
    r1 = first.post(url, {"main": dora.pk, "co": "", "reason": "Sjukskrivning", "version": version})
    assert r1.status_code == 302
    r2 = second.post(url, {"main": w.bob.pk, "co": w.carol.pk, "reason": "Annat", "version": version})
    assert r2.status_code == 200
    assert "Någon annan ändrade handläggarna" in r2.content.decode()
    assert Assignment.objects.get(case=c, role="main", end__isnull=True).staff == dora


def test_assign_page_lists_only_the_units_workers_and_refuses_a_worker(ladder):
    w = ladder
    c = case(w.unit, "P-1")
    url = reverse("caseload:case_assign", args=[c.pk])
    html = w.client("alice").get(url).content.decode()
    assert "Bob Testsson" in html and "Heidi Testsson" not in html and "Charlie" not in html
    assert w.client("bob").get(url).status_code == 403
    response = w.client("alice").post(url, {"main": w.charlie.pk, "version": 0})
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert not Assignment.objects.filter(case=c).exists()
