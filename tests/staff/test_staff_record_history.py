"""A staff record keeps its change history: the organisation admin's edit page and the competence page of the
person show who changed the unit, the title or the employment, from what to what. The login is never shown, the
leaving reason only to the organisation admin, and no other organisation's history reaches either page."""

from django.urls import reverse

from staff.models import StaffMember, Unit
from staff.platform.history.display import history_page
from staff.trust import staff_record_history
from tests.caseload import conftest as caseload_conftest
from tests.staff.test_history import _history_rows

ladder = caseload_conftest.ladder  # bob on level 2 in alice's unit


def _edit(client, member, **changes):
    data = {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "email": member.email,
        "unit": member.unit_id or "",
        "title": member.title,
        "employment_start": member.employment_start.isoformat() if member.employment_start else "",
        "employment_end": member.employment_end.isoformat() if member.employment_end else "",
        "profession_start": member.profession_start.isoformat() if member.profession_start else "",
        "fte": str(member.fte),
        "employment_type": member.employment_type,
        "consultant_monthly_cost": member.consultant_monthly_cost or "",
        "leaving_reason": member.leaving_reason,
        "manager": member.manager_id or "",
        "social_worker": "on",
        **changes,
    }
    return client.post(reverse("staff:admin_staff_edit", args=[member.pk]), data)


def test_admin_edit_page_shows_the_change_from_what_to_what(ladder):
    w = ladder
    response = _edit(w.client("frank"), w.bob, title="Socialsekreterare", leaving_reason="Flyttar")
    assert response.status_code == 302, response.content.decode()[:2000]
    rows = _history_rows(w.client("frank").get(reverse("staff:admin_staff_edit", args=[w.bob.pk])).content.decode())
    assert "Frank Testsson" in rows[0] and "Personakt: ändrad" in rows[0]
    assert "Socialsekreterare" in rows[0] and "Flyttar" in rows[0]
    assert not any("användare" in row.lower() or "user:" in row.lower() or "bob" in row.split() for row in rows)


def test_competence_page_shows_the_staff_record_without_the_leaving_reason(ladder):
    w = ladder
    _edit(w.client("frank"), w.bob, title="Socialsekreterare", leaving_reason="Flyttar")
    html = w.client("alice").get(reverse("competence:staff_detail", args=[w.bob.pk])).content.decode()
    rows = _history_rows(html)
    changed = [row for row in rows if "Personakt: ändrad" in row]
    assert changed and "Socialsekreterare" in changed[0]
    assert "Flyttar" not in html


def test_a_change_of_unit_is_one_row_naming_both_units(world):
    other = Unit.objects.create(organisation=world.org, department=world.unit.department, name="Familjevård")
    bob = StaffMember.objects.get(pk=world.bob.pk)
    _edit(world.client("frank"), bob, unit=other.pk)
    rows = _history_rows(world.client("frank").get(reverse("staff:admin_staff_edit", args=[bob.pk])).content.decode())
    assert any("Utredning → Familjevård" in row for row in rows), rows


def test_another_organisations_staff_history_is_not_found(world):
    charlie = world.charlie
    charlie.title = "Chef"
    charlie.save()
    assert StaffMember.history.filter(id=charlie.pk).count() >= 2
    assert history_page(organisation=world.org, sources=staff_record_history(charlie)).total == 0
    assert history_page(organisation=world.other_org, sources=staff_record_history(charlie)).total >= 2
    assert world.client("frank").get(reverse("staff:admin_staff_edit", args=[charlie.pk])).status_code == 404
