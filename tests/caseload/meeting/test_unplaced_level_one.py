"""The allocation engine and board treat a worker not placed on the ladder as level 1 (issue 16, item 8).

Nina is newly hired and not placed yet; Bob is away the whole allocation week and Carol is the specialist,
so only Nina could be main handler. Before, she was handed to the engine as level 2: main of the weight-3
case, with no co-handler on the light one.
"""

import datetime

from django.urls import reverse

from caseload.meeting import selectors, services
from caseload.models import Case, MeetingCycle, ProposedAllocation
from staff.models import Absence
from tests.caseload.factories import case, worker

ALLOCATION_MONDAY = datetime.date(2026, 1, 12)


def test_the_engine_keeps_an_unplaced_worker_to_the_level_one_rules(cycle):
    w = cycle
    nina = worker(w.unit, "nina", level=2)
    nina.level_placements.all().delete()
    Absence.objects.create(
        organisation=w.org, staff=w.bob, kind="sick", start=ALLOCATION_MONDAY, end=datetime.date(2026, 1, 25)
    )
    case(w.unit, "HEAVY", start=datetime.date(2026, 1, 2), weight=3)
    case(w.unit, "LIGHT", start=datetime.date(2026, 1, 2), weight=1)
    html = w.client("alice").post(reverse("caseload:proposal_make", args=[w.unit.pk]), follow=True).content.decode()
    assert "Förslaget är klart." in html
    meeting = MeetingCycle.objects.get(unit=w.unit)
    rows = {r.case.number: r for r in ProposedAllocation.objects.filter(cycle=meeting).select_related("case")}
    assert rows["HEAVY"].main_id != nina.pk
    assert all(r.co_id is not None for r in rows.values() if r.main_id == nina.pk)  # never alone
    situations = selectors.worker_situations(
        organisation=w.org, unit=w.unit, cycle=services._point_of(meeting), meeting=meeting
    )
    situation = next(s for s in situations if s.staff == nina)
    assert situation.level == 1 and not situation.placed and situation.capacity == 12
    workers = html.split('id="workers-table"', 1)[1].split("</table>", 1)[0]
    nina_row = workers.split("Nina", 1)[1].split("</tr>", 1)[0]
    assert ">1 <span" in nina_row and "(inte placerad)" in nina_row and ">12,0<" in nina_row
    assert Case.objects.get(number="HEAVY").status == Case.Status.AWAITING_ALLOCATION
