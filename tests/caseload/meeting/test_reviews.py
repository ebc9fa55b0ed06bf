"""Review forms before the review week: one entry per open investigation, status for the manager, reminders."""

import datetime
import time

import pytest
import time_machine
from django.urls import reverse

from caseload.meeting.reviews import review_reminders_send
from caseload.models import CycleSettings, ReviewEntry, ReviewForm
from staff.models import Notification
from tests.caseload.factories import case


def _url(w):
    return reverse("caseload:review_form", args=[w.unit.pk])


def test_worker_fills_in_one_entry_per_open_investigation(cycle):
    w = cycle
    mine = case(w.unit, "R-1", main=w.bob, co=w.carol, start=datetime.date(2025, 12, 1))
    case(w.unit, "R-2", main=w.carol, start=datetime.date(2025, 12, 1))  # not Bob's
    html = w.client("bob").get(_url(w)).content.decode()
    assert "Utredning R-1" in html and "R-2" not in html
    data = {
        "work_situation": 2,
        "comment": "Mycket just nu",
        f"c{mine.pk}_stands": "Samtal med barnet klart",
        f"c{mine.pk}_basis_started": "on",
        f"c{mine.pk}_still_needed": "Hembesök",
        f"c{mine.pk}_interventions": "",
        f"c{mine.pk}_decisions": "",
        f"c{mine.pk}_reconsideration": "na",
    }
    html = w.client("bob").post(_url(w), data, follow=True).content.decode()
    assert "Ditt genomgångsunderlag är inlämnat." in html
    entry = ReviewEntry.objects.get(case=mine)
    assert entry.basis_started and not entry.journal_started and entry.still_needed == "Hembesök"
    assert ReviewForm.objects.get(staff=w.bob).work_situation == 2
    board = w.client("alice").get(reverse("caseload:board", args=[w.unit.pk])).content.decode()
    status = board.split('id="review-status"', 1)[1].split("</table>", 1)[0]
    bob_row = status.split("Bob Testsson", 1)[1].split("</tr>", 1)[0]
    assert "Tung" in bob_row and "Inte ännu" not in bob_row
    carol_row = status.split("Carol Testsson", 1)[1].split("</tr>", 1)[0]
    assert "Inte ännu" in carol_row


def _submit(w, who, case_, stands):
    data = {"work_situation": 3, "comment": f"Kommentar {who}", f"c{case_.pk}_stands": stands}
    data |= {f"c{case_.pk}_reconsideration": "pending", f"c{case_.pk}_journal_started": "on"}
    assert w.client(who).post(_url(w), data).status_code == 302


def test_manager_reads_the_submitted_forms_with_every_entry(cycle, django_assert_num_queries):
    w = cycle
    bobs = case(w.unit, "R-7", main=w.bob, start=datetime.date(2025, 12, 1))
    carols = case(w.unit, "R-8", main=w.carol, start=datetime.date(2025, 12, 1))
    _submit(w, "bob", bobs, "Väntar på BBIC-samtal")
    client = w.client("alice")
    url = reverse("caseload:review_forms_read", args=[w.unit.pk])
    html = client.get(url).content.decode()
    assert "1 inlämnat underlag" in html
    bob_part = html.split('id="review-' + str(w.bob.pk) + '"', 1)[1].split("</section>", 1)[0]
    assert "R-7" in bob_part and "Väntar på BBIC-samtal" in bob_part and "Kommentar bob" in bob_part
    assert "journalanteckningar påbörjade" in bob_part and "Inte klart ännu" in bob_part
    assert "Carol Testsson" in html.split('id="missing"', 1)[1].split("</p>", 1)[0]
    board = client.get(reverse("caseload:board", args=[w.unit.pk])).content.decode()
    assert f"{url}#review-{w.bob.pk}" in board

    one_form = _queries_for(client, url)
    _submit(w, "carol", carols, "Klar för beslut")
    with django_assert_num_queries(one_form):
        html = client.get(url).content.decode()  # a second form costs no extra query
    assert "2 inlämnade underlag" in html and "Klar för beslut" in html


def _queries_for(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def test_only_the_units_managers_read_the_forms(cycle):
    url = reverse("caseload:review_forms_read", args=[cycle.unit.pk])
    assert cycle.client("bob").get(url).status_code == 403
    assert cycle.client("heidi").get(url).status_code == 403
    assert cycle.client("alice").get(url).status_code == 200


def test_work_situation_is_required_and_nothing_is_saved_without_it(cycle):
    html = cycle.client("bob").post(_url(cycle), {"comment": "x"}).content.decode()
    assert "Det här fältet är obligatoriskt." in html
    assert not ReviewForm.objects.exists()


def test_a_manager_or_another_units_worker_has_no_form_here(cycle):
    assert cycle.client("alice").get(_url(cycle)).status_code == 403
    assert cycle.client("heidi").get(_url(cycle)).status_code == 403


def test_reminders_once_per_threshold_only_to_those_who_have_not_submitted(cycle):
    w = cycle

    with time_machine.travel(datetime.datetime(2026, 1, 5, 7, 0), tick=False):  # 7 days before 12 January
        assert review_reminders_send(organisation=w.org, today=datetime.date(2026, 1, 5)) == 2  # Bob and Carol
        assert review_reminders_send(organisation=w.org, today=datetime.date(2026, 1, 6)) == 0
        w.client("carol").post(_url(w), {"work_situation": 4})
    assert ReviewForm.objects.filter(staff=w.carol, submitted_at__isnull=False).exists()
    with time_machine.travel(datetime.datetime(2026, 1, 9, 7, 0), tick=False):  # 3 days before
        assert review_reminders_send(organisation=w.org, today=datetime.date(2026, 1, 9)) == 1
        assert review_reminders_send(organisation=w.org, today=datetime.date(2026, 1, 10)) == 0
    assert Notification.objects.filter(recipient=w.bob).count() == 2
    assert Notification.objects.filter(recipient=w.carol).count() == 1
    first = Notification.objects.filter(recipient=w.bob).first()
    assert first.subject.startswith("Fyll i ditt genomgångsunderlag inför fördelningsmötet 2026-01-12")


@pytest.mark.celery_worker
def test_real_worker_sends_each_reminder_once(ladder, celery_worker):
    from caseload.tasks import review_reminders

    today = datetime.date.today()
    next_monday = today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(days=7)
    CycleSettings.objects.create(organisation=ladder.org, unit=ladder.unit, anchor=next_monday)
    ladder.bob.email = "bob@alfa.example"
    ladder.bob.save()
    review_reminders.delay(organisation_id=ladder.org.pk)
    review_reminders.delay(organisation_id=ladder.org.pk)
    celery_worker.wait_until(lambda: Notification.objects.filter(recipient=ladder.bob).count() >= 1)
    celery_worker.wait_until(lambda: len(celery_worker.mails()) >= 1)
    time.sleep(2)  # the duplicate message has had time to (not) send anything
    assert Notification.objects.filter(recipient=ladder.bob).count() == 1
    mails = celery_worker.mails()
    assert len(mails) == 1
    assert "genomg" in mails[0]


def test_who_read_case_x_finds_the_manager_who_read_the_review_forms(cycle):
    from staff.platform.audit.selectors import readers_of

    w = cycle
    bobs = case(w.unit, "R-9", main=w.bob, start=datetime.date(2025, 12, 1))
    _submit(w, "bob", bobs, "Väntar")
    assert "R-9" in w.client("alice").get(reverse("caseload:review_forms_read", args=[w.unit.pk])).content.decode()
    rows = readers_of(organisation=w.org, kind="case", object_id=bobs.pk)
    assert (w.alice.pk, "caseload:review_forms_read") in {(r.actor_id, r.url_name) for r in rows}
