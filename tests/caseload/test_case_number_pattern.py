"""The organisation's case-number pattern: the demo's shape by default, edited by the organisation admin."""

import time

import pytest
from django.urls import reverse

from caseload.case_numbers import DEFAULT_PATTERN, REFUSED_SAMPLES, matches
from caseload.models import CaseloadSettings
from tests.caseload.test_settings import _form


@pytest.mark.parametrize(
    "number", ["BoU-W-001", "BoU-F-012", "MOT-2026-0101", "MOT-TEST-42", "bou-9", "NEW-7", "A-2024-1", "Ärende-1"]
)
def test_the_default_accepts_the_demos_case_numbers(db, number):
    assert matches(DEFAULT_PATTERN, number)


@pytest.mark.parametrize(
    "text", [*REFUSED_SAMPLES, "Anna-Svensson", "Anna", "BoU W 001", "BoU-W-", "-001", "BoU-W-001 Anna", ""]
)
def test_the_default_refuses_names_and_identity_numbers(db, text):
    assert not matches(DEFAULT_PATTERN, text)


def test_the_org_admin_sets_a_pattern_and_it_applies_to_new_cases_only_in_that_organisation(world):
    client = world.client("frank")
    pattern = "IFO [0-9]{4}/[0-9]{1,4}"
    assert client.post(reverse("caseload:settings"), _form(case_number_pattern=pattern)).status_code == 302
    assert CaseloadSettings.objects.get(organisation=world.org).case_number_pattern == pattern
    page = client.get(reverse("caseload:settings")).content.decode()
    assert "Ärendenumrens form (reguljärt uttryck)" in page
    data = {"unit": world.unit.pk, "kind": "investigation", "weight": 1, "opened_on": "2024-06-01"}
    new_case = world.client("alice").post(reverse("caseload:case_create"), {**data, "number": "IFO 2024/17"})
    assert new_case.status_code == 302
    refused = world.client("alice").post(reverse("caseload:case_create"), {**data, "number": "BoU-W-001"})
    assert "Det här är inget ärendenummer av den form" in str(refused.context["form"].errors["number"])
    assert CaseloadSettings.for_org(world.other_org).case_number_pattern == DEFAULT_PATTERN


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("([A-Z", "Det här är inget giltigt reguljärt uttryck"),
        ("X)|([A-Z]", "Det här är inget giltigt reguljärt uttryck"),  # else ^(?:X)|([A-Z])$: anchored no more
        ("A" * 201, "som mest 200 tecken"),
        (".*", "Mönstret godtar 19121212-1212"),
        ("[0-9+-]+", "Mönstret godtar 19121212-1212"),
        ("[A-Z]*[0-9]{6}-?[0-9]{4}", "Mönstret godtar 121212-1212"),
        ("[A-Za-z ]+", "Mönstret godtar Anna Svensson"),
        ("[0-9]{6}[0-9]{2}[0-9]{4}", "Mönstret godtar 201212121212"),
    ],
)
def test_a_pattern_that_is_broken_or_accepts_identity_numbers_or_names_is_refused_at_the_field(world, pattern, message):
    response = world.client("frank").post(reverse("caseload:settings"), _form(case_number_pattern=pattern))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["case_number_pattern"])
    assert CaseloadSettings.objects.get(organisation=world.org).case_number_pattern == DEFAULT_PATTERN


def test_a_pattern_that_backtracks_exponentially_in_python_is_checked_at_once(world):
    """(a+)+b holds a Python `re` match of 39 a's for days; PostgreSQL's engine answers at once."""
    started = time.monotonic()
    response = world.client("frank").post(reverse("caseload:settings"), _form(case_number_pattern="(a+)+b"))
    assert response.status_code == 302
    refused = world.client("alice").post(
        reverse("caseload:case_create"),
        {"number": "a" * 39, "unit": world.unit.pk, "kind": "investigation", "weight": 1, "opened_on": "2024-06-01"},
    )
    assert "Det här är inget ärendenummer av den form" in str(refused.context["form"].errors["number"])
    assert time.monotonic() - started < 5
