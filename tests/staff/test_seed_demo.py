from collections import Counter

from django.core.management import call_command

from competence.models import LevelPlacement
from staff.models import Organisation, Role, RoleAssignment, StaffMember, Unit


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
