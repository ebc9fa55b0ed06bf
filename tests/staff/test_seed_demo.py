import datetime
from collections import Counter
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from competence.models import LevelPlacement
from intake.models import IntakeItem
from staff.models import Organisation, Role, RoleAssignment, StaffMember, Unit

User = get_user_model()


def test_seed_demo_builds_both_organisations_and_is_idempotent(db):
    call_command("seed_demo")
    counts = {m: m.objects.count() for m in (Organisation, StaffMember, RoleAssignment, Unit, LevelPlacement)}
    call_command("seed_demo")
    assert counts == {m: m.objects.count() for m in counts}

    demo = Organisation.objects.get(name="Demo kommun")
    levels = Counter(
        LevelPlacement.objects.filter(organisation=demo, end__isnull=True).values_list("level__number", flat=True)
    )
    assert (levels[1], levels[2], levels[3], levels[4]) == (9, 14, 8, 4)
    placement = Unit.objects.get(organisation=demo, name="Placeringsgruppen")
    assert RoleAssignment.objects.filter(unit=placement, role=Role.SOCIAL_WORKER).count() == 3
    inv = Unit.objects.get(organisation=demo, kind=Unit.Kind.INVESTIGATION)
    assert inv.groups.count() == 3
    for username in ("manager", "worker", "specialist", "depthead", "hr", "admin"):
        assert StaffMember.objects.get(user__username=username).organisation == demo
    assert StaffMember.objects.get(user__username="other-manager").organisation.name == "Grannby kommun"
    # HR can prepare last month's payroll file in the demo: everyone has an employee number, every unit a cost
    # centre (competence/demo.py); the numbers are unique within the organisation
    from competence.services import payroll_prepare

    hr = StaffMember.objects.get(user__username="hr")
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    prepared = payroll_prepare(organisation=demo, month=last_month, by=hr)
    assert prepared.lines > 20 and prepared.total > 0
    numbers = list(StaffMember.objects.filter(organisation=demo).values_list("employee_number", flat=True))
    assert "" not in numbers and len(set(numbers)) == len(numbers)


MORNING = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Europe/Stockholm"))


def test_the_demo_has_an_intake_worker_who_can_make_the_pre_assessment(db):
    call_command("seed_demo")
    member = StaffMember.objects.select_related("user", "unit").get(user__username="intake-worker")
    assert member.organisation.name == "Demo kommun" and member.unit.kind == Unit.Kind.INTAKE
    assert RoleAssignment.objects.filter(staff=member, unit=member.unit, role=Role.SOCIAL_WORKER).exists()
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="intake-worker", password="stabil-demo") == member.user
    item = IntakeItem.objects.filter(unit=member.unit, protection_assessed_at__isnull=True, acute=True).first()
    assert item is not None
    client = Client()
    client.force_login(member.user)
    response = client.get(reverse("intake:detail", args=[item.pk]))
    assert response.status_code == 200 and response.context["may_assess"]
    assert 'name="p-needed"' in response.content.decode()
    response = client.post(
        reverse("intake:detail", args=[item.pk]), {"p-needed": "0", "p-outcome": "Inget omedelbart skydd behövs"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.protection_assessed_at is not None and item.protection_needed is False


def test_an_older_demo_gets_the_intake_worker_once(db):
    call_command("seed_demo")
    # a demo database seeded before the login existed
    StaffMember.objects.filter(user__username="intake-worker").update(user=None)
    User.objects.filter(username="intake-worker").delete()
    assert not StaffMember.objects.filter(user__username="intake-worker").exists()
    call_command("seed_demo")
    users = User.objects.count()
    call_command("seed_demo")
    assert User.objects.count() == users
    assert StaffMember.objects.filter(user__username="intake-worker").count() == 1


def test_no_demo_report_arrives_after_now(db):
    with time_machine.travel(MORNING, tick=False):
        call_command("seed_demo")
        now = timezone.now()
    demo = Organisation.objects.get(name="Demo kommun")
    items = IntakeItem.objects.filter(organisation=demo)
    assert items.exists()
    assert not items.filter(received_at__gt=now).exists()
    # the report of today is still today's
    assert items.filter(received_at__date=MORNING.date()).exists()
