"""Issue 16 item 5 (docs/domain.md section 7): only non-acute cases that cannot be allocated are carried over.
An acute case is always allocated: with no room left anywhere, to the least loaded worker who may take it,
over capacity, with a warning naming the load; confirming gives it its handlers."""

import datetime

import pytest
from django.urls import reverse

from caseload.models import Assignment, Case, CaseloadSettings, ProposedAllocation
from staff.models import Absence
from tests.caseload.factories import case, worker
from tests.caseload.meeting.test_board import _post

OPEN = datetime.date(2025, 11, 3)


@pytest.fixture
def full(cycle):
    """Capacity 2 each: Bob carries 2 (full), Dora (level 3) 1; Carol (specialist) co-handles only.
    One acute case of weight 2 is waiting: it fits nowhere."""
    settings = CaseloadSettings.for_org(cycle.org)
    settings.capacity_level_2 = settings.capacity_level_3 = 2
    settings.save()
    cycle.dora = worker(cycle.unit, "dora", level=3)
    case(cycle.unit, "BOB-1", main=cycle.bob, start=OPEN, weight=2)
    case(cycle.unit, "DORA-1", main=cycle.dora, start=OPEN)
    cycle.acute = case(cycle.unit, "AKUT-1", start=datetime.date(2026, 1, 7), weight=2)
    Case.objects.filter(pk=cycle.acute.pk).update(acute=True)
    return cycle


def test_acute_case_without_room_goes_to_the_least_loaded_over_capacity_with_a_warning(full):
    w = full
    html = _post(w, "alice", "proposal_make").content.decode()
    row = ProposedAllocation.objects.get(case=w.acute)
    # Dora 1 + 2 = 3 of 2 (150 %) is less loaded than Bob 2 + 2 = 4 of 2 (200 %); Carol has room as co.
    assert (row.outcome, row.main_id, row.co_id) == ("assigned", w.dora.pk, w.carol.pk)
    assert "main=over_capacity" in row.reasons
    assert (
        f"Det akuta ärendet AKUT-1 fördelas över kapaciteten: med förslaget får {w.dora.full_name} en viktad"
        " belastning på 3,0, kapacitet 2,0." in html
    )
    assert "kunde inte placeras" not in html
    _post(w, "alice", "proposal_confirm")
    handlers = set(Assignment.objects.filter(case=w.acute, end__isnull=True).values_list("role", "staff_id"))
    assert handlers == {("main", w.dora.pk), ("co", w.carol.pk)}


def test_acute_case_that_fits_is_placed_within_capacity_without_warning(full):
    w = full
    Case.objects.filter(pk=w.acute.pk).update(weight=1)  # Dora has exactly 1 left: 2 of 2
    html = _post(w, "alice", "proposal_make").content.decode()
    row = ProposedAllocation.objects.get(case=w.acute)
    assert (row.outcome, row.main_id) == ("assigned", w.dora.pk)
    assert "over_capacity" not in row.reasons
    assert "fördelas över kapaciteten" not in html


def test_acute_case_stays_flagged_only_when_nobody_may_take_it(full):
    w = full
    for person in (w.bob, w.dora):
        Absence.objects.create(
            organisation=w.org,
            staff=person,
            kind="vacation",
            start=datetime.date(2026, 1, 12),
            end=datetime.date(2026, 1, 16),
        )
    _post(w, "alice", "proposal_make")
    assert ProposedAllocation.objects.get(case=w.acute).outcome == "flagged"


def test_after_confirmation_the_manager_allocates_a_new_acute_case_now_from_the_board(full):
    w = full
    _post(w, "alice", "proposal_make")
    _post(w, "alice", "proposal_confirm")
    new = case(w.unit, "AKUT-2", start=datetime.date(2026, 1, 8))
    Case.objects.filter(pk=new.pk).update(acute=True)
    board = w.client("alice").get(reverse("caseload:board", args=[w.unit.pk])).content.decode()
    queue = board.split('id="queue-table"', 1)[1].split("</table>", 1)[0]
    assert f'<a href="{reverse("caseload:case_detail", args=[new.pk])}">AKUT-2</a>' in queue
    assign = reverse("caseload:case_assign", args=[new.pk])
    assert f'href="{assign}">Fördela AKUT-2 nu</a>' in queue
    worker_board = w.client("bob").get(reverse("caseload:board", args=[w.unit.pk])).content.decode()
    worker_queue = worker_board.split('id="queue-table"', 1)[1].split("</table>", 1)[0]
    assert "AKUT-2" in worker_queue and "Fördela" not in worker_queue and "<a href" not in worker_queue
    response = w.client("alice").post(assign, {"main": w.bob.pk, "co": w.carol.pk, "reason": "", "version": 0})
    assert response.status_code == 302
    assert Case.objects.get(pk=new.pk).status == Case.Status.OPEN
