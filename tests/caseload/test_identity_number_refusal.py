"""Every caseload form that takes case data refuses personal identity numbers at the field and saves nothing."""

import datetime
import html

import pytest
import time_machine
from django.urls import reverse

from caseload.models import Assignment, Case, CycleSettings, Extension, MeetingCycle, ReviewEntry, ReviewForm
from tests.caseload.factories import case

REFUSAL = "Skriv inte personnummer eller samordningsnummer här"
IDENTITY_NUMBERS = ["19121212-1212", "121212-1212", "201212121212", "1212121212", "121272-1219"]


@pytest.mark.parametrize("number", [*IDENTITY_NUMBERS, "Anna Svensson", "Anna-Svensson"])
def test_case_registration_refuses_identity_numbers_and_names(ladder, number):
    response = ladder.client("alice").post(
        reverse("caseload:case_create"),
        {"number": number, "unit": ladder.unit.pk, "kind": "investigation", "weight": 1, "opened_on": "2024-06-01"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    expected = REFUSAL if number[0].isdigit() else "Det här är inget ärendenummer av den form"
    assert any(expected in message for message in form.errors["number"]), form.errors
    assert not Case.objects.exists()


@pytest.mark.parametrize("number", ["BoU-W-001", "MOT-2026-0101", "bou-9", "121212-1213", "A-1212121213"])
def test_case_numbers_of_the_default_shape_are_registered(ladder, number):
    response = ladder.client("alice").post(
        reverse("caseload:case_create"),
        {"number": number, "unit": ladder.unit.pk, "kind": "investigation", "weight": 1, "opened_on": "2024-06-01"},
    )
    if number == "121212-1213":  # no identity number (check digit off by one), but not a case number either
        assert "Det här är inget ärendenummer av den form" in str(response.context["form"].errors["number"])
        assert not Case.objects.exists()
    else:
        assert response.status_code == 302, response.context["form"].errors
        assert Case.objects.get().number == number


def test_a_case_number_holding_an_identity_number_is_refused_even_in_the_pattern(ladder):
    response = ladder.client("alice").post(
        reverse("caseload:case_create"),
        {"number": "MOT-121212-1212", "unit": ladder.unit.pk, "kind": "investigation", "opened_on": "2024-06-01"},
    )
    assert REFUSAL in str(response.context["form"].errors["number"])
    assert not Case.objects.exists()


def test_reassignment_reason_refuses_an_identity_number(ladder):
    c = case(ladder.unit, "C-1", main=ladder.bob)
    url = reverse("caseload:case_assign", args=[c.pk])
    data = {"main": ladder.carol.pk, "co": "", "reason": "Gäller barnet 121212-1212", "version": c.version}
    response = ladder.client("alice").post(url, data)
    assert response.status_code == 200
    assert REFUSAL in str(response.context["form"].errors["reason"])
    assert Assignment.objects.get(case=c, end__isnull=True).staff == ladder.bob


def test_extension_reason_refuses_an_identity_number(ladder):
    c = case(ladder.unit, "E-1", main=ladder.bob, start=datetime.date(2024, 2, 1))
    response = ladder.client("alice").post(
        reverse("caseload:investigation_extend", args=[c.pk]),
        {"new_deadline": "2024-07-15", "reason": "Väntar på utlåtande om 19121212-1212"},
    )
    assert response.status_code == 200
    assert REFUSAL in str(response.context["form"].errors["reason"])
    assert not Extension.objects.exists() and c.investigations.get().extended_until is None


@pytest.fixture
def meeting_unit(ladder):
    with time_machine.travel(datetime.datetime(2026, 1, 8, 10, 0), tick=False):
        CycleSettings.objects.create(organisation=ladder.org, unit=ladder.unit, anchor=datetime.date(2026, 1, 12))
        yield ladder


def test_wrap_up_notes_refuse_an_identity_number(meeting_unit):
    w = meeting_unit
    url = reverse("caseload:wrap_up_save", args=[w.unit.pk])
    response = w.client("alice").post(url, {"notes": "Svårt med 121212-1212"}, follow=True)
    assert REFUSAL in html.unescape(response.content.decode())
    assert not MeetingCycle.objects.exclude(wrap_up_notes="").exists()
    response = w.client("alice").post(url, {"notes": "Bra möte"}, follow=True)
    assert MeetingCycle.objects.get().wrap_up_notes == "Bra möte"


@pytest.mark.parametrize("field", ["comment", "stands", "still_needed", "interventions", "decisions"])
def test_review_form_refuses_an_identity_number_in_every_text(meeting_unit, field):
    w = meeting_unit
    mine = case(w.unit, "R-1", main=w.bob, start=datetime.date(2025, 12, 1))
    data = {"work_situation": 2, "comment": "", f"c{mine.pk}_reconsideration": "na"}
    name = field if field == "comment" else f"c{mine.pk}_{field}"
    data[name] = "Barnet 201212121212 har flyttat"
    response = w.client("bob").post(reverse("caseload:review_form", args=[w.unit.pk]), data)
    assert response.status_code == 200
    assert REFUSAL in str(response.context["form"].errors[name])
    assert not ReviewForm.objects.exists() and not ReviewEntry.objects.exists()


# Issue 15 review: the services refuse identity numbers themselves, so that no other way in (a future API) skips it.


def _refused(call, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        call()
    assert exc.value.error_dict[field][0].code == "identity_number"


def test_the_reassignment_and_extension_services_refuse_an_identity_number(ladder):
    from caseload import services

    c = case(ladder.unit, "C-2", main=ladder.bob, start=datetime.date(2024, 2, 1))
    _refused(
        lambda: services.case_assign(
            organisation=ladder.org,
            actor=ladder.alice,
            case=c,
            main=ladder.carol,
            co=None,
            reason="Gäller 121212-1212",
            expected_version=Case.objects.get(pk=c.pk).version,
        ),
        "reason",
    )
    assert Assignment.objects.get(case=c, end__isnull=True).staff == ladder.bob
    _refused(
        lambda: services.extension_decide(
            organisation=ladder.org,
            actor=ladder.alice,
            investigation=c.investigations.get(),
            new_deadline=datetime.date(2024, 7, 15),
            reason="Väntar på utlåtande om 19121212-1212",
        ),
        "reason",
    )
    assert not Extension.objects.exists() and c.investigations.get().extended_until is None


def test_the_wrap_up_and_review_form_services_refuse_an_identity_number(meeting_unit):
    from caseload.meeting import reviews, selectors, services

    w = meeting_unit
    mine = case(w.unit, "R-2", main=w.bob, start=datetime.date(2025, 12, 1))
    with time_machine.travel(datetime.datetime(2026, 1, 8, 10, 0), tick=False):
        cycle = selectors.board_cycle(CycleSettings.objects.get(unit=w.unit), datetime.date(2026, 1, 8))
        meeting, _created = services.meeting_cycle_ensure(organisation=w.org, unit=w.unit, cycle=cycle)
        wrap_up = {"organisation": w.org, "actor": w.alice, "meeting": meeting}
        _refused(lambda: services.wrap_up_save(**wrap_up, notes="Svårt med 121212-1212"), "notes")
        submit = {"organisation": w.org, "staff": w.bob, "meeting": meeting, "work_situation": 2, "comment": ""}
        _refused(lambda: reviews.review_form_submit(**{**submit, "comment": "1212121212"}, entries={}), "comment")
        for field in ("stands", "still_needed", "interventions", "decisions"):
            entries = {mine.pk: {field: "Barnet 201212121212 har flyttat", "reconsideration": "na"}}
            call = lambda entries=entries: reviews.review_form_submit(**submit, entries=entries)  # noqa: E731
            _refused(call, f"c{mine.pk}_{field}")
    meeting.refresh_from_db()
    assert meeting.wrap_up_notes == ""
    assert not ReviewForm.objects.exists() and not ReviewEntry.objects.exists()
