"""The monthly access review must not flag the manager's own allocation meeting: confirming it reads every
case of the queue at once, which is the meeting's work and not "many cases in a short time" (issue 16)."""

import datetime

import pytest
from django.urls import reverse

from caseload.models import Assignment, CaseloadSettings
from staff.platform.audit.models import AccessLogEntry
from staff.platform.audit.selectors import review_flags
from tests.caseload.factories import case, worker
from tests.staff.access_log_factories import shown_ids

MONTH = datetime.date(2026, 1, 1)
QUEUE = 25  # above the default threshold of 20 distinct cases within 60 minutes


@pytest.fixture
def big_queue(cycle):
    settings = CaseloadSettings.for_org(cycle.org)
    settings.capacity_level_2 = settings.capacity_level_3 = 20
    settings.save()
    cycle.dora = worker(cycle.unit, "dora", level=3)
    cycle.cases = [case(cycle.unit, f"M-{n}", start=datetime.date(2025, 12, 1)) for n in range(QUEUE)]
    return cycle


def _many_cases(w, name):
    flags = review_flags(organisation=w.org, month=MONTH, unit_ids=None)
    return [f for f in flags if f.flag == "many_cases" and f.actor_id == getattr(w, name).pk]


def _post(w, action):
    return w.client("alice").post(reverse(f"caseload:{action}", args=[w.unit.pk]), follow=True)


def test_confirming_a_meeting_with_many_cases_is_no_burst(big_queue):
    w = big_queue
    w.client("alice").get(reverse("caseload:board", args=[w.unit.pk]))
    assert "Förslaget är klart." in _post(w, "proposal_make").content.decode()
    assert "Fördelningen är fastställd" in _post(w, "proposal_confirm").content.decode()
    assert Assignment.objects.filter(case__in=w.cases).exists()
    # every case the meeting read is still in the log under the manager's name
    read = shown_ids(AccessLogEntry.objects.filter(actor=w.alice), "case")
    assert {c.pk for c in w.cases} <= read
    assert _many_cases(w, "alice") == []


def test_a_manager_opening_as_many_case_pages_in_an_hour_is_still_flagged(big_queue):
    w = big_queue
    client = w.client("alice")
    for c in w.cases[:19]:  # 19 distinct cases: one below the threshold
        assert client.get(reverse("caseload:case_detail", args=[c.pk])).status_code == 200
    assert _many_cases(w, "alice") == []
    assert client.get(reverse("caseload:case_detail", args=[w.cases[19].pk])).status_code == 200
    [flag] = _many_cases(w, "alice")  # the twentieth: flagged, counted when the threshold was reached
    assert flag.count == 20
    for c in w.cases[20:]:
        assert client.get(reverse("caseload:case_detail", args=[c.pk])).status_code == 200
    assert len(_many_cases(w, "alice")) == 1  # one flag per reader and day
