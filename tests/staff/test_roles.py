"""Each role lands on its own start page and is refused what it may not see."""

import pytest
from django.urls import reverse

START = {
    "alice": lambda w: reverse("staff:unit_detail", args=[w.unit.pk]),
    "ivan": lambda w: reverse("staff:unit_detail", args=[w.unit.pk]),
    "dave": lambda w: reverse("staff:department_detail", args=[w.unit.department_id]),
    "erin": lambda w: reverse("staff:organisation_overview"),
    "frank": lambda w: reverse("staff:admin_staff_list"),
    "grace": lambda w: reverse("staff:unit_detail", args=[w.intake_unit.pk]),
}


@pytest.mark.parametrize("name", sorted(START))
def test_role_lands_on_start_page(world, name):
    response = world.client(name).get(reverse("staff:start"))
    assert response.status_code == 302
    # Later apps may give a role a richer start page; the foundation pages must still be reachable.
    target = response["Location"]
    assert world.client(name).get(target).status_code == 200
    assert world.client(name).get(START[name](world)).status_code == 200


def test_social_worker_start_page_is_reachable(world):
    client = world.client("bob")
    response = client.get(reverse("staff:start"), follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("bob", lambda w: reverse("staff:unit_detail", args=[w.unit.pk])),
        ("bob", lambda w: reverse("staff:organisation_overview")),
        ("bob", lambda w: reverse("staff:admin_staff_list")),
        ("carol", lambda w: reverse("staff:department_detail", args=[w.unit.department_id])),
        ("alice", lambda w: reverse("staff:unit_detail", args=[w.intake_unit.pk])),
        ("alice", lambda w: reverse("staff:admin_staff_list")),
        ("grace", lambda w: reverse("staff:unit_detail", args=[w.unit.pk])),
        ("erin", lambda w: reverse("staff:unit_detail", args=[w.unit.pk])),
        ("erin", lambda w: reverse("staff:admin_structure")),
        ("dave", lambda w: reverse("staff:admin_staff_list")),
    ],
)
def test_role_is_refused(world, name, url):
    response = world.client(name).get(url(world))
    assert response.status_code == 403
    assert "Du har inte behörighet" in response.content.decode() or response.status_code == 403


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("staff:my_page"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_without_staff_record_is_refused(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("staff:my_page")).status_code == 403


def test_unit_page_shows_span_of_control_flag(world):
    from staff.models import Role
    from tests.factories import RoleAssignmentFactory, StaffMemberFactory

    world.org.span_of_control_limit = 2
    world.org.save()
    for _ in range(3):
        member = StaffMemberFactory(organisation=world.org, unit=world.unit)
        RoleAssignmentFactory(staff=member, organisation=world.org, role=Role.SOCIAL_WORKER, unit=world.unit)
    html = world.client("alice").get(reverse("staff:unit_detail", args=[world.unit.pk])).content.decode()
    # bob, carol and three more case workers, none with a manager recorded: alice, the unit manager, has 5 > 2.
    assert "Alice Testsson (enhetschef):" in html
    assert "5 handläggare – över gränsen 2" in html


def test_span_of_control_lists_a_lone_manager(world):
    from staff.models import RoleAssignment

    RoleAssignment.objects.filter(staff=world.ivan, unit=world.unit).delete()  # alice alone manages
    html = world.client("alice").get(reverse("staff:unit_detail", args=[world.unit.pk])).content.decode()
    span = html.split("Kontrollspann</h2>")[1].split("</ul>")[0]
    assert "Alice Testsson (enhetschef):" in span and "Ivan" not in span
