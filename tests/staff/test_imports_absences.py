"""The absence import (staff/imports/absence_kind.py): idempotent by person, kind and start."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from staff.imports.kinds import Action
from staff.models import Absence
from tests.factories import StaffMemberFactory
from tests.staff.imports_support import applied, csv, plans_by_row, previewed

HEADER = "Anst.nr;Frånvarotyp;Fromdatum;Tomdatum;Omfattning"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def per(world):
    return StaffMemberFactory(organisation=world.org, unit=world.unit, employee_number="2001")


@pytest.mark.parametrize(
    ("word", "kind"),
    [("Sjuk", "sick"), ("Sjukfrånvaro", "sick"), ("Föräldraledig", "parental"), ("semester", "vacation"),
     ("Tjänstledig", "other"), ("", "other")],
)  # fmt: skip
def test_the_hr_systems_words_become_kinds(world, per, word, kind):
    run = applied(world.org, world.frank, csv(HEADER, f"2001;{word};2026-11-02;2026-11-06;50 %"), kind="absences")
    assert run.status == "applied", run.error
    absence = Absence.objects.get(staff=per)
    assert (absence.kind, absence.start, absence.end, absence.extent) == (
        kind,
        dt.date(2026, 11, 2),
        dt.date(2026, 11, 6),
        50,
    )


def test_the_same_row_again_is_unchanged_and_a_new_end_is_an_update(world, per):
    data = csv(HEADER, "2001;Sjuk;2026-11-02;2026-11-06;", "2001;Semester;2026-12-21;2027-01-01;100")
    assert applied(world.org, world.frank, data, kind="absences").counts == {"create": 2}
    assert applied(world.org, world.frank, data, kind="absences").counts == {"unchanged": 2}
    assert Absence.objects.filter(staff=per).count() == 2
    run = applied(world.org, world.frank, csv(HEADER, "2001;Sjuk;2026-11-02;2026-11-13;"), kind="absences")
    assert run.plans[0]["action"] == Action.UPDATE
    assert run.plans[0]["changes"] == {"end": ["2026-11-06", "2026-11-13"]}
    assert Absence.objects.get(staff=per, kind="sick").end == dt.date(2026, 11, 13)


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("9999;Sjuk;2026-11-02;2026-11-06;", "No staff record has the employee number 9999."),
        ("2001;Sjuk;2026-11-02;2026-11-01;", "The end date is before the start date."),
        ("2001;Sjuk;2026-11-02;;", "Until is missing."),
        ("2001;Sjuk;2026-13-02;2026-11-06;", "From: “2026-13-02” is not a date (write it as YYYY-MM-DD)."),
        ("2001;Sjuk;2026-11-02;2026-11-06;0", "Extent: “0” is outside 1–100 %."),
        ("2001;Sjuk;2026-11-02;2026-11-06;101", "Extent: “101” is outside 1–100 %."),
    ],
)
def test_bad_rows_are_errors(world, per, line, error):
    run = previewed(world.org, world.frank, csv(HEADER, line), kind="absences")
    assert run.plans[0]["errors"] == [error]


def test_the_end_may_be_the_start_day_and_extent_1_and_100_are_allowed(world, per):
    run = previewed(
        world.org,
        world.frank,
        csv(HEADER, "2001;Sjuk;2026-11-02;2026-11-02;1", "2001;Semester;2026-11-03;2026-11-03;100 %"),
        kind="absences",
    )
    assert [p["action"] for p in run.plans] == ["create", "create"]


def test_the_same_absence_twice_in_the_file_is_refused(world, per):
    run = previewed(
        world.org,
        world.frank,
        csv(HEADER, "2001;Sjuk;2026-11-02;2026-11-06;", "2001;sjuk;2026-11-02;2026-11-09;"),
        kind="absences",
    )
    assert plans_by_row(run)[3]["errors"] == [
        "The same absence (person, kind and start) is in the file more than once (first on row 2)."
    ]


def test_absences_of_one_person_never_overlap(world, per):
    Absence.objects.create(
        organisation=world.org, staff=per, kind="vacation", start=dt.date(2026, 12, 21), end=dt.date(2027, 1, 6)
    )
    run = previewed(
        world.org,
        world.frank,
        csv(
            HEADER,
            "2001;Sjuk;2026-12-14;2026-12-20;",  # ends the day before the vacation: fine
            "2001;Sjuk;2027-01-06;2027-01-08;",  # begins on the vacation's last day: overlaps Stabil's
            "2001;Semester;2026-12-21;2027-01-10;",  # the held vacation itself, longer: an update, no overlap
            "2001;Annan;2026-12-18;2026-12-19;",  # inside row 2's sick leave
        ),
        kind="absences",
    )
    plans = plans_by_row(run)
    assert plans[2]["action"] == "create"
    assert plans[3]["errors"] == [
        "The absence overlaps an absence 2026-12-21–2027-01-06 in Stabil: together they are more than 100 % on "
        "2027-01-06."
    ]
    assert plans[4]["action"] == "update"
    assert plans[5]["errors"] == [
        "The absence overlaps row 2 of the file: together they are more than 100 % on 2026-12-18."
    ]


def test_partial_absences_of_one_person_may_overlap_up_to_100_percent_a_day(world, per):
    Absence.objects.create(
        organisation=world.org,
        staff=per,
        kind="parental",
        start=dt.date(2026, 12, 1),
        end=dt.date(2026, 12, 31),
        extent=50,
    )
    run = previewed(
        world.org,
        world.frank,
        csv(
            HEADER,
            "2001;Sjuk;2026-12-07;2026-12-11;50",  # 50 % + 50 %: fine
            "2001;Annan;2026-12-11;2026-12-11;1",  # with row 2 and Stabil's, 101 % on the 11th
            "2001;Semester;2027-01-01;2027-01-05;100",  # after the parental leave: fine
        ),
        kind="absences",
    )
    plans = plans_by_row(run)
    assert (plans[2]["action"], plans[4]["action"]) == ("create", "create")
    assert plans[3]["errors"] == [
        "The absence overlaps an absence 2026-12-01–2026-12-31 in Stabil: together they are more than 100 % on "
        "2026-12-11."
    ]
