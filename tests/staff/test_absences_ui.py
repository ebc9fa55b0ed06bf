"""Absences and group memberships in the app (issue 19 part 2): who may, the field messages at the edges, the
unit calendar (no N+1), history, and capacity following at once."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from staff.absences import services
from staff.models import Absence, GroupMembership, Role
from tests.factories import GroupFactory, RoleAssignmentFactory, StaffMemberFactory

TODAY = datetime.date(2024, 6, 14)
pytestmark = pytest.mark.usefixtures("_frozen")


@pytest.fixture
def _frozen():
    with time_machine.travel(datetime.datetime(2024, 6, 14, 9), tick=False):
        yield


def _data(**kw):
    data = {"absence-kind": "sick", "absence-start": "2024-06-10", "absence-end": "2024-06-12", "absence-extent": "100"}
    data.update({f"absence-{k}": v for k, v in kw.items()})
    return data


def _add(world, who, member, **kw):
    return world.client(who).post(reverse("staff:absences", args=[member.pk]), _data(**kw))


# --- who may -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["alice", "ivan", "frank"])
def test_the_unit_manager_and_the_organisation_admin_add_an_absence(world, who):
    response = _add(world, who, world.bob)
    assert response.status_code == 302
    absence = Absence.objects.get(staff=world.bob)
    assert (absence.kind, absence.start, absence.end, absence.extent) == (
        "sick",
        datetime.date(2024, 6, 10),
        datetime.date(2024, 6, 12),
        100,
    )
    # Attributable: the history row names the person and the page.
    row = Absence.history.get(id=absence.pk)
    assert row.history_user == getattr(world, who).user
    assert row.history_change_reason == services.REASON


def _other_unit_manager(world):
    manager = StaffMemberFactory(organisation=world.org, unit=world.intake_unit)
    RoleAssignmentFactory(organisation=world.org, staff=manager, role=Role.UNIT_MANAGER, unit=world.intake_unit)
    return manager


@pytest.mark.parametrize("who", ["bob", "carol", "erin", "dave", "other_manager"])
def test_others_of_the_organisation_are_refused(world, who):
    if who == "other_manager":
        world.people["other_manager"] = _other_unit_manager(world)
    client = world.client(who)
    assert client.get(reverse("staff:absences", args=[world.bob.pk])).status_code == 403
    assert _add(world, who, world.bob).status_code == 403
    assert client.get(reverse("staff:unit_absences", args=[world.unit.pk])).status_code == 403
    assert not Absence.objects.exists()


def test_a_manager_of_another_unit_cannot_change_or_remove_an_absence(world):
    absence = services.absence_create(
        organisation=world.org, member=world.bob, kind="sick", start=TODAY, end=TODAY, extent=100
    )
    world.people["other_manager"] = _other_unit_manager(world)
    client = world.client("other_manager")
    edit = reverse("staff:absence_edit", args=[world.bob.pk, absence.pk])
    assert client.post(edit, _data()).status_code == 403
    delete = reverse("staff:absence_delete", args=[world.bob.pk, absence.pk])
    assert client.post(delete, {"confirm": "1"}).status_code == 403
    assert Absence.objects.filter(pk=absence.pk, start=TODAY).exists()


def test_another_organisations_person_is_not_found(world):
    assert _add(world, "frank", world.charlie).status_code == 404
    assert not Absence.objects.exists()


# --- validation at the edges -----------------------------------------------------------------------------------


def test_end_the_day_before_start_is_refused_at_the_field(world):
    response = _add(world, "alice", world.bob, start="2024-06-10", end="2024-06-09")
    assert response.status_code == 400
    assert response.context["absence_form"].errors["end"] == ["Slutdatumet kan inte vara före startdatumet."]
    assert not Absence.objects.exists()


def test_a_single_day_is_allowed(world):
    assert _add(world, "alice", world.bob, start="2024-06-10", end="2024-06-10").status_code == 302
    assert Absence.objects.get().end == datetime.date(2024, 6, 10)


@pytest.mark.parametrize(("extent", "ok"), [("0", False), ("1", True), ("100", True), ("101", False)])
def test_extent_is_1_to_100(world, extent, ok):
    response = _add(world, "alice", world.bob, extent=extent)
    assert (response.status_code == 302) is ok
    assert Absence.objects.exists() is ok
    if not ok:
        assert response.context["absence_form"].errors["extent"]


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        ("2024-06-01", "2024-06-09", True),  # ends the day before the other starts
        ("2024-06-01", "2024-06-10", False),  # ends on its first day
        ("2024-06-12", "2024-06-20", False),  # starts on its last day
        ("2024-06-13", "2024-06-20", True),  # starts the day after it ends
        ("2024-06-11", "2024-06-11", False),  # inside it
        ("2024-06-01", "2024-06-30", False),  # around it
    ],
)
def test_an_absence_over_a_whole_absence_of_the_same_person_is_refused(world, start, end, ok):
    services.absence_create(
        organisation=world.org,
        member=world.bob,
        kind="vacation",
        start=datetime.date(2024, 6, 10),
        end=datetime.date(2024, 6, 12),
        extent=100,
    )
    response = _add(world, "alice", world.bob, start=start, end=end, extent="50")
    assert (response.status_code == 302) is ok
    assert Absence.objects.filter(staff=world.bob).count() == (2 if ok else 1)
    if not ok:
        message = response.context["absence_form"].errors["extent"][0]
        assert "Bob Testsson är redan registrerad som frånvarande 2024-06-10–2024-06-12 (Semester, 100 %)" in message
        assert "mer än 100 % den " in message


@pytest.mark.parametrize(
    ("start", "end", "extent", "over"),
    [
        ("2024-06-10", "2024-06-20", "50", None),  # 50 % + 50 %: the whole day, no more
        ("2024-06-10", "2024-06-20", "51", "2024-06-12"),  # 50 % + 51 %: over on the first day they share
        ("2024-06-01", "2024-06-11", "51", None),  # ends the day before it starts
        ("2024-06-01", "2024-06-12", "51", "2024-06-12"),  # ends on its first day
        ("2024-06-15", "2024-06-30", "51", "2024-06-15"),  # starts on its last day
        ("2024-06-16", "2024-06-30", "51", None),  # starts the day after it ends
    ],
)
def test_partial_absences_may_overlap_up_to_100_percent_a_day(world, start, end, extent, over):
    """A 50 % parental leave and a 50 % sick leave on the same days: capacity adds them day by day, so the
    pages accept them up to 100 % a day and refuse the first day over, naming it."""
    services.absence_create(
        organisation=world.org,
        member=world.bob,
        kind="parental",
        start=datetime.date(2024, 6, 12),
        end=datetime.date(2024, 6, 15),
        extent=50,
    )
    response = _add(world, "alice", world.bob, start=start, end=end, extent=extent)
    assert (response.status_code == 302) is (over is None)
    assert Absence.objects.filter(staff=world.bob).count() == (2 if over is None else 1)
    if over is not None:
        message = response.context["absence_form"].errors["extent"][0]
        assert f"mer än 100 % den {over}" in message and "(Föräldraledighet, 50 %)" in message


def test_two_overlapping_absences_lower_capacity_by_their_sum(world):
    from caseload.models import CaseloadSettings
    from caseload.selectors.load import worker_loads

    def capacity():
        settings = CaseloadSettings.for_org(world.org)
        return worker_loads(organisation=world.org, staff=[world.bob], today=TODAY, settings=settings)[0].capacity

    whole = capacity()
    june = {"start": datetime.date(2024, 6, 1), "end": datetime.date(2024, 6, 30)}
    services.absence_create(organisation=world.org, member=world.bob, kind="parental", extent=50, **june)
    half = capacity()
    services.absence_create(organisation=world.org, member=world.bob, kind="sick", extent=25, **june)
    assert (whole, half, capacity()) == (whole, whole / 2, whole / 4)


def test_another_persons_absence_on_the_same_days_is_fine(world):
    _add(world, "alice", world.bob)
    assert _add(world, "alice", world.carol).status_code == 302
    assert Absence.objects.count() == 2


def test_editing_an_absence_checks_overlap_with_the_others_but_not_itself(world):
    first = services.absence_create(
        organisation=world.org, member=world.bob, kind="sick", start=TODAY, end=TODAY, extent=100
    )
    services.absence_create(
        organisation=world.org,
        member=world.bob,
        kind="vacation",
        start=datetime.date(2024, 7, 1),
        end=datetime.date(2024, 7, 5),
        extent=100,
    )
    client = world.client("alice")
    url = reverse("staff:absence_edit", args=[world.bob.pk, first.pk])
    assert client.get(url).status_code == 200
    same = client.post(url, _data(start="2024-06-14", end="2024-06-16", extent="50"))
    assert same.status_code == 302
    first.refresh_from_db()
    assert (first.end, first.extent) == (datetime.date(2024, 6, 16), 50)
    clash = client.post(url, _data(start="2024-06-14", end="2024-07-01"))
    assert clash.status_code == 400 and "redan registrerad" in clash.context["form"].errors["extent"][0]
    first.refresh_from_db()
    assert first.end == datetime.date(2024, 6, 16)


def test_removing_asks_first_then_removes_with_history(world):
    absence = services.absence_create(
        organisation=world.org, member=world.bob, kind="sick", start=TODAY, end=TODAY, extent=100
    )
    client = world.client("alice")
    url = reverse("staff:absence_delete", args=[world.bob.pk, absence.pk])
    asked = client.post(url)
    assert asked.status_code == 200 and "Ta bort" in asked.content.decode()
    assert Absence.objects.filter(pk=absence.pk).exists()
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert not Absence.objects.filter(pk=absence.pk).exists()
    assert Absence.history.filter(id=absence.pk, history_type="-").get().history_user == world.alice.user


# --- the person pages show the section ------------------------------------------------------------------------


def test_the_ladder_person_page_and_the_admin_person_page_list_absences_and_groups(world):
    services.absence_create(
        organisation=world.org, member=world.bob, kind="parental", start=TODAY, end=TODAY, extent=40
    )
    ladder = world.client("alice").get(reverse("competence:staff_detail", args=[world.bob.pk])).content.decode()
    section = ladder.split('data-testid="absences"', 1)[1]
    assert "Föräldraledighet" in section and "40 %" in section and "Lägg till frånvaro" in section
    admin = world.client("frank").get(reverse("staff:admin_staff_edit", args=[world.bob.pk])).content.decode()
    assert "Föräldraledighet" in admin.split('data-testid="absences"', 1)[1]


def test_a_save_from_the_ladder_page_returns_there_and_a_foreign_next_is_ignored(world):
    back = reverse("competence:staff_detail", args=[world.bob.pk])
    response = _add(world, "alice", world.bob, next=back)
    assert response.status_code == 302
    response = world.client("alice").post(
        reverse("staff:absences", args=[world.bob.pk]),
        _data(start="2024-08-01", end="2024-08-02") | {"next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("staff:absences", args=[world.bob.pk])


def test_next_is_taken_from_the_form(world):
    back = reverse("competence:staff_detail", args=[world.bob.pk])
    response = world.client("alice").post(reverse("staff:absences", args=[world.bob.pk]), _data() | {"next": back})
    assert response["Location"] == back


# --- group memberships -----------------------------------------------------------------------------------------


def test_group_membership_add_and_end(world):
    group = world.unit.groups.get()
    client = world.client("alice")
    response = client.post(
        reverse("staff:membership_add", args=[world.bob.pk]),
        {"membership-group": group.pk, "membership-start": "2024-06-01"},
    )
    assert response.status_code == 302
    membership = GroupMembership.objects.get(staff=world.bob, group=group)
    again = client.post(
        reverse("staff:membership_add", args=[world.bob.pk]),
        {"membership-group": group.pk, "membership-start": "2024-06-10"},
    )
    assert again.status_code == 400
    assert again.context["membership_form"].errors["group"] == ["Bob Testsson är redan med i gruppen då."]
    end_url = reverse("staff:membership_end", args=[world.bob.pk, membership.pk])
    assert client.post(end_url, {"end": "2024-05-31"}).status_code == 400  # before it began
    membership.refresh_from_db()
    assert membership.end is None
    assert client.post(end_url, {"end": "2024-06-01"}).status_code == 302  # the same day is fine
    membership.refresh_from_db()
    assert membership.end == datetime.date(2024, 6, 1)
    assert GroupMembership.history.filter(id=membership.pk).count() == 2


def test_a_manager_can_only_choose_the_groups_of_the_persons_unit(world):
    other_group = GroupFactory(organisation=world.org, unit=world.intake_unit, name="Mottagning A")
    response = world.client("alice").post(
        reverse("staff:membership_add", args=[world.bob.pk]),
        {"membership-group": other_group.pk, "membership-start": "2024-06-01"},
    )
    assert response.status_code == 400 and not GroupMembership.objects.exists()


# --- the unit calendar -----------------------------------------------------------------------------------------


def test_the_calendar_marks_kind_and_extent_with_a_legend_and_month_links(world):
    services.absence_create(
        organisation=world.org,
        member=world.bob,
        kind="sick",
        start=datetime.date(2024, 6, 13),
        end=datetime.date(2024, 6, 14),
        extent=50,
    )
    html = world.client("alice").get(reverse("staff:unit_absences", args=[world.unit.pk])).content.decode()
    table = html.split('data-testid="absence-calendar"', 1)[1].split("</table>", 1)[0]
    assert "<caption" in table and '<th scope="row"' in table and '<th scope="col"' in table
    bob_row = next(r for r in table.split("<tr>") if "Bob Testsson" in r)
    assert bob_row.count('title="Sjukfrånvaro, 50 %"') == 2
    legend = html.split('data-testid="absence-legend"', 1)[1].split("</dl>", 1)[0]
    assert "Sjukfrånvaro" in legend and "Föräldraledighet" in legend
    assert "?month=2024-05" in html and "?month=2024-07" in html
    assert "<script>" not in html.split("<main", 1)[-1]


def test_overlapping_partial_absences_show_both_kinds_and_their_sum(world):
    for kind, start in (("parental", 13), ("sick", 14)):
        services.absence_create(
            organisation=world.org,
            member=world.bob,
            kind=kind,
            start=datetime.date(2024, 6, start),
            end=datetime.date(2024, 6, 14),
            extent=50,
        )
    html = world.client("alice").get(reverse("staff:unit_absences", args=[world.unit.pk])).content.decode()
    table = html.split('data-testid="absence-calendar"', 1)[1].split("</table>", 1)[0]
    bob_row = next(r for r in table.split("<tr>") if "Bob Testsson" in r)
    assert bob_row.count('<abbr title="Föräldraledighet, 50 %">F<br>50</abbr>') == 1  # the 13th
    assert bob_row.count('<abbr title="Föräldraledighet, 50 %; Sjukfrånvaro, 50 %">F+S</abbr>') == 1  # the 14th


def test_the_calendar_offers_who_starts_later_or_left_within_the_month_shown(world):
    """Not only those employed today: a planned leave for next month's new worker, and last month's sick leave
    of someone who has left since."""
    new = StaffMemberFactory(
        organisation=world.org, unit=world.unit, first_name="Nora", employment_start=datetime.date(2024, 7, 1)
    )
    gone = StaffMemberFactory(
        organisation=world.org,
        unit=world.unit,
        first_name="Gustav",
        employment_start=datetime.date(2020, 1, 1),
        employment_end=datetime.date(2024, 5, 20),
    )
    client = world.client("alice")
    url = reverse("staff:unit_absences", args=[world.unit.pk])
    offered = {pk for pk, _label in client.get(url).context["form"].fields["member"].choices if pk}
    assert new.pk in offered and gone.pk not in offered and world.bob.pk in offered
    may = client.get(url + "?month=2024-05").context["form"].fields["member"].choices
    assert gone.pk in {pk for pk, _label in may if pk}
    saved = client.post(url, _data(start="2024-07-01", end="2024-07-05") | {"absence-member": new.pk})
    assert saved.status_code == 302 and Absence.objects.get().staff == new


def test_the_calendar_shows_another_month_and_ignores_a_bad_one(world):
    client = world.client("alice")
    html = client.get(reverse("staff:unit_absences", args=[world.unit.pk]) + "?month=2024-02").content.decode()
    assert "?month=2024-01" in html and "?month=2024-03" in html
    bad = client.get(reverse("staff:unit_absences", args=[world.unit.pk]) + "?month=9999-99")
    assert bad.status_code == 200 and "?month=2024-05" in bad.content.decode()


def test_an_absence_added_from_the_calendar(world):
    response = world.client("alice").post(
        reverse("staff:unit_absences", args=[world.unit.pk]), _data() | {"absence-member": world.bob.pk}
    )
    assert response.status_code == 302 and response["Location"].endswith("?month=2024-06")
    assert Absence.objects.get().staff == world.bob


def test_the_calendar_cannot_add_for_someone_outside_the_unit(world):
    response = world.client("alice").post(
        reverse("staff:unit_absences", args=[world.unit.pk]), _data() | {"absence-member": world.heidi.pk}
    )
    assert response.status_code == 400 and not Absence.objects.exists()


def _calendar_queries(world, count):
    """Add `count` people of the unit, each absent today, and count the queries of the calendar page."""
    for _n in range(count):
        person = StaffMemberFactory(organisation=world.org, unit=world.unit)
        Absence.objects.create(organisation=world.org, staff=person, kind="vacation", start=TODAY, end=TODAY)
    client = world.client("alice")
    url = reverse("staff:unit_absences", args=[world.unit.pk])
    client.get(url)  # warm: the session and the navigation
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_calendar_makes_as_many_queries_for_10_people_as_for_3(world):
    three = _calendar_queries(world, 3)
    ten = _calendar_queries(world, 7)  # 3 + 7 more, all absent today
    assert three == ten


# --- capacity follows at once ----------------------------------------------------------------------------------


def test_a_sick_leave_today_lowers_capacity_on_the_next_dashboard_and_board(world):
    from tests.caseload.factories import levels, place

    levels(world.org)
    place(world.bob, 2)
    dashboard = reverse("caseload:unit_dashboard", args=[world.unit.pk])
    client = world.client("alice")

    def bob_row():
        html = client.get(dashboard).content.decode()
        table = html.split('id="load-table"', 1)[1].split("</table>", 1)[0]
        return next(r for r in table.split("<tr") if "Bob Testsson" in r)

    assert "av 22 " in bob_row()  # level 2, full time, June: 22
    assert _add(world, "alice", world.bob, start="2024-06-14", end="2024-06-14").status_code == 302
    # 22 x (1 - 1/30): one day of June lost.
    assert "av 21,27 " in bob_row()


def test_an_absence_in_the_coming_cycle_lowers_capacity_on_the_next_board(world):
    """The board and the allocation engine read the same capacity (worker_situations): an absence saved on the
    calendar counts on the next request."""
    from caseload.models import CaseloadSettings, CycleSettings
    from tests.caseload.factories import levels, place

    levels(world.org)
    place(world.bob, 2)
    settings = CaseloadSettings.for_org(world.org)
    settings.capacity_level_2 = 2
    settings.save()
    monday = datetime.date(2026, 1, 12)
    CycleSettings.objects.create(organisation=world.org, unit=world.unit, anchor=monday)
    with time_machine.travel(datetime.datetime(2026, 1, 8, 10), tick=False):
        client = world.client("alice")  # signed in now: a session from 2024 would have timed out

        def bob_row():
            html = client.get(reverse("caseload:board", args=[world.unit.pk])).content.decode()
            workers = html.split('id="workers-table"', 1)[1].split("</table>", 1)[0]
            return workers.split("Bob Testsson", 1)[1].split("</tr>", 1)[0]

        assert "0 av 2 " in bob_row()
        response = client.post(
            reverse("staff:unit_absences", args=[world.unit.pk]),
            _data(start="2026-01-12", end="2026-01-12") | {"absence-member": world.bob.pk},
        )
        assert response.status_code == 302
        # One day of the 35-day cycle lost: 2 x 34/35.
        assert "0 av 1,94 " in bob_row()
