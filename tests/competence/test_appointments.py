"""Level-4 appointments: never more than the posts on any date; renewal reminders go out once."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from competence.models import Appointment
from competence.services import appointment_create, appointment_renew, appointment_renewal_reminders
from staff.models import Notification
from tests.factories import StaffMemberFactory


def _specialist(world):
    return StaffMemberFactory(organisation=world.org, unit=world.unit, email="s@alfa.example")


def test_a_fifth_appointment_is_refused_when_four_posts_exist(world, ladder):
    start = datetime.date(2025, 6, 1)
    for _ in range(3):
        appointment_create(organisation=world.org, staff=_specialist(world), start=start)
    assert Appointment.objects.count() == 4  # carol's and three more
    fifth = _specialist(world)
    with pytest.raises(ValidationError) as exc:
        appointment_create(organisation=world.org, staff=fifth, start=datetime.date(2026, 1, 1))
    assert exc.value.message_dict["start"] == ["Alla 4 specialisttjänster är tillsatta den 2026-01-01."]
    # A later start overlapping the others' appointment is refused too; after carol's ends it fits.
    with pytest.raises(ValidationError):
        appointment_create(organisation=world.org, staff=fifth, start=datetime.date(2024, 12, 1))
    assert Appointment.objects.filter(staff=fifth).count() == 0
    appointment = appointment_create(organisation=world.org, staff=fifth, start=datetime.date(2027, 1, 1))
    assert appointment.end == datetime.date(2028, 12, 31)


def test_renewal_continues_the_appointment(world, ladder):
    first = Appointment.objects.get(staff=world.carol)
    assert (first.end, first.renewal_due) == (datetime.date(2026, 12, 31), datetime.date(2026, 9, 1))
    renewal = appointment_renew(organisation=world.org, appointment=first, by=world.alice)
    assert (renewal.start, renewal.end) == (datetime.date(2027, 1, 1), datetime.date(2028, 12, 31))
    with pytest.raises(ValidationError):
        appointment_renew(organisation=world.org, appointment=first, by=world.alice)


def test_reminders_once_per_manager_from_the_notice_date(world, ladder):
    # Carol decides by 2026-09-01; the reminder goes out renewal_notice_weeks (4) before: on 2026-08-04.
    assert appointment_renewal_reminders(organisation=world.org, today=datetime.date(2026, 8, 3)) == 0
    assert appointment_renewal_reminders(organisation=world.org, today=datetime.date(2026, 8, 4)) == 2
    assert appointment_renewal_reminders(organisation=world.org, today=datetime.date(2026, 8, 5)) == 0
    assert appointment_renewal_reminders(organisation=world.org, today=datetime.date(2026, 9, 1)) == 0
    assert set(Notification.objects.values_list("recipient__user__username", flat=True)) == {"alice", "ivan"}
    assert Notification.objects.filter(subject__contains="Carol Testsson").count() == 2


def test_renewed_appointment_is_not_reminded(world, ladder):
    appointment_renew(organisation=world.org, appointment=Appointment.objects.get(staff=world.carol), by=world.alice)
    assert appointment_renewal_reminders(organisation=world.org, today=datetime.date(2026, 10, 1)) == 0


def test_appointments_page_and_renew_button(world, ladder, django_assert_max_num_queries):
    client = world.client("alice")
    # includes the access-log row and, on PostgreSQL, setting and resetting the organisation (row-level security)
    with django_assert_max_num_queries(18):
        html = client.get(reverse("competence:appointments")).content.decode()
    assert "Carol Testsson" in html and "1 av 4 tjänster" in html
    appointment = Appointment.objects.get(staff=world.carol)
    assert world.client("dave").post(reverse("competence:appointment_renew", args=[appointment.pk])).status_code == 403
    response = client.post(reverse("competence:appointment_renew", args=[appointment.pk]), {"confirm": "1"})
    assert response.status_code == 302 and Appointment.objects.filter(renewal_of=appointment).count() == 1


@pytest.mark.celery_worker
def test_real_worker_sends_each_renewal_reminder_once(world, celery_worker):
    from competence.models import LadderLevel, LevelPlacement
    from competence.services import ladder_setup_default
    from competence.tasks import fan_out_appointment_reminders, send_appointment_reminders

    ladder_setup_default(organisation=world.org)
    level4 = LadderLevel.objects.get(organisation=world.org, number=4)
    today = datetime.date.today()
    start = today.replace(day=1) - datetime.timedelta(days=650)
    LevelPlacement.objects.create(organisation=world.org, staff=world.carol, level=level4, start=start)
    appointment_create(organisation=world.org, staff=world.carol, start=start)
    world.alice.email, world.ivan.email = "alice@alfa.example", "ivan@alfa.example"
    world.alice.save()
    world.ivan.save()
    fan_out_appointment_reminders.delay()
    send_appointment_reminders.delay(organisation_id=world.org.pk)
    celery_worker.wait_until(lambda: Notification.objects.filter(emailed_at__isnull=False).count() == 2)
    celery_worker.wait_until(lambda: len(celery_worker.mails()) >= 2)
    send_appointment_reminders.delay(organisation_id=world.org.pk)
    import time

    time.sleep(3)  # the repeated run finds the reminders already there
    assert Notification.objects.count() == 2
    import email
    import email.policy

    mails = [email.message_from_string(text, policy=email.policy.default) for text in celery_worker.mails()]
    assert len(mails) == 2
    assert sorted(m["to"] for m in mails) == ["alice@alfa.example", "ivan@alfa.example"]
    assert {m["subject"].strip() for m in mails} == {
        "Besluta om förlängning av specialistförordnandet för Carol Testsson"
    }
