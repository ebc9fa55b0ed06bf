"""The demo gives Demo kommun's investigation unit a meeting this or next week, with a queue to allocate."""

import datetime

from django.core.management import call_command
from django.utils import timezone

from caseload.meeting.reviews import review_status
from caseload.meeting.selectors import board_cycle
from caseload.models import Case, CycleSettings, DutyDay, Interest, MeetingCycle, ReviewEntry, ReviewForm


def test_demo_meeting_is_ready_and_seeding_twice_adds_nothing(db):
    call_command("seed_demo", verbosity=0)
    settings = CycleSettings.objects.get(organisation__slug="demo")
    today = timezone.localdate()
    cycle = board_cycle(settings, today)
    assert cycle.allocation_monday - datetime.timedelta(days=cycle.allocation_monday.weekday()) in (
        today - datetime.timedelta(days=today.weekday()),
        today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(days=7),
    )
    queued = Case.objects.filter(organisation=settings.organisation, unit=settings.unit, status="awaiting")
    assert queued.count() >= 15
    assert queued.filter(acute=True).count() >= 2
    counts = [
        m.objects.count() for m in (CycleSettings, MeetingCycle, Interest, DutyDay, ReviewForm, ReviewEntry, Case)
    ]
    assert all(counts[:6])
    workers = len(review_status(organisation=settings.organisation, meeting=MeetingCycle.objects.get()))
    assert 0 < ReviewForm.objects.filter(submitted_at__isnull=False).count() < workers
    call_command("seed_demo", verbosity=0)
    assert counts == [
        m.objects.count() for m in (CycleSettings, MeetingCycle, Interest, DutyDay, ReviewForm, ReviewEntry, Case)
    ]


def test_demo_worker_gets_a_case_from_the_meeting(db):
    """The demo's story ends with the `worker` login finding a new case on "Mitt ärendeläge": the engine must
    have room to give one (their weighted load is below capacity), and the proposal is proven best."""
    from caseload.meeting import services
    from staff.models import StaffMember

    call_command("seed_demo", verbosity=0)
    settings = CycleSettings.objects.get(organisation__slug="demo")
    worker = StaffMember.objects.get(user__username="worker")
    manager = StaffMember.objects.get(user__username="manager")
    meeting = MeetingCycle.objects.get(organisation=settings.organisation)

    rows = services.proposal_make(organisation=settings.organisation, actor=manager, meeting=meeting, time_limit=30)

    assert any(r.main_id == worker.pk or r.co_id == worker.pk for r in rows)
    assert MeetingCycle.objects.get(pk=meeting.pk).proposal_proven
