"""Issue 16: a reason the service requires shows the required marker; a conditionally required one says when."""

from __future__ import annotations

import datetime
import html as html_lib
import re

from django.urls import reverse

from tests.caseload.factories import case
from tests.intake.factories import item


def _label(page: str, field_id: str) -> str:
    match = re.search(rf'<label class="form-label" for="{field_id}">(.*?)</label>', page, re.S)
    assert match, field_id
    return html_lib.unescape(match.group(1))


def test_extension_special_reason_is_marked_required(ladder):
    c = case(ladder.unit, "M-1", main=ladder.bob, start=datetime.date(2024, 2, 1))
    page = ladder.client("alice").get(reverse("caseload:investigation_extend", args=[c.pk])).content.decode()
    assert _label(page, "id_reason") == 'Särskilt skäl <span aria-hidden="true">*</span>'
    assert _label(page, "id_new_deadline").endswith('<span aria-hidden="true">*</span>')


def test_reassignment_reason_says_when_it_is_required(ladder):
    c = case(ladder.unit, "M-2", main=ladder.bob)
    page = html_lib.unescape(ladder.client("alice").get(reverse("caseload:case_assign", args=[c.pk])).content.decode())
    assert _label(page, "id_reason") == "Skäl"
    assert "Krävs när ärendet redan har en huvudhandläggare (omfördelning)." in page


def test_intake_decision_reason_is_marked_required(world):
    report = item(world.intake_unit, by=world.grace, days=3)
    page = world.client("heidi").get(reverse("intake:detail", args=[report.pk])).content.decode()
    assert _label(page, "id_d-reason") == 'Skäl <span aria-hidden="true">*</span>'
