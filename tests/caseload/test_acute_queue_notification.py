"""Issue 16 item 5 (docs/domain.md sections 6 and 7): acute matters are taken at once. When an acute
investigation enters the allocation queue, the unit's managers are notified (once each), naming the case."""

import datetime

from caseload import services
from staff.models import Notification

DAY = datetime.date(2024, 6, 3)


def _open(w, number, *, acute):
    case = services.case_create(
        organisation=w.org, actor=w.alice, number=number, unit=w.unit, opened_on=DAY, acute=acute
    )
    return services.investigation_open(organisation=w.org, actor=w.alice, case=case, start_date=DAY, new_report=True)


def test_managers_are_notified_when_an_acute_investigation_enters_the_queue(ladder):
    inv = _open(ladder, "AKUT-1", acute=True)
    rows = Notification.objects.filter(key__startswith=f"acute-queued:{inv.pk}:")
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted([ladder.alice.pk, ladder.ivan.pk])
    note = rows.first()
    assert note.subject == "Akut utredning i fördelningskön: ärende AKUT-1"
    assert note.case_refs == [[inv.case_id, ladder.unit.pk]]
    assert note.url.endswith(f"/caseload/units/{ladder.unit.pk}/board/")


def test_no_notification_for_a_non_acute_investigation(ladder):
    _open(ladder, "VANLIG-1", acute=False)
    assert not Notification.objects.filter(key__startswith="acute-queued:").exists()
