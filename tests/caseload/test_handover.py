"""A leaver's handover (issue 19 part 3): the end date warns and leads to the handover; each case goes to its
co-handler by default or to a chosen person, under every rule of handlers (reused from case_assign); events,
history and notifications; one refused case saves nothing."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from caseload.models import Assignment, Case, CaseEvent
from staff.models import Notification, Role, StaffMember
from tests.caseload.factories import case, worker
from tests.factories import RoleAssignmentFactory, StaffMemberFactory
from tests.staff.test_staff_record_history import _edit

TODAY = datetime.date(2024, 6, 14)
pytestmark = pytest.mark.usefixtures("_frozen")


@pytest.fixture
def _frozen():
    with time_machine.travel(datetime.datetime(2024, 6, 14, 9), tick=False):
        yield


@pytest.fixture
def team(ladder):
    """bob (level 2) leaves; dora (level 3), eve (level 2) and nova (level 1) stay; carol is the specialist."""
    w = ladder
    w.people["dora"] = worker(w.unit, "dora", level=3)
    w.people["eve"] = worker(w.unit, "eve", level=2)
    w.people["nova"] = worker(w.unit, "nova", level=1)
    return w


def _handlers(c) -> tuple:
    current = {a.role: a.staff for a in Assignment.objects.filter(case=c, end__isnull=True)}
    return current.get("main"), current.get("co")


def _post(w, who="alice", reason="Bob slutar 30 juni", **chosen):
    data = {"reason": reason} | {f"case-{c.pk}": person.pk for c, person in chosen.values()}
    return w.client(who).post(reverse("caseload:handover", args=[w.bob.pk]), data)


def test_default_hands_each_case_to_its_co_handler(team):
    w = team
    a = case(w.unit, "A-1", main=w.bob, co=w.dora)
    b = case(w.unit, "A-2", main=w.dora, co=w.bob)
    closed = case(w.unit, "A-3", main=w.bob, co=w.eve, closed_on=datetime.date(2024, 5, 1))
    page = w.client("alice").get(reverse("caseload:handover", args=[w.bob.pk])).content.decode()
    table = page.split('data-testid="handover-cases"', 1)[1].split("</table>", 1)[0]
    assert "A-1" in table and "A-2" in table and "A-3" not in table
    response = _post(w)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _handlers(a) == (w.dora, None)  # the co-handler became main handler
    assert _handlers(b) == (w.dora, None)  # a leaving co-handler is not replaced
    assert _handlers(closed) == (None, None)  # a closed case is left alone (its handlers ended when it closed)
    ended = Assignment.objects.get(case=a, staff=w.bob)
    assert ended.end == TODAY
    new = Assignment.objects.get(case=a, staff=w.dora, role="main")
    assert new.assigned_by == w.alice and "Bob slutar 30 juni" in new.reason
    # The timeline names who, what and why; the history row names the person and the handover.
    event = CaseEvent.objects.get(case=a, kind=CaseEvent.Kind.ASSIGNED)
    assert event.actor == w.alice and "Bob slutar 30 juni" in event.detail and "Dora" in event.detail
    row = Assignment.history.filter(id=new.pk).get()
    assert row.history_user == w.alice.user and row.history_change_reason == f"Handover: {w.bob.pk}"
    # Dora is told once, naming the case she now handles as main handler; no one else is told.
    note = Notification.objects.get(recipient=w.dora)
    assert "A-1 (huvudhandläggare)" in note.body and "A-2" not in note.body
    assert [a.pk, a.unit_id] in note.case_refs
    assert Notification.objects.count() == 1


def test_to_chosen_people(team):
    w = team
    a = case(w.unit, "A-1", main=w.bob, co=w.dora)
    b = case(w.unit, "A-2", main=w.dora, co=w.bob)
    c = case(w.unit, "A-3", main=w.bob, co=w.dora)
    assert _post(w, x=(a, w.eve), y=(b, w.eve), z=(c, w.dora)).status_code == 302
    assert _handlers(a) == (w.eve, w.dora)  # eve takes bob's place, dora stays co-handler
    assert _handlers(b) == (w.dora, w.eve)  # eve becomes co-handler
    assert _handlers(c) == (w.dora, None)  # the co-handler chosen as main: no co-handler left
    note = Notification.objects.get(recipient=w.eve)
    assert "A-1 (huvudhandläggare)" in note.body and "A-2 (medhandläggare)" in note.body
    assert "A-3 (huvudhandläggare)" in Notification.objects.get(recipient=w.dora).body


def test_the_level_1_rule_refuses_with_the_reason_and_nothing_is_saved(team):
    w = team
    a = case(w.unit, "A-1", main=w.bob, co=w.dora)
    b = case(w.unit, "A-2", main=w.bob, co=w.nova)  # nova (level 1) would be main handler alone
    response = _post(w)
    assert response.status_code == 400
    errors = response.context["form"].non_field_errors()
    assert errors == ["Ärende A-2: En medarbetare på nivå 1 har alltid en medhandläggare: välj en."]
    assert "Inget lämnades över" in response.content.decode()
    # All or nothing: A-1 was fine but is not moved either; no event, no message.
    assert _handlers(a) == (w.bob, w.dora) and _handlers(b) == (w.bob, w.nova)
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.ASSIGNED).exists()
    assert not Notification.objects.exists()
    assert Case.objects.get(pk=a.pk).version == a.version
    # Choosing someone for A-2 keeps nova as co-handler: accepted.
    assert _post(w, x=(b, w.eve)).status_code == 302
    assert _handlers(a) == (w.dora, None) and _handlers(b) == (w.eve, w.nova)


def test_a_level_1_main_handler_keeps_a_co_handler(team):
    w = team
    c = case(w.unit, "A-1", main=w.nova, co=w.bob)
    response = _post(w)
    assert response.context["form"].non_field_errors() == [
        "Ärende A-1: En medarbetare på nivå 1 har alltid en medhandläggare: välj en."
    ]
    assert _handlers(c) == (w.nova, w.bob)
    assert _post(w, x=(c, w.dora)).status_code == 302
    assert _handlers(c) == (w.nova, w.dora)


def test_the_other_rules_of_handlers_apply_too(team):
    w = team
    a = case(w.unit, "A-1", main=w.bob, co=w.dora)
    b = case(w.unit, "A-2", main=w.bob)
    response = _post(w, x=(a, w.carol))  # the specialist holds no own cases; A-2 has no co-handler
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Ärende A-1: En specialist har inga egna ärenden: välj specialisten som medhandläggare i stället.",
        "Ärende A-2 har ingen medhandläggare som kan ta över: välj vem som gör det.",
    ]
    assert _handlers(a) == (w.bob, w.dora) and _handlers(b) == (w.bob, None)


def test_someone_outside_the_unit_cannot_be_chosen(team):
    w = team
    a = case(w.unit, "A-1", main=w.bob, co=w.dora)
    response = w.client("alice").post(
        reverse("caseload:handover", args=[w.bob.pk]), {"reason": "Slutar", f"case-{a.pk}": w.heidi.pk}
    )
    assert response.status_code == 400 and response.context["form"].errors[f"case-{a.pk}"]
    assert _handlers(a) == (w.bob, w.dora)


def test_a_reason_is_required_and_may_hold_no_personal_identity_number(team):
    w = team
    a = case(w.unit, "A-1", main=w.bob, co=w.dora)
    assert _post(w, reason="").status_code == 400
    response = _post(w, reason="Klient 19121212-1212 byter")
    assert response.status_code == 400
    assert _handlers(a) == (w.bob, w.dora)


@pytest.mark.parametrize("who", ["bob", "dora", "erin", "dave", "other_manager"])
def test_others_cannot_hand_over(team, who):
    w = team
    if who == "other_manager":
        manager = StaffMemberFactory(organisation=w.org, unit=w.intake_unit)
        RoleAssignmentFactory(organisation=w.org, staff=manager, role=Role.UNIT_MANAGER, unit=w.intake_unit)
        w.people["other_manager"] = manager
    a = case(w.unit, "A-1", main=w.bob, co=w.dora)
    assert w.client(who).get(reverse("caseload:handover", args=[w.bob.pk])).status_code == 403
    assert _post(w, who=who).status_code == 403
    assert _handlers(a) == (w.bob, w.dora)


def test_the_organisation_admin_hands_over_from_the_end_date(team):
    w = team
    a = case(w.unit, "A-1", main=w.bob, co=w.dora)
    case(w.unit, "A-2", main=w.eve, co=w.bob)
    frank = w.client("frank")
    response = _edit(frank, w.bob, employment_end="2024-06-30", leaving_reason="Ny tjänst")
    assert response.status_code == 302
    assert response["Location"] == reverse("caseload:handover", args=[w.bob.pk])
    page = frank.get(response["Location"]).content.decode()
    assert "Bob Testsson har fortfarande 2 öppna ärenden" in page
    assert _post(w, who="frank").status_code == 302
    assert _handlers(a) == (w.dora, None)
    assert Assignment.objects.get(case=a, staff=w.dora, role="main").assigned_by == w.frank
    done = w.client("frank").get(reverse("caseload:handover", args=[w.bob.pk])).content.decode()
    assert 'data-testid="handover-empty"' in done


def test_an_end_date_without_open_cases_stays_on_the_person_page(team):
    w = team
    case(w.unit, "A-1", main=w.bob, co=w.dora, closed_on=datetime.date(2024, 5, 1))
    response = _edit(w.client("frank"), w.bob, employment_end="2024-06-30")
    assert response["Location"] == reverse("staff:admin_staff_edit", args=[w.bob.pk])


def _seen(w) -> str:
    """The hidden field of the page as it is opened now."""
    page = w.client("alice").get(reverse("caseload:handover", args=[w.bob.pk])).content.decode()
    return page.split('name="seen" value="', 1)[1].split('"', 1)[0]


def test_a_changed_case_meanwhile_is_refused_not_overwritten(team):
    """The page carries the cases and versions it showed: a reassignment made after it was opened refuses the
    handover, and the page shown again hands over what holds now."""
    w = team
    a = case(w.unit, "A-1", main=w.bob, co=w.dora)
    from caseload import services

    seen = _seen(w)
    services.case_assign(
        organisation=w.org, actor=w.ivan, case=a, main=w.eve, co=w.bob, reason="Byte", expected_version=0
    )
    url = reverse("caseload:handover", args=[w.bob.pk])
    refused = w.client("alice").post(url, {"reason": "Bob slutar", "seen": seen})
    assert refused.status_code == 400 and "ändrades medan du lämnade över" in refused.content.decode()
    assert _handlers(a) == (w.eve, w.bob)  # ivan's assignment stands
    assert w.client("alice").post(url, {"reason": "Bob slutar", "seen": _seen(w)}).status_code == 302
    assert _handlers(a) == (w.eve, None)


def test_a_case_given_to_the_leaver_after_the_page_was_opened_is_not_handed_over_unseen(team):
    w = team
    case(w.unit, "A-1", main=w.bob, co=w.dora)
    seen = _seen(w)
    late = case(w.unit, "A-2", main=w.bob, co=w.eve)
    url = reverse("caseload:handover", args=[w.bob.pk])
    assert w.client("alice").post(url, {"reason": "Bob slutar", "seen": seen}).status_code == 400
    assert _handlers(late) == (w.bob, w.eve)


@pytest.mark.parametrize(("ends", "refused"), [(-1, True), (0, True), (1, False)])
def test_a_receiver_who_has_left_or_leaves_today_is_refused(team, ends, refused):
    """dora, the default receiver, whose last day is yesterday, today or tomorrow."""
    w = team
    a = case(w.unit, "A-1", main=w.bob, co=w.dora)
    today = timezone.localdate()
    StaffMember.objects.filter(pk=w.dora.pk).update(employment_end=today + datetime.timedelta(days=ends))
    response = _post(w)
    if refused:
        assert response.status_code == 400 and "kan inte ta över det" in response.content.decode()
        assert _handlers(a) == (w.bob, w.dora)
    else:
        assert response.status_code == 302 and _handlers(a) == (w.dora, None)


def test_the_leaver_cannot_be_chosen_for_their_own_cases(team):
    from caseload.services.handover import cases_hand_over
    from staff.access import Access

    w = team
    a = case(w.unit, "A-1", main=w.bob, co=w.dora)
    with pytest.raises(ValidationError):
        cases_hand_over(
            organisation=w.org,
            actor=w.alice,
            access=Access.load(w.alice),
            leaver=w.bob,
            reason="x",
            chosen={a.pk: w.bob},
        )


def _page_queries(w, count, start):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(count):
        case(w.unit, f"Q-{start + n}", main=w.bob, co=w.dora)
    client = w.client("alice")
    url = reverse("caseload:handover", args=[w.bob.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_handover_page_makes_as_many_queries_for_8_cases_as_for_2(team):
    assert _page_queries(team, 2, 0) == _page_queries(team, 6, 2)


def test_one_open_case_is_named_in_the_singular(team):
    w = team
    case(w.unit, "A-1", main=w.bob, co=w.dora)
    frank = w.client("frank")
    response = _edit(frank, w.bob, employment_end="2024-06-30")
    page = frank.get(response["Location"]).content.decode()
    assert "Bob Testsson har fortfarande 1 öppet ärende. Lämna över det före sista dagen" in page
    done = frank.post(response["Location"], {"reason": "Slutar"}, follow=True).content.decode()
    assert "1 ärende från Bob Testsson lämnades över; den nya handläggaren har fått meddelande." in done


def test_every_case_with_no_one_chosen_to_one_person(team):
    w = team
    a = case(w.unit, "A-1", main=w.bob, co=w.dora)
    b = case(w.unit, "A-2", main=w.dora, co=w.bob)
    c = case(w.unit, "A-3", main=w.bob, co=w.nova)
    response = w.client("alice").post(
        reverse("caseload:handover", args=[w.bob.pk]),
        {"reason": "Slutar", "everyone": w.eve.pk, f"case-{c.pk}": w.dora.pk},
    )
    assert response.status_code == 302
    assert _handlers(a) == (w.eve, w.dora)
    assert _handlers(b) == (w.dora, w.eve)
    assert _handlers(c) == (w.dora, w.nova)  # the case's own choice wins


def test_one_person_for_every_case_still_meets_each_rule(team):
    w = team
    a = case(w.unit, "A-1", main=w.bob, co=w.dora)
    response = w.client("alice").post(
        reverse("caseload:handover", args=[w.bob.pk]), {"reason": "Slutar", "everyone": w.carol.pk}
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Ärende A-1: En specialist har inga egna ärenden: välj specialisten som medhandläggare i stället."
    ]
    assert _handlers(a) == (w.bob, w.dora)


def test_only_case_workers_of_the_cases_unit_by_role_and_home_unit_are_offered(team):
    """The rules of handlers take a case worker of the case's unit by role and by home unit: someone whose role
    is in the unit but whose home unit is another is not offered (they would be refused on saving)."""
    w = team
    a = case(w.unit, "A-1", main=w.bob, co=w.dora)
    visitor = StaffMemberFactory(organisation=w.org, unit=w.intake_unit, first_name="Vera")
    RoleAssignmentFactory(organisation=w.org, staff=visitor, role=Role.SOCIAL_WORKER, unit=w.unit)
    form = w.client("alice").get(reverse("caseload:handover", args=[w.bob.pk])).context["form"]
    offered = {pk for pk, _label in form.fields[f"case-{a.pk}"].choices if pk}
    assert w.eve.pk in offered and w.dora.pk in offered
    assert visitor.pk not in offered and w.heidi.pk not in offered and w.bob.pk not in offered


def test_each_person_offered_shows_the_load_they_carry(team):
    w = team
    a = case(w.unit, "A-1", main=w.bob, co=w.dora)
    case(w.unit, "A-2", main=w.eve, co=w.dora)
    case(w.unit, "A-3", main=w.eve, co=w.nova)
    form = w.client("alice").get(reverse("caseload:handover", args=[w.bob.pk])).context["form"]
    labels = dict(form.fields[f"case-{a.pk}"].choices)
    from caseload.models import CaseloadSettings
    from caseload.selectors.load import worker_loads

    eve = worker_loads(organisation=w.org, staff=[w.eve], today=TODAY, settings=CaseloadSettings.for_org(w.org))[0]
    assert eve.cases == 2 and eve.percent is not None
    assert labels[w.eve.pk] == f"{w.eve.full_name} (2 öppna ärenden, {eve.percent} % av kapaciteten)"
    assert labels[w.dora.pk].startswith(f"{w.dora.full_name} (2 öppna ärenden, ")
    assert dict(form.fields["everyone"].choices)[w.eve.pk] == labels[w.eve.pk]


def test_a_case_in_another_unit_is_handed_over_by_that_units_manager_and_only_counted_for_the_home_unit(team):
    """Bob moved to intake while still holding a case in the investigation unit: intake's manager (his home
    unit's) sees the case counted, not named, and cannot hand it over; the investigation unit's manager can."""
    w = team
    a = case(w.unit, "A-1", main=w.bob, co=w.dora)
    home = StaffMemberFactory(organisation=w.org, unit=w.intake_unit, first_name="Hanna")
    RoleAssignmentFactory(organisation=w.org, staff=home, role=Role.UNIT_MANAGER, unit=w.intake_unit)
    w.people["hanna"] = home
    StaffMember.objects.filter(pk=w.bob.pk).update(unit=w.intake_unit)
    url = reverse("caseload:handover", args=[w.bob.pk])
    page = w.client("hanna").get(url)
    text = page.content.decode()
    assert page.status_code == 200 and "A-1" not in text
    assert "Utredning: 1 ärende" in text and 'data-testid="handover-empty"' in text
    refused = w.client("hanna").post(url, {"reason": "Slutar"})
    assert refused.status_code == 400 and _handlers(a) == (w.bob, w.dora)
    # The investigation unit's manager is not Bob's manager any more, yet hands over the case of her unit.
    assert w.client("alice").get(url).status_code == 200
    assert _post(w).status_code == 302
    assert _handlers(a) == (w.dora, None)
