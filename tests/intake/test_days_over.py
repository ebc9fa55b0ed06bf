"""The pre-assessment's days past its due date read "3 dagar över", not "-3 dagar kvar" (issue 16)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from tests.intake.factories import item


@time_machine.travel(datetime.datetime(2024, 6, 14, 10, 0), tick=False)
@pytest.mark.parametrize(
    ("days", "text"), [(-3, "3 dagar över"), (-1, "1 dag över"), (0, "0 dagar kvar"), (1, "1 dag kvar")]
)
def test_pre_assessment_days_over_its_due_date(world, days, text):
    report = item(world.intake_unit, by=world.grace, days=days)
    html = world.client("heidi").get(reverse("intake:detail", args=[report.pk])).content.decode()
    due = html.split("Förhandsbedömning senast", 1)[1].split("</dd>", 1)[0]
    assert f"({text})" in due
