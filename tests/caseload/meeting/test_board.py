"""The allocation board: queue, workers' situation, interest, duty, proposal, adjustment and confirmation."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from caseload.meeting import selectors, services
from caseload.models import Assignment, Case, CaseloadSettings, DutyDay, Interest, MeetingCycle, ProposedAllocation
from staff.models import Absence, Notification
from tests.caseload.factories import case, worker

ALLOCATION_MONDAY = datetime.date(2026, 1, 12)


def _board(w, name="alice"):
    return w.client(name).get(reverse("caseload:board", args=[w.unit.pk])).content.decode()


def _post(w, name, action, data=None, follow=True):
    return w.client(name).post(reverse(f"caseload:{action}", args=[w.unit.pk]), data or {}, follow=follow)


@pytest.fixture
def queue(cycle):
    """Bob (level 2) and Dora (level 3) with capacity 2 each; five cases waiting, one acute and heavy."""
    settings = CaseloadSettings.for_org(cycle.org)
    settings.capacity_level_2 = settings.capacity_level_3 = 2
    settings.save()
    cycle.dora = worker(cycle.unit, "dora", level=3)
    cycle.cases = [
        case(cycle.unit, f"Q-{n}", start=datetime.date(2025, 12, 1) + datetime.timedelta(days=7 * n)) for n in range(4)
    ]
    acute = case(cycle.unit, "Q-ACUTE", start=datetime.date(2026, 1, 7), weight=2)
    Case.objects.filter(pk=acute.pk).update(acute=True)
    cycle.cases.append(acute)
    return cycle


def test_board_shows_queue_and_each_workers_situation(queue, django_assert_max_num_queries):
    w = queue
    Absence.objects.create(
        organisation=w.org, staff=w.dora, kind="sick", start=ALLOCATION_MONDAY, end=datetime.date(2026, 1, 25)
    )
    w.bob.fte = Decimal("0.50")
    w.bob.save()
    # Bob is co-handler of a weight-2 open case: it counts at half its weight.
    case(w.unit, "OPEN-1", main=w.dora, co=w.bob, start=datetime.date(2025, 11, 1), weight=2)
    html = _board(w)
    queue_html = html.split('id="queue-table"', 1)[1].split("</table>", 1)[0]
    assert queue_html.index("Q-ACUTE") < queue_html.index("Q-0")  # acute first
    # Q-0 was opened on 24 November 2025: six full weeks before today (8 January).
    assert '>Q-0</a></td><td class="text-end">1</td>' in queue_html  # a link to the case for the manager
    assert ">6<" in queue_html
    workers = html.split('id="workers-table"', 1)[1].split("</table>", 1)[0]
    bob_row = workers.split("Bob Testsson", 1)[1].split("</tr>", 1)[0]
    # Load: half of weight 2; capacity 2 at 50 %; one case.
    assert "1 av 1 (100 %) · 1 ärende<" in bob_row
    dora_row = workers.split("Dora", 1)[1].split("</tr>", 1)[0]
    # Main of a weight-2 case; 14 of 35 days absent: capacity 2 * 0.6.
    assert "2 av 1,2 (167 %) · 1 ärende" in dora_row and "över kapaciteten" in dora_row
    assert "Frånvarande" in html
    # The board's queries do not grow with the queue (the weekly carry-over adds a fixed three or four).
    with django_assert_max_num_queries(54) as ctx:
        _board(w)
    first = len(ctx.captured_queries)
    for n in range(10):
        case(w.unit, f"MORE-{n}", start=datetime.date(2026, 1, 2))
    with django_assert_max_num_queries(first):
        _board(w)


def test_worker_marks_interest_but_not_in_another_units_case(queue):
    w = queue
    target = w.cases[0]
    html = _post(w, "bob", "interest_toggle", {"case": target.pk}).content.decode()
    assert f"Ditt intresse för {target.number} är noterat." in html
    assert Interest.objects.filter(staff=w.bob, case=target).exists()
    assert f"Ta tillbaka intresse för {target.number}" in html
    other = case(w.intake_unit, "INTAKE-1", start=datetime.date(2026, 1, 2))
    response = w.client("bob").post(reverse("caseload:interest_toggle", args=[w.unit.pk]), {"case": other.pk})
    assert response.status_code == 404  # not in this unit's queue
    assert not Interest.objects.filter(case=other).exists()
    # Heidi works in the intake unit: she may not mark interest in the investigation unit's case either.
    with pytest.raises(Exception, match="egen enhet|own unit"):
        services.interest_toggle(organisation=w.org, staff=w.heidi, case=target)
    _post(w, "bob", "interest_toggle", {"case": target.pk})
    assert not Interest.objects.filter(staff=w.bob, case=target).exists()


def test_duty_only_on_days_of_the_allocation_week(queue):
    w = queue
    html = _post(w, "alice", "duty_set", {"day": "2026-01-19", "staff": [w.bob.pk]}).content.decode()
    assert "Jour planeras bara för dagarna i fördelningsveckan." in html
    assert not DutyDay.objects.exists()
    html = _post(w, "alice", "duty_set", {"day": "2026-01-13", "staff": [w.bob.pk, w.dora.pk]}).content.decode()
    assert "Jourschemat för tisdag 13 januari är sparat." in html
    roster = html.split('id="duty-table"', 1)[1].split("</table>", 1)[0]
    tuesday = roster.split("tisdag 13 januari", 1)[1].split("</tr>", 1)[0]
    assert "Bob Testsson" in tuesday and "Dora" in tuesday
    assert _post(w, "bob", "duty_set", {"day": "2026-01-14", "staff": [w.bob.pk]}, follow=False).status_code == 403
    assert DutyDay.objects.count() == 2
    # Saving the day again replaces its list, and says who is no longer on duty.
    html = _post(w, "alice", "duty_set", {"day": "2026-01-13", "staff": [w.dora.pk]}).content.decode()
    assert "Jourschemat för tisdag 13 januari är sparat. Inte längre på jour den dagen: Bob Testsson." in html
    assert "Ersätter dagens jourlista: markera alla som har jour den dagen." in html
    assert list(DutyDay.objects.values_list("staff_id", flat=True)) == [w.dora.pk]


def test_proposal_adjust_confirm_and_carry_over(queue):
    w = queue
    Interest.objects.create(organisation=w.org, case=w.cases[0], staff=w.dora)
    html = _post(w, "alice", "proposal_make").content.decode()
    assert "Förslaget är klart." in html
    assert "Bevisat bäst: ingen fördelning inom enhetens regler" in html
    assert MeetingCycle.objects.get(unit=w.unit).proposal_proven
    rows = {r.case.number: r for r in ProposedAllocation.objects.select_related("case")}
    assert len(rows) == 5
    assert rows["Q-ACUTE"].outcome == "assigned"  # the acute case before anything
    carried = [r for r in rows.values() if r.outcome == "carried_over"]
    assert carried  # capacity 2 + 2 cannot take 6 weighted cases
    # The manager moves one case to Bob as main, Dora as co.
    changed = carried[0]
    html = _post(w, "alice", "proposal_adjust", {"row": changed.pk, "main": w.bob.pk, "co": w.dora.pk}).content.decode()
    assert f"Ändringen av {changed.case.number} är sparad." in html
    # Main and co must differ: refused, nothing changed.
    html = _post(w, "alice", "proposal_adjust", {"row": changed.pk, "main": w.bob.pk, "co": w.bob.pk}).content.decode()
    assert "Huvudhandläggare och medhandläggare måste vara olika personer." in html
    assert ProposedAllocation.objects.get(pk=changed.pk).co_id == w.dora.pk
    html = _post(w, "alice", "proposal_confirm").content.decode()
    assert "Fördelningen är fastställd" in html
    # Bob hears once which cases he got, by number only.
    note = Notification.objects.get(recipient=w.bob, key__startswith="allocated:")
    assert note.subject == "Nya ärenden från fördelningsmötet 2026-01-12"
    assert f"Huvudhandläggare: {changed.case.number}" in note.body
    assert note.url == reverse("caseload:my_caseload")
    assigned = ProposedAllocation.objects.filter(outcome="assigned")
    assert Assignment.objects.filter(role="main").count() == assigned.count()
    assert Case.objects.get(pk=changed.case_id).status == Case.Status.OPEN
    assert Assignment.objects.get(case=changed.case, role="main").staff == w.bob
    still = ProposedAllocation.objects.filter(outcome="carried_over").select_related("case")
    for row in still:
        assert Case.objects.get(pk=row.case_id).status == Case.Status.AWAITING_ALLOCATION
        assert f"{row.case.number}: väntat {row.weeks_waited} veckor" in html
    assert f"{still.count()} ärenden flyttades till nästa vecka." in html or f"{still.count()} ärende flyttades" in html
    # A second confirmation assigns nothing twice.
    before = Assignment.objects.count()
    html = _post(w, "alice", "proposal_confirm").content.decode()
    assert "Den här fördelningen är redan fastställd." in html
    assert Assignment.objects.count() == before
    # Bob sees his new case on "my caseload".
    mine = w.client("bob").get(reverse("caseload:my_caseload")).content.decode()
    assert changed.case.number in mine


def test_concurrent_confirmation_through_the_service_assigns_once(queue):
    w = queue
    meeting = _meeting(w)
    services.proposal_make(organisation=w.org, actor=w.alice, meeting=meeting)
    stale = MeetingCycle.objects.get(pk=meeting.pk)  # a second manager's copy, loaded before the first confirms
    services.proposal_confirm(organisation=w.org, actor=w.alice, meeting=meeting)
    count = Assignment.objects.count()
    with pytest.raises(Exception, match="redan fastställd|already confirmed"):
        services.proposal_confirm(organisation=w.org, actor=w.ivan, meeting=stale)
    assert Assignment.objects.count() == count


def test_confirming_after_a_capacity_change_is_refused_with_the_reason(queue):
    w = queue
    _post(w, "alice", "proposal_make")
    involved = ProposedAllocation.objects.filter(outcome="assigned").values_list("main_id", flat=True)
    assert w.bob.pk in involved or w.dora.pk in involved
    for person in (w.bob, w.dora):
        person.fte = Decimal("0.50")
        person.save()
    html = _post(w, "alice", "proposal_confirm").content.decode()
    assert "har ändrats från 2,0 till 1,0 sedan förslaget." in html
    assert "Ta fram ett nytt förslag innan du fastställer." in html
    assert not Assignment.objects.exists()
    assert MeetingCycle.objects.get().confirmed_at is None
    # A new proposal with the new capacity can be confirmed.
    _post(w, "alice", "proposal_make")
    assert "Fördelningen är fastställd" in _post(w, "alice", "proposal_confirm").content.decode()


def test_an_acute_case_that_fits_nowhere_is_flagged(queue):
    w = queue
    for person in (w.bob, w.dora):
        Absence.objects.create(
            organisation=w.org, staff=person, kind="vacation", start=ALLOCATION_MONDAY, end=datetime.date(2026, 1, 16)
        )
    html = _post(w, "alice", "proposal_make").content.decode()
    assert ProposedAllocation.objects.get(case__number="Q-ACUTE").outcome == "flagged"
    assert "1 akut ärende kunde inte placeras: lös det för hand." in html


def test_a_proposal_out_of_time_says_it_is_not_proven(queue):
    """With no time for the solver the greedy allocation comes back: the board says it is the best found,
    not the best possible."""
    w = queue
    meeting = _meeting(w)
    services.proposal_make(organisation=w.org, actor=w.alice, meeting=meeting, time_limit=0.0)

    meeting.refresh_from_db()
    assert not meeting.proposal_proven and meeting.proposal_gap is None
    html = _board(w)
    assert "Det bästa förslaget som hittades inom tidsgränsen; inte bevisat bäst." in html
    assert "Bevisat bäst" not in html


def test_workers_cannot_propose_or_confirm(queue):
    w = queue
    for action in ("proposal_make", "proposal_confirm", "proposal_adjust", "wrap_up_save"):
        assert _post(w, "bob", action, follow=False).status_code == 403
    assert not ProposedAllocation.objects.exists()


def test_wrap_up_notes_are_saved(queue):
    html = _post(queue, "alice", "wrap_up_save", {"notes": "Bra: alla akuta placerade."}).content.decode()
    assert "Avslutsanteckningarna är sparade." in html
    assert MeetingCycle.objects.get().wrap_up_notes == "Bra: alla akuta placerade."


def test_board_without_cycle_settings_has_an_empty_state(ladder):
    assert "Ingen fördelningscykel är inställd för enheten ännu." in _board(ladder)


def _meeting(w):
    settings = selectors.cycle_settings(organisation=w.org, unit=w.unit)
    cycle = selectors.board_cycle(settings, datetime.date(2026, 1, 8))
    return services.meeting_cycle_ensure(organisation=w.org, unit=w.unit, cycle=cycle)[0]


def test_saving_a_row_checks_the_level_rules_and_warns_about_overload(queue):
    """A level-1 main handler without a co-handler is refused when the row is saved (not first at
    confirmation), in the row; a save that puts someone over capacity is kept, with a warning in the row."""
    w = queue
    # Carol (the specialist) co-handles nothing here, so the new colleague cannot be main of every case.
    CaseloadSettings.objects.filter(organisation=w.org).update(specialist_co_capacity=0)
    erik = worker(w.unit, "erik", level=1)
    _post(w, "alice", "proposal_make")
    rows = {r.case.number: r for r in ProposedAllocation.objects.select_related("case")}

    ordinary = next(r for r in rows.values() if r.main_id != erik.pk)  # the new colleague got the others
    number = ordinary.case.number

    response = _post(w, "alice", "proposal_adjust", {"row": ordinary.pk, "main": erik.pk})
    assert response.redirect_chain[-1][0].endswith(f"#proposal-{number}")
    html = response.content.decode()
    row_html = html.split(f'id="proposal-{number}"', 1)[1].split("</tr>", 1)[0]
    assert f"{number}: En medarbetare på nivå 1 har alltid en medhandläggare" in row_html
    assert ProposedAllocation.objects.get(pk=ordinary.pk).main_id == ordinary.main_id  # nothing saved

    # Every case to Bob as main: far over his capacity of 2, saved, and said so in the row.
    for number in ("Q-0", "Q-1", "Q-2"):
        _post(w, "alice", "proposal_adjust", {"row": rows[number].pk, "main": w.bob.pk, "co": w.dora.pk})
    html = _post(w, "alice", "proposal_adjust", {"row": rows["Q-3"].pk, "main": w.bob.pk}).content.decode()
    row_html = html.split('id="proposal-Q-3"', 1)[1].split("</tr>", 1)[0]
    assert "Ändringen av Q-3 är sparad." in row_html
    assert "Obs: med förslaget får Bob Testsson en viktad belastning på" in row_html
    assert row_html.index("Ändringen av Q-3 är sparad.") < row_html.index("Obs: med förslaget")
    assert ProposedAllocation.objects.get(pk=rows["Q-3"].pk).main_id == w.bob.pk
    assert "4 rader är ändrade för hand" in html.split('id="proposal-quality"', 1)[1].split("</p>", 1)[0]
    workers_table = html.split('id="workers-table"', 1)[1].split("</table>", 1)[0]
    assert "Med förslaget" in workers_table and "över kapaciteten" in workers_table


def test_the_board_explains_each_choice_in_swedish_per_role(queue):
    w = queue
    Interest.objects.create(organisation=w.org, case=w.cases[0], staff=w.dora)
    html = _post(w, "alice", "proposal_make").content.decode()
    table = html.split('id="proposal-table"', 1)[1].split("</table>", 1)[0]
    assert "Huvudhandläggare: " in table
    assert "vill ha ärendet" in table or "har utrymme och jämnar ut belastningen" in table
    reasons = re.findall(r'<span class="d-block">([^<]*)</span>', table)
    assert reasons and not any(code in text for text in reasons for code in ("interest", "load", "on_duty"))
    html = _post(w, "alice", "proposal_confirm").content.decode()
    assert "Den fastställda fördelningen per ärende" in html
    # Confirmed, the cases are in the loads: no second count "with the proposal".
    assert "Med förslaget" not in html.split('id="workers-table"', 1)[1].split("</table>", 1)[0]
    # A row saved in a second tab after confirmation: refused, and the refusal shows in that row.
    row = ProposedAllocation.objects.select_related("case").first()
    html = _post(w, "alice", "proposal_adjust", {"row": row.pk, "main": w.bob.pk}).content.decode()
    row_html = html.split(f'id="proposal-{row.case.number}"', 1)[1].split("</tr>", 1)[0]
    assert "Den här fördelningen är redan fastställd." in row_html


def test_the_board_has_jump_links_and_lists_the_proposal_in_queue_order(queue):
    """Keyboard users jump to each section; the proposal lists acute cases first, then the longest waiting."""
    w = queue
    html = _post(w, "alice", "proposal_make").content.decode()
    nav = html.split('id="board-sections"', 1)[1].split("</nav>", 1)[0]
    targets = re.findall(r'href="#([^"]+)"', nav)
    assert len(targets) == 6
    assert all(f'id="{t}"' in html for t in targets)
    table = html.split('id="proposal-table"', 1)[1].split("</table>", 1)[0]
    order = re.findall(r'<tr id="proposal-([^"]+)"', table)
    assert order[0] == "Q-ACUTE"
    assert order[1:] == ["Q-0", "Q-1", "Q-2", "Q-3"]  # Q-0 started first: it has waited longest


def test_a_specialist_co_handling_cases_is_not_shown_as_overloaded(queue):
    """Specialists hold no own cases: their co-handled cases count against their co-handling capacity (6 cases
    at the share 0.5: 3.0), no overload; with a co-handling capacity of 0 the room reads "no own cases"."""
    w = queue
    sara = worker(w.unit, "sara", level=4)
    case(w.unit, "S-1", main=w.bob, co=sara, start=datetime.date(2025, 12, 1))
    html = _board(w)
    row = html.split('id="workers-table"', 1)[1].split("Sara", 1)[1].split("</tr>", 1)[0]
    assert "0,5 av 3 (17 %) · 1 ärende som medhandläggare" in row  # load of capacity
    assert '<td class="text-end">2,5</td>' in row  # room
    assert "över kapaciteten" not in row
    CaseloadSettings.objects.filter(organisation=w.org).update(specialist_co_capacity=0)
    row = _board(w).split('id="workers-table"', 1)[1].split("Sara", 1)[1].split("</tr>", 1)[0]
    assert "Specialister har inga egna ärenden" in row
    assert "över kapaciteten" not in row


def test_interest_takes_only_a_case_of_the_units_queue_and_tells_nothing_else(queue):
    """Another unit's queued case, an allocated case of the unit and an id of nobody get the same 404, and
    no access-log row names the case: the number was never shown."""
    from staff.platform.audit.models import AccessLogEntry

    w = queue
    other_unit = case(w.intake_unit, "INTAKE-2", start=datetime.date(2026, 1, 2))
    allocated = case(w.unit, "OPEN-2", main=w.dora, start=datetime.date(2025, 12, 1))
    missing = Case.objects.order_by("-pk").first().pk + 1000
    url = reverse("caseload:interest_toggle", args=[w.unit.pk])
    responses = [w.client("bob").post(url, {"case": pk}) for pk in (other_unit.pk, allocated.pk, missing)]
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert len({re.sub(r'(nonce|csrfmiddlewaretoken" value)="[^"]*"', "", r.content.decode()) for r in responses}) == 1
    for c in (other_unit, allocated):
        assert not AccessLogEntry.objects.filter(kind="case", object_id=c.pk).exists()
    assert not Interest.objects.filter(staff=w.bob).exists()
    assert w.client("bob").post(url, {"case": w.cases[0].pk}).status_code == 302  # the unit's queue: as before
    assert AccessLogEntry.objects.filter(kind="case", object_id=w.cases[0].pk, actor=w.bob, status=302).exists()
