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


NAMES = ("Anna-Svensson-1", "Svensson-19121212", "ANNA-SVENSSON-1", "Karl-Erik-Svensson-2", "anna-svensson-1")


@pytest.mark.parametrize("text", NAMES)
def test_the_default_refuses_hyphenated_names_and_a_name_with_a_birth_date(db, text):
    assert not matches(DEFAULT_PATTERN, text)


def test_the_refused_samples_hold_hyphenated_names_and_a_name_with_a_birth_date():
    assert {"Anna-Svensson-1", "Svensson-19121212"} <= set(REFUSED_SAMPLES)


@pytest.mark.parametrize(
    "number", ["INTAKE-1", "IFO-1", "IFO-20260001", "FAULT-3-0007", "BETA-1", "B-2024-9", "A-1212121213", "BOU-77"]
)
def test_the_default_accepts_the_factories_and_generators_numbers(db, number):
    assert matches(DEFAULT_PATTERN, number)


@pytest.mark.parametrize(
    ("number", "accepted"),
    [
        ("ABCDEF-1", True),  # a prefix of six
        ("ABCDEFG-1", False),  # and of seven
        ("BoU-ABCD-1", True),  # a middle part of four
        ("BoU-ABCDE-1", False),  # and of five
        ("BoU-1234567890", True),  # ten digits at the end
        ("BoU-12345678901", False),  # and eleven
        ("BoU-W", False),  # no digits at the end
    ],
)
def test_the_default_at_its_length_edges(db, number, accepted):
    assert matches(DEFAULT_PATTERN, number) is accepted


def test_an_admin_pattern_that_accepts_a_hyphenated_name_is_refused(world):
    response = world.client("frank").post(
        reverse("caseload:settings"), _form(case_number_pattern="[A-Za-z]+(-[A-Za-z0-9]+)*-[0-9]+")
    )
    assert response.status_code == 200
    assert any("Anna-Svensson-1" in error for error in response.context["form"].errors["case_number_pattern"])
