"""Follow-up per cycle on the unit's cycle page: allocated, carried over, wait, load spread, closed vs target."""

import datetime

import time_machine
from django.urls import reverse

from caseload.meeting import services
from caseload.models import CaseloadSettings, ProposedAllocation
from caseload.services import case_assign
from tests.caseload.meeting.test_board import _meeting, queue  # noqa: F401


def test_follow_up_after_confirmation_and_acute_redistribution(queue):  # noqa: F811
    w = queue
    CaseloadSettings.objects.filter(organisation=w.org).update(specialist_co_capacity=0)  # two workers with capacity
    meeting = _meeting(w)
    services.proposal_make(organisation=w.org, actor=w.alice, meeting=meeting)
    plan = {"Q-0": (w.bob, None), "Q-1": (w.dora, w.bob)}
    for row in ProposedAllocation.objects.select_related("case", "cycle__unit"):
        main, co = plan.get(row.case.number, (None, None))
        services.proposal_adjust(organisation=w.org, actor=w.alice, row=row, main=main, co=co)
    services.wrap_up_save(organisation=w.org, actor=w.alice, meeting=meeting, notes="Bra möte")
    services.proposal_confirm(organisation=w.org, actor=w.alice, meeting=meeting)
    acute = ProposedAllocation.objects.get(case__number="Q-ACUTE").case
    with time_machine.travel(datetime.datetime(2026, 1, 14, 9), tick=False):
        case_assign(organisation=w.org, actor=w.alice, case=acute, main=w.dora, co=None, reason="", expected_version=0)
        html = w.client("alice").get(reverse("caseload:unit_cycle", args=[w.unit.pk])).content.decode()
    row = html.split('id="follow-up"', 1)[1].split("<tbody>", 1)[1].split("</tr>", 1)[0]
    cells = [c.split(">", 1)[1].split("</td", 1)[0].strip() for c in row.split("<td")[1:]]
    assert cells[0] == "12 januari 2026"
    assert cells[1:4] == ["2", "2", "1"]  # allocated, carried over, acute not placed
    assert cells[4] == "6,5"  # Q-0 waited 7 weeks and Q-1 6 at the meeting
    # Bob 0 -> 1.5 of 2 (75 %), Dora 0 -> 1 of 2 (50 %): the spread grows from 0 to 25 points.
    assert cells[5] == "0 → 25"
    assert cells[6] == "0 / 5"  # two workers with capacity x 2 a month x 35 days
    assert "Q-ACUTE (14 januari)" in cells[7]
    assert "Bra möte" in cells[8]
