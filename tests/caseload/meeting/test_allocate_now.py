"""Issue 16 item 5: after the meeting is confirmed, the manager allocates a new acute case now: the case page
has "Fördela … nu", and its form proposes the least loaded worker who may take it, over capacity if need be
(docs/domain.md section 7: an acute case is always allocated), with a warning naming the load."""

import datetime

import pytest
from django.urls import reverse

from caseload.meeting import selectors
from caseload.models import Assignment, Case, CaseloadSettings
from tests.caseload.factories import case
from tests.caseload.meeting.test_acute_always_allocated import full  # noqa: F401 (a fixture)
from tests.caseload.meeting.test_board import _post


@pytest.fixture
def confirmed(full):  # noqa: F811
    """The meeting is confirmed (AKUT-1 went to Dora over capacity); then AKUT-2 (weight 2) enters the queue."""
    w = full
    _post(w, "alice", "proposal_make")
    _post(w, "alice", "proposal_confirm")
    w.new = case(w.unit, "AKUT-2", start=datetime.date(2026, 1, 8), weight=2)
    Case.objects.filter(pk=w.new.pk).update(acute=True)
    w.new.refresh_from_db()
    return w


def _assign_page(w, name="alice"):
    return w.client(name).get(reverse("caseload:case_assign", args=[w.new.pk]))


def test_the_case_page_of_a_waiting_case_offers_allocate_now_to_the_manager(confirmed):
    w = confirmed
    page = w.client("alice").get(reverse("caseload:case_detail", args=[w.new.pk])).content.decode()
    assert f'href="{reverse("caseload:case_assign", args=[w.new.pk])}">Fördela AKUT-2 nu</a>' in page


def test_allocate_now_proposes_the_least_loaded_eligible_worker_and_names_the_load_when_everyone_is_full(confirmed):
    w = confirmed
    # Bob carries 2 of 2, Dora 3 of 2 (AKUT-1): with AKUT-2 Bob has 4 (200 %), Dora 5 (250 %). Carol, the
    # specialist, is never main handler; she co-handles within her own capacity.
    suggestion = selectors.allocate_now(organisation=w.org, case=w.new, today=datetime.date(2026, 1, 8))
    assert (suggestion.main, suggestion.co) == (w.bob, w.carol)
    html = _assign_page(w).content.decode()
    assert f'<option value="{w.bob.pk}" selected>' in html.split('name="main"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{w.carol.pk}" selected>' in html.split('name="co"', 1)[1].split("</select>", 1)[0]
    assert "Fördela nu: förslaget är de minst belastade som får ta ärendet" in html
    assert (
        f"Det akuta ärendet AKUT-2 fördelas över kapaciteten: med förslaget får {w.bob.full_name} en viktad"
        " belastning på 4,0, kapacitet 2,0." in html
    )
    response = w.client("alice").post(
        reverse("caseload:case_assign", args=[w.new.pk]),
        {"main": w.bob.pk, "co": w.carol.pk, "reason": "", "version": w.new.version},
    )
    assert response.status_code == 302
    handlers = set(Assignment.objects.filter(case=w.new, end__isnull=True).values_list("role", "staff_id"))
    assert handlers == {("main", w.bob.pk), ("co", w.carol.pk)}


def test_allocate_now_within_capacity_warns_of_nothing(confirmed):
    w = confirmed
    settings = CaseloadSettings.for_org(w.org)
    settings.capacity_level_2 = settings.capacity_level_3 = 10
    settings.save()
    html = _assign_page(w).content.decode()
    # Bob 2 + 2 = 4 of 10 is less loaded than Dora 3 + 2 = 5 of 10.
    assert f'<option value="{w.bob.pk}" selected>' in html.split('name="main"', 1)[1].split("</select>", 1)[0]
    assert "över kapaciteten" not in html and "data-over-capacity" not in html


def test_a_case_with_handlers_gets_no_allocate_now_proposal(confirmed):
    w = confirmed
    akut1 = Case.objects.get(number="AKUT-1")
    assert selectors.allocate_now(organisation=w.org, case=akut1, today=datetime.date(2026, 1, 8)) is None
    html = w.client("alice").get(reverse("caseload:case_assign", args=[akut1.pk])).content.decode()
    assert 'id="allocate-now"' not in html


def test_allocate_now_is_another_organisations_404(confirmed):
    assert _assign_page(confirmed, "charlie").status_code == 404
