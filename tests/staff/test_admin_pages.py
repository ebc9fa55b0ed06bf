"""Organisation admins manage people, roles and structure in the app; bad input is refused at the field."""

from django.urls import reverse

from staff.models import Department, RoleAssignment, StaffMember, Unit


def _person_form(world, **overrides):
    data = {
        "first_name": "Nora",
        "last_name": "Ny",
        "email": "nora@alfa.example",
        "unit": world.unit.pk,
        "employment_start": "2026-01-01",
        "profession_start": "2025-06-01",
        "fte": "1.00",
        "employment_type": "permanent",
        "username": "nora",
    }
    data.update(overrides)
    return data


def test_admin_adds_person_with_login_and_role(world):
    client = world.client("frank")
    response = client.post(reverse("staff:admin_staff_create"), _person_form(world))
    assert response.status_code == 302
    member = StaffMember.objects.get(first_name="Nora")
    assert member.organisation == world.org and member.user.username == "nora"
    response = client.post(
        reverse("staff:admin_staff_role_add", args=[member.pk]),
        {"role-role": "social_worker", "role-unit": world.unit.pk},
    )
    assert RoleAssignment.objects.filter(staff=member, role="social_worker", unit=world.unit).exists()


def test_fte_above_one_is_refused_and_nothing_saved(world):
    response = world.client("frank").post(reverse("staff:admin_staff_create"), _person_form(world, fte="1.5"))
    assert response.status_code == 200
    assert "Kontrollera att detta värde är mindre än eller lika med 1" in response.content.decode()
    assert not StaffMember.objects.filter(first_name="Nora").exists()


def test_end_before_start_is_refused(world):
    response = world.client("frank").post(
        reverse("staff:admin_staff_create"), _person_form(world, employment_end="2025-01-01")
    )
    assert "Slutdatumet kan inte vara före startdatumet." in response.content.decode()
    assert not StaffMember.objects.filter(first_name="Nora").exists()


def test_taken_username_is_refused_without_half_save(world):
    response = world.client("frank").post(reverse("staff:admin_staff_create"), _person_form(world, username="bob"))
    assert "Användarnamnet är redan upptaget." in response.content.decode()
    assert not StaffMember.objects.filter(first_name="Nora").exists()


def test_foreign_unit_cannot_be_chosen(world):
    response = world.client("frank").post(
        reverse("staff:admin_staff_create"), _person_form(world, unit=world.other_unit.pk)
    )
    assert response.status_code == 200
    assert not StaffMember.objects.filter(first_name="Nora").exists()


def test_unit_role_without_unit_is_refused(world):
    client = world.client("frank")
    client.post(reverse("staff:admin_staff_role_add", args=[world.bob.pk]), {"role-role": "unit_manager"})
    assert not RoleAssignment.objects.filter(staff=world.bob, role="unit_manager").exists()


def test_structure_create_and_duplicate(world):
    client = world.client("frank")
    client.post(reverse("staff:admin_structure"), {"form": "department", "department-name": "Vuxna"})
    assert Department.objects.filter(organisation=world.org, name="Vuxna").exists()
    # The same name in another organisation is fine; in the same organisation it is refused.
    response = client.post(reverse("staff:admin_structure"), {"form": "department", "department-name": "Vuxna"})
    assert response.status_code == 200
    assert Department.objects.filter(organisation=world.org, name="Vuxna").count() == 1
    client.post(
        reverse("staff:admin_structure"),
        {
            "form": "unit",
            "unit-department": world.unit.department_id,
            "unit-name": "Placering",
            "unit-kind": "placement",
        },
    )
    assert Unit.objects.filter(organisation=world.org, name="Placering").exists()


def test_staff_list_search_sort_and_scope(world):
    client = world.client("frank")
    html = client.get(reverse("staff:admin_staff_list"), {"q": "alice", "sort": "-name"}).content.decode()
    assert "Alice" in html and "Bob" not in html
    html = client.get(reverse("staff:admin_staff_list")).content.decode()
    assert "Charlie" not in html  # Beta kommun's people never appear


def test_admin_cannot_switch_off_own_login(world):
    client = world.client("frank")
    client.post(reverse("staff:admin_staff_login", args=[world.frank.pk]), {"active": "0"})
    world.frank.user.refresh_from_db()
    assert world.frank.user.is_active


def test_an_organisation_role_with_a_unit_is_refused_in_words_only(world):
    """HR covers the whole organisation: the refusal says so, without the database constraint's name."""
    client = world.client("frank")
    response = client.post(
        reverse("staff:admin_staff_role_add", args=[world.bob.pk]),
        {"role-role": "hr", "role-unit": world.unit.pk},
        follow=True,
    )
    html = response.content.decode()
    assert "hela organisationen" in html
    assert "role_assignment_scope_matches_role" not in html and "Begränsningen" not in html
    assert not RoleAssignment.objects.filter(staff=world.bob, role="hr").exists()
