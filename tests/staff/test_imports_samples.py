"""The sample files of docs/integrations.md import as the page says (docs/samples/staff.csv, absences.csv), with
the mapping the headers propose, and a second import of each changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import time_machine

from staff.models import Absence, StaffMember
from tests.staff.imports_support import applied

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"


@time_machine.travel("2026-12-04 10:00 +01:00", tick=False)
def test_the_sample_files_import_as_documented(world):
    staff = (SAMPLES / "staff.csv").read_bytes()
    run = applied(world.org, world.erin, staff)
    assert run.status == "applied", run.error
    assert run.counts == {"create": 4}
    people = {
        m.employee_number: m
        for m in StaffMember.objects.filter(organisation=world.org, employee_number__startswith="102")
    }
    assert (people["10235"].fte, people["10237"].fte, people["10236"].employment_end) == (
        Decimal("0.75"),
        Decimal("0.50"),
        dt.date(2026, 12, 31),
    )
    assert people["10237"].unit == world.intake_unit
    absences = (SAMPLES / "absences.csv").read_bytes()
    run = applied(world.org, world.erin, absences, kind="absences")
    assert run.counts == {"create": 4}
    assert sorted(Absence.objects.filter(organisation=world.org).values_list("kind", "extent")) == [
        ("other", 100),
        ("parental", 50),
        ("sick", 100),
        ("vacation", 100),
    ]
    assert applied(world.org, world.erin, staff).counts == {"unchanged": 4}
    assert applied(world.org, world.erin, absences, kind="absences").counts == {"unchanged": 4}
