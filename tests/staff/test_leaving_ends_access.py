"""Leaving ends access (issue 18, part 4; docs/trust-signin.md "Leaving ends access").

employment_end is the person's last day: they sign in that day, and from the day after (Europe/Stockholm)
the sign-in page, API tokens and existing sessions refuse them; the nightly job and the admin's "switch off
login" end everything at once (login off, sessions deleted, tokens revoked, a SecurityEvent).
"""

from __future__ import annotations

import datetime
import logging

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from staff.models import ApiToken, Role, SecurityEvent, StaffMember, UserSession
from staff.services import access_end, api_token_create, leavers_access_end, login_set_active
from staff.tasks import BEAT_SCHEDULE, leavers_access_end_all, sessions_clear_expired
from staff.tasks import leavers_access_end as leavers_task
from tests.factories import StaffMemberFactory
from tests.staff.test_rls import worker_as_app_role  # noqa: F401 - the fixture

User = get_user_model()
LAST_DAY = datetime.date(2026, 6, 30)
ENDED = "Din anställning har upphört"  # the Swedish of staff.forms.ENDED_MESSAGE
# Day before, on (late in the evening) and after (just after midnight in Stockholm, still 30 June in UTC).
MOMENTS = [
    pytest.param("2026-06-29 12:00 +02:00", True, id="day-before"),
    pytest.param("2026-06-30 23:50 +02:00", True, id="last-day"),
    pytest.param("2026-07-01 00:10 +02:00", False, id="day-after"),
]


def _leaves(member: StaffMember, last_day: datetime.date = LAST_DAY) -> StaffMember:
    StaffMember.objects.filter(pk=member.pk).update(employment_end=last_day)
    member.refresh_from_db()
    return member


def _signed_in(member: StaffMember, password: str) -> Client:
    """A browser that signed in through the login page (the user_logged_in signal records the session)."""
    client = Client()
    response = client.post(reverse("login"), {"username": member.user.username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def _api_me(key: str):
    return Client().get(reverse("api-me"), HTTP_AUTHORIZATION=f"Token {key}")


def _lands_on_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _events(member: StaffMember, kind=SecurityEvent.Kind.ACCESS_ENDED):
    return SecurityEvent.objects.filter(organisation_id=member.organisation_id, kind=kind, user_id=member.user_id)


# --- the admin's switch -----------------------------------------------------------------------------------


def test_switching_off_a_login_ends_its_live_sessions_and_tokens_at_once(world, password):
    bob = world.bob
    browser, other_browser = _signed_in(bob, password), world.client("bob")
    assert browser.get(reverse("staff:my_page")).status_code == 200
    assert other_browser.get(reverse("staff:my_page")).status_code == 200
    assert UserSession.objects.filter(user=bob.user).count() == 2
    _token, key = api_token_create(organisation=world.org, staff=bob, name="Statistik")
    assert _api_me(key).status_code == 200
    admin = world.client("frank")

    response = admin.post(reverse("staff:admin_staff_login", args=[bob.pk]), {"active": "0"})

    assert response.status_code == 302
    assert _lands_on_login(browser.get(reverse("staff:my_page")))
    assert _lands_on_login(other_browser.get(reverse("staff:my_page")))
    assert not UserSession.objects.filter(user=bob.user).exists()
    assert Session.objects.count() == 1  # frank's, who is still signed in
    assert admin.get(reverse("staff:my_page")).status_code == 200
    assert _api_me(key).status_code == 401
    assert ApiToken.objects.get(staff=bob).revoked_at is not None
    bob.user.refresh_from_db()
    assert not bob.user.is_active
    event = _events(bob).get()
    assert (event.reason, event.by_label) == ("login_switched_off", "admin page")
    assert event.actor_user_id == world.frank.user_id
    # The person page says when and why, and who did it; the records stay.
    page = admin.get(reverse("staff:admin_staff_edit", args=[bob.pk])).content.decode()
    assert 'id="access-ended"' in page and "Inloggning avstängd" in page and "Frank Testsson" in page
    assert StaffMember.objects.filter(pk=bob.pk).exists()


def test_ending_access_twice_records_it_once(world):
    assert access_end(member=world.bob, reason="login_switched_off", by_label="test") is True
    assert access_end(member=world.bob, reason="login_switched_off", by_label="test") is False
    assert _events(world.bob).count() == 1


def test_the_last_organisation_admin_still_cannot_be_switched_off(world):
    """The admin page and SCIM (login_set_active) keep the rule; frank is Alfa's only admin."""
    with pytest.raises(ValidationError, match="enda systemförvaltaren"):
        login_set_active(member=world.frank, active=False)
    world.frank.user.refresh_from_db()
    assert world.frank.user.is_active and not _events(world.frank).exists()


def test_a_session_whose_key_was_rotated_is_ended_too(world, password):
    """A password change gives the session a new key; the next request records it, so it ends as well."""
    bob = world.bob
    browser = _signed_in(bob, password)
    new_password = "Ett-nytt-lösenord-2026"
    response = browser.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert browser.get(reverse("staff:my_page")).status_code == 200
    key = browser.cookies["sessionid"].value
    assert UserSession.objects.filter(user=bob.user, session_key=key).exists()
    access_end(member=bob, reason="login_switched_off", by_label="test")
    assert _lands_on_login(browser.get(reverse("staff:my_page")))


def test_switching_on_a_leavers_login_is_refused_until_the_end_date_is_moved(world):
    bob = _leaves(world.bob, timezone.localdate() - datetime.timedelta(days=1))
    leavers_access_end(organisation=world.org)
    admin = world.client("frank")
    url = reverse("staff:admin_staff_login", args=[bob.pk])
    page = admin.post(url, {"active": "1"}, follow=True).content.decode()
    assert "Anställningen upphörde" in page and "flytta slutdatumet" in page
    assert "Av: det nattliga jobbet för personer som slutat." in page
    bob.user.refresh_from_db()
    assert not bob.user.is_active
    _leaves(bob, timezone.localdate())  # the end date moved: today is the last day
    admin.post(url, {"active": "1"})
    bob.user.refresh_from_db()
    assert bob.user.is_active
    assert 'id="access-ended"' not in admin.get(reverse("staff:admin_staff_edit", args=[bob.pk])).content.decode()


# --- the three gates, the day before, on and after the last day --------------------------------------------


@pytest.mark.parametrize(("moment", "allowed"), MOMENTS)
def test_the_login_page_refuses_a_leaver_from_the_day_after_with_a_plain_message(world, password, moment, allowed):
    from staff.platform.signin_limits import SignInFailure

    _leaves(world.bob)
    with time_machine.travel(moment, tick=False):
        client = Client()
        response = client.post(reverse("login"), {"username": "bob", "password": password})
        signed_in = "_auth_user_id" in client.session
        wrong = Client().post(reverse("login"), {"username": "bob", "password": "fel"}).content.decode()
    if allowed:
        assert response.status_code == 302 and signed_in
    else:
        assert response.status_code == 200 and not signed_in
        page = response.content.decode()
        assert ENDED in page and "systemförvaltare" in page
        assert "Ange ett korrekt användarnamn och lösenord" not in page
    # A wrong password never reveals who has left; only it counts towards the sign-in limits.
    assert ENDED not in wrong and "Ange ett korrekt användarnamn och lösenord" in wrong
    assert SignInFailure.objects.filter(username="bob").count() == 1


def test_a_leaver_whose_login_the_job_switched_off_is_still_told_why(world, password):
    _leaves(world.bob, timezone.localdate() - datetime.timedelta(days=1))
    leavers_access_end(organisation=world.org)
    page = Client().post(reverse("login"), {"username": "bob", "password": password}).content.decode()
    assert ENDED in page


@pytest.mark.parametrize(("moment", "allowed"), MOMENTS)
def test_an_api_token_of_a_leaver_is_refused_from_the_day_after(world, moment, allowed):
    _token, key = api_token_create(organisation=world.org, staff=_leaves(world.bob), name="Export")
    with time_machine.travel(moment, tick=False):
        response = _api_me(key)
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 401
        error = response.json()["error"]
        assert error["code"] == "employment_ended" and error["message"] and error["fields"] == {}
        assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(("moment", "allowed"), MOMENTS)
def test_a_leavers_session_ends_on_its_next_request_before_the_job_runs(world, password, moment, allowed):
    bob = _leaves(world.bob)
    at = datetime.datetime.fromisoformat(moment.replace(" +", "+"))
    with time_machine.travel(at - datetime.timedelta(minutes=20), tick=False):
        browser, api_browser = _signed_in(bob, password), _signed_in(bob, password)
    with time_machine.travel(at, tick=False):
        page = browser.get(reverse("staff:my_page"))
        api = api_browser.get(reverse("api-me"))
        if not allowed:
            login_page = browser.get(page["Location"]).content.decode()
    if allowed:
        assert page.status_code == 200 and api.status_code == 200
        return
    assert _lands_on_login(page) and ENDED in login_page
    assert api.status_code == 401 and api.json()["error"]["code"] == "employment_ended"
    assert "_auth_user_id" not in browser.session
    assert not UserSession.objects.filter(user=bob.user).exists()


# --- the nightly job ---------------------------------------------------------------------------------------


def test_the_job_is_scheduled_shortly_after_midnight():
    entry = BEAT_SCHEDULE["leavers-access-end"]
    assert entry["task"] == leavers_access_end_all.name == "staff.tasks.leavers_access_end_all"
    assert entry["schedule"].hour == {0} and entry["schedule"].minute == {5}


@pytest.mark.parametrize(
    ("today", "ended"),
    [(LAST_DAY - datetime.timedelta(days=1), False), (LAST_DAY, False), (LAST_DAY + datetime.timedelta(days=1), True)],
    ids=["day-before", "last-day", "day-after"],
)
def test_the_job_ends_access_the_day_after_the_last_day_and_a_second_run_changes_nothing(world, today, ended):
    bob = _leaves(world.bob)
    _token, key = api_token_create(organisation=world.org, staff=bob, name="Export")
    assert [m.pk for m in leavers_access_end(organisation=world.org, today=today)] == ([bob.pk] if ended else [])
    bob.user.refresh_from_db()
    assert bob.user.is_active is not ended
    assert (ApiToken.objects.get(staff=bob).revoked_at is not None) is ended
    assert _events(bob).count() == int(ended)
    if ended:
        assert _events(bob).get().reason == "employment_ended" and _events(bob).get().actor_user_id is None
    assert leavers_access_end(organisation=world.org, today=today) == []
    assert _events(bob).count() == int(ended)
    assert SecurityEvent.objects.count() == int(ended)
    # Nobody else was touched.
    assert User.objects.filter(is_active=False).count() == int(ended)


def test_the_job_also_revokes_a_token_left_live_by_a_login_switched_off_before(world):
    bob = _leaves(world.bob, timezone.localdate() - datetime.timedelta(days=1))
    token, _key = api_token_create(organisation=world.org, staff=bob, name="Export")
    User.objects.filter(pk=bob.user_id).update(is_active=False)  # as the admin page did before this change
    assert leavers_access_end(organisation=world.org) == [bob]
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert leavers_access_end(organisation=world.org) == []


def _leavers(world, count: int) -> list[StaffMember]:
    people = StaffMemberFactory.create_batch(count, organisation=world.org, unit=world.unit, employment_end=LAST_DAY)
    for person in people:
        api_token_create(organisation=world.org, staff=person, name="Export")
    return people


def test_the_job_costs_the_same_queries_for_one_leaver_as_for_many(world):
    day_after = LAST_DAY + datetime.timedelta(days=1)
    _leavers(world, 1)
    with CaptureQueriesContext(connection) as one:
        assert len(leavers_access_end(organisation=world.org, today=day_after)) == 1
    _leavers(world, 12)
    with CaptureQueriesContext(connection) as many:
        assert len(leavers_access_end(organisation=world.org, today=day_after)) == 12
    assert len(many) == len(one) <= 12
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.ACCESS_ENDED).count() == 13


def test_the_job_for_alfa_never_touches_betas_people(world):
    charlie = _leaves(world.charlie, timezone.localdate() - datetime.timedelta(days=1))
    token, _key = api_token_create(organisation=world.other_org, staff=charlie, name="Export")
    bob = _leaves(world.bob, timezone.localdate() - datetime.timedelta(days=1))
    assert leavers_task(organisation_id=world.org.pk) == 1
    charlie.user.refresh_from_db()
    token.refresh_from_db()
    assert charlie.user.is_active and token.revoked_at is None and not _events(charlie).exists()
    assert _events(bob).get().organisation_id == world.org.pk
    assert leavers_task(organisation_id=world.other_org.pk) == 1
    assert _events(charlie).get().organisation_id == world.other_org.pk


def test_the_only_admin_leaving_is_not_a_silent_lock_out(world, caplog):
    """A former employee keeps no access, even the last organisation admin: their access ends, and the
    organisation gets a 'no admin can sign in' event and the operators a warning, to appoint a new admin."""
    frank = _leaves(world.frank, timezone.localdate() - datetime.timedelta(days=1))
    with caplog.at_level(logging.WARNING, logger="staff.services"):
        assert leavers_access_end(organisation=world.org) == [frank]
    frank.user.refresh_from_db()
    assert not frank.user.is_active
    warning = SecurityEvent.objects.get(kind=SecurityEvent.Kind.NO_ADMIN_LEFT)
    assert warning.organisation_id == world.org.pk and warning.reason == "employment_ended"
    assert f"organisation {world.org.pk} has no organisation admin" in caplog.text
    assert not SecurityEvent.objects.filter(organisation=world.other_org).exists()


def test_an_admin_leaving_while_another_remains_records_no_warning(world):
    other = StaffMemberFactory(organisation=world.org, unit=None)
    other.roles.create(organisation=world.org, role=Role.ORG_ADMIN)
    _leaves(world.frank, timezone.localdate() - datetime.timedelta(days=1))
    leavers_access_end(organisation=world.org)
    assert not SecurityEvent.objects.filter(kind=SecurityEvent.Kind.NO_ADMIN_LEFT).exists()


def test_the_nightly_session_cleanup_forgets_the_keys_of_sessions_that_are_gone(world, password):
    browser = _signed_in(world.bob, password)
    assert browser.get(reverse("staff:my_page")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(minutes=1))
    sessions_clear_expired()
    assert not UserSession.objects.exists() and not Session.objects.exists()


def test_signing_out_forgets_the_sessions_key(world, password):
    browser = _signed_in(world.bob, password)
    assert UserSession.objects.filter(user=world.bob.user).count() == 1
    browser.post(reverse("logout"))
    assert not UserSession.objects.exists()


@pytest.mark.celery_worker
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level security is PostgreSQL's")
def test_a_real_worker_ends_the_leavers_of_each_organisation_under_its_own_organisation(
    world,
    worker_as_app_role,  # noqa: F811
):
    """Under the application role a query without the organisation set sees no staff at all: the job ending
    the leavers of both organisations shows that each task ran with its own organisation."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    bob, charlie = _leaves(world.bob, yesterday), _leaves(world.charlie, yesterday)
    token, _key = api_token_create(organisation=world.org, staff=bob, name="Export")
    leavers_access_end_all.delay()
    worker_as_app_role.wait_until(lambda: SecurityEvent.objects.count() == 2, timeout=60)
    assert not User.objects.filter(pk__in=[bob.user_id, charlie.user_id], is_active=True).exists()
    assert User.objects.filter(is_active=False).count() == 2
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert {(e.organisation_id, e.user_id) for e in SecurityEvent.objects.all()} == {
        (world.org.pk, bob.user_id),
        (world.other_org.pk, charlie.user_id),
    }


def test_the_security_events_page_lists_the_end_with_its_reason_and_only_to_its_organisation(world):
    bob = _leaves(world.bob, timezone.localdate() - datetime.timedelta(days=1))
    leavers_access_end(organisation=world.org)
    html = world.client("frank").get(reverse("staff:security_events")).content.decode()
    table = html.split('id="security-events"', 1)[1].split("</table>", 1)[0]
    assert "Åtkomst avslutad" in table and "Anställningen har upphört" in table and bob.full_name in table
    beta_admin = StaffMemberFactory(organisation=world.other_org, unit=world.other_unit)
    beta_admin.roles.create(organisation=world.other_org, role=Role.ORG_ADMIN)
    client = Client()
    client.force_login(beta_admin.user)
    beta = client.get(reverse("staff:security_events")).content.decode()
    assert "Åtkomst avslutad" not in beta.split('id="security-events"', 1)[1] and bob.full_name not in beta
