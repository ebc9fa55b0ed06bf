"""Issue 16 item 7 (docs/domain.md sections 3 and 5): a level-4 specialist holds no own cases but may co-handle,
and a level-1 worker always has a co-handler. Co-handling has a capacity of its own for specialists
(`CaseloadSettings.specialist_co_capacity`, weighted co-handled cases), used by the engine, the board and
the unit page alike: a free specialist is proposed as co-handler instead of the case being carried over.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from caseload.meeting import services
from caseload.models import CaseloadSettings, ProposedAllocation
from caseload.selectors import worker_loads
from tests.caseload.factories import case, worker
from tests.caseload.meeting.test_board import _meeting

OPEN = datetime.date(2025, 11, 3)


@pytest.fixture
def crew(cycle):
    """Eve (level 1) has room; Bob (level 2) is full; Carol (the specialist) co-handles `co_cases` cases."""
    settings = CaseloadSettings.for_org(cycle.org)
    settings.capacity_level_2 = settings.capacity_level_3 = 1
    settings.specialist_co_capacity = 6
    settings.save()
    cycle.eve = worker(cycle.unit, "eve", level=1)
    case(cycle.unit, "BOB-1", main=cycle.bob, start=OPEN)  # Bob: load 1 of capacity 1
    cycle.queued = case(cycle.unit, "NEW-1", start=datetime.date(2026, 1, 5))
    return cycle


def _carol_co_handles(w, n):
    dora = worker(w.unit, "dora", level=3)
    for i in range(n):
        case(w.unit, f"CO-{i}", main=dora, co=w.carol, start=OPEN)


def _proposed(w):
    services.proposal_make(organisation=w.org, actor=w.alice, meeting=_meeting(w))
    return ProposedAllocation.objects.get(case=w.queued)


def test_a_free_specialist_is_proposed_as_co_handler_of_a_level_one_main(crew):
    row = _proposed(crew)
    assert (row.outcome, row.main_id, row.co_id) == ("assigned", crew.eve.pk, crew.carol.pk)


def test_specialist_one_below_the_co_capacity_takes_one_more(crew):
    _carol_co_handles(crew, 5)  # 5 of 6: room for one more weight-1 co-handled case
    row = _proposed(crew)
    assert (row.outcome, row.co_id) == ("assigned", crew.carol.pk)


def test_specialist_at_the_co_capacity_takes_no_more(crew):
    _carol_co_handles(crew, 6)  # 6 of 6 (Dora, level 3, has room but the case needs a level-1 main's co)
    row = _proposed(crew)
    assert (row.outcome, row.main_id, row.co_id) == ("carried_over", None, None)


def test_board_and_unit_page_show_the_specialists_co_handling_capacity(crew):
    w = crew
    settings = CaseloadSettings.for_org(w.org)
    load = next(x for x in worker_loads(organisation=w.org, staff=[w.carol], today=OPEN, settings=settings))
    assert load.capacity == Decimal("3.00")  # 6 co-handled cases at the co-handling share 0.5
    html = w.client("alice").get(reverse("caseload:board", args=[w.unit.pk])).content.decode()
    carol_row = html.split('id="workers-table"', 1)[1].split("Carol", 1)[1].split("</tr>", 1)[0]
    assert ">3,0<" in carol_row
