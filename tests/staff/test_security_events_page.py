"""The security-event list: org admins see the refused requests that named their organisation, nobody else's."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from staff.platform.audit.models import AccessLogEntry, SecurityEvent

URL = reverse("staff:security_events")


def _event(org, kind, *, user=None, minutes_ago=0, address="10.0.0.7"):
    return SecurityEvent.objects.create(
        organisation=org,
        kind=kind,
        user_id=user.pk if user else None,
        url_name="caseload:my_caseload",
        method="POST",
        status=403,
        address=address,
        at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def test_org_admin_sees_own_events_newest_first_with_the_person(world):
    bob = world.people["bob"]
    _event(world.org, SecurityEvent.Kind.CSRF_FAILURE, user=bob.user, minutes_ago=5)
    _event(world.org, SecurityEvent.Kind.TOKEN_REFUSED, user=world.people["erin"].user, minutes_ago=1)
    _event(world.other_org, SecurityEvent.Kind.CSRF_FAILURE, user=world.people["charlie"].user, address="10.9.9.9")
    _event(None, SecurityEvent.Kind.SESSION_REJECTED, address="10.8.8.8")
    response = world.client("frank").get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    table = html.split('id="security-events"', 1)[1].split("</table>", 1)[0]
    assert table.index("API-token nekad") < table.index("Förfalskad eller saknad CSRF-token")
    assert bob.full_name in table and world.people["erin"].full_name in table
    assert "10.9.9.9" not in table and "10.8.8.8" not in table and world.people["charlie"].full_name not in table
    # Reading the list is itself logged.
    assert AccessLogEntry.objects.filter(url_name="staff:security_events", actor=world.people["frank"]).exists()


def test_filter_by_kind_and_a_clear_empty_state(world):
    _event(world.org, SecurityEvent.Kind.CSRF_FAILURE, user=world.people["bob"].user)
    client = world.client("frank")
    html = client.get(URL, {"kind": SecurityEvent.Kind.TOKEN_REFUSED}).content.decode()
    assert "Inga avvisade anrop av den här typen." in html and "10.0.0.7" not in html
    html = client.get(URL, {"kind": SecurityEvent.Kind.CSRF_FAILURE}).content.decode()
    assert "10.0.0.7" in html


def test_an_unknown_kind_is_a_field_error_not_a_500(world):
    _event(world.org, SecurityEvent.Kind.CSRF_FAILURE, user=world.people["bob"].user)
    response = world.client("frank").get(URL, {"kind": "<script>"})
    assert response.status_code == 400
    assert "Välj ett giltigt alternativ" in response.content.decode()


def test_only_org_admins(world):
    for name in ("alice", "bob", "erin"):
        assert world.client(name).get(URL).status_code == 403
    assert world.client("charlie").get(URL).status_code == 403  # another organisation's person, not its admin


def test_queries_do_not_grow_with_the_events(world):
    client = world.client("frank")
    _event(world.org, SecurityEvent.Kind.CSRF_FAILURE, user=world.people["bob"].user)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for name in ("alice", "erin", "ivan", "heidi"):
        _event(world.org, SecurityEvent.Kind.TOKEN_REFUSED, user=world.people[name].user)
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(few) == len(many)
