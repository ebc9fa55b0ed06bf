"""Two-step sign-in: set up with an authenticator app, enforced by organisation setting, recovery codes work once."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.staff.test_rls import _sql, app_role  # noqa: F401  (the application role, for the test at the end)


def _login(world, name, password):
    client = Client()
    response = client.post(reverse("login"), {"username": name, "password": password})
    assert response.status_code == 302
    return client


def _code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def required(world):
    world.org.mfa_required = True
    world.org.save()


def test_not_required_by_default(world, password):
    client = _login(world, "alice", password)
    assert client.get(reverse("staff:my_page")).status_code == 200


def test_required_manager_must_set_up_then_gets_in(world, password, required):
    client = _login(world, "alice", password)
    response = client.get(reverse("staff:my_page"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_setup"))
    page = client.get(response["Location"])
    assert "<svg" in page.content.decode()  # the QR code, drawn on the server
    device = TOTPDevice.objects.get(user=world.alice.user)
    # A wrong code is refused with a message at the field; nothing is confirmed.
    wrong = client.post(reverse("mfa_setup"), {"token": "000000" if _code(device) != "000000" else "111111"})
    assert "Koden är fel eller för gammal" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    # Right after a wrong code the device is throttled (django-otp): the person is told to wait.
    device.refresh_from_db()
    throttled = client.post(reverse("mfa_setup"), {"token": _code(device)})
    assert "Vänta en stund" in throttled.content.decode()
    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=30)):
        done = client.post(reverse("mfa_setup"), {"token": _code(device), "next": reverse("staff:my_page")})
    assert "Dina återställningskoder" in done.content.decode()
    assert StaticToken.objects.filter(device__user=world.alice.user).count() == 10
    assert client.get(reverse("staff:my_page")).status_code == 200


def test_social_worker_is_not_forced(world, password, required):
    client = _login(world, "bob", password)
    assert client.get(reverse("staff:my_page")).status_code == 200


def test_enrolled_user_must_verify_at_next_sign_in_and_recovery_code_works_once(world, password):
    device = TOTPDevice.objects.create(user=world.erin.user, name="Stabil", confirmed=True)
    client = _login(world, "erin", password)
    response = client.get(reverse("staff:organisation_overview"))
    assert response["Location"].startswith(reverse("mfa_verify"))
    # The session API is refused with the stable error body until verified.
    api = client.get(reverse("api-me"))
    assert api.status_code == 403 and api.json()["error"]["code"] == "mfa_required"
    from staff.platform.mfa import _recovery_codes

    code = _recovery_codes(world.erin.user)[1][0]
    ok = client.post(reverse("mfa_verify"), {"token": code, "next": reverse("staff:organisation_overview")})
    assert ok.status_code == 302 and ok["Location"] == reverse("staff:organisation_overview")
    assert client.get(reverse("staff:organisation_overview")).status_code == 200
    # The same recovery code does not work a second time.
    again = _login(world, "erin", password)
    refused = again.post(reverse("mfa_verify"), {"token": code})
    assert refused.status_code == 200 and "Koden är fel eller för gammal" in refused.content.decode()
    assert device.pk


def test_verify_refuses_open_redirect(world, password):
    device = TOTPDevice.objects.create(user=world.erin.user, name="Stabil", confirmed=True)
    client = _login(world, "erin", password)
    response = client.post(reverse("mfa_verify"), {"token": _code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("staff:start")


def test_cannot_switch_off_when_required(world, password, required):
    device = TOTPDevice.objects.create(user=world.alice.user, name="Stabil", confirmed=True)
    client = _login(world, "alice", password)
    client.post(reverse("mfa_verify"), {"token": _code(device)})
    client.post(reverse("mfa_manage"), {"action": "disable"})
    assert TOTPDevice.objects.filter(user=world.alice.user, confirmed=True).exists()


def test_voluntary_user_can_switch_off(world, password):
    device = TOTPDevice.objects.create(user=world.bob.user, name="Stabil", confirmed=True)
    client = _login(world, "bob", password)
    client.post(reverse("mfa_verify"), {"token": _code(device)})
    client.post(reverse("mfa_manage"), {"action": "disable"})
    assert not TOTPDevice.objects.filter(user=world.bob.user).exists()
    assert client.get(reverse("staff:my_page")).status_code == 200


def test_no_two_step_queries_for_users_without_it(world, password):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _login(world, "bob", password)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("staff:my_page")).status_code == 200
    assert not [q["sql"] for q in queries if "otp_" in q["sql"]]


def test_idle_session_is_renewed_at_most_every_few_minutes(world, password):
    import time_machine

    client = _login(world, "bob", password)
    client.get(reverse("staff:my_page"))
    first = client.session["renewed_at"]
    client.get(reverse("staff:my_page"))
    assert client.session["renewed_at"] == first
    with time_machine.travel(first + 400, tick=False):
        client.get(reverse("staff:my_page"))
        assert client.session["renewed_at"] == first + 400


# Finding 1 of issue 15: with the password alone, a session must not pass the second step. Each attack is
# tried by the people the finding names: a manager (alice) whose organisation may require two-step sign-in,
# and a social worker (bob) who set it up voluntarily, with and without the organisation requiring it.
ATTACKED = [("alice", True), ("alice", False), ("bob", True), ("bob", False)]


def _enrolled(world, name):
    """A person with a confirmed authenticator app and ten recovery codes, as after their own set-up."""
    from staff.platform.mfa import _recovery_codes

    user = world.people[name].user
    device = TOTPDevice.objects.create(user=user, name="Stabil", confirmed=True)
    return device, _recovery_codes(user)[1]


def _organisation_requires(world, required):
    world.org.mfa_required = required
    world.org.save(update_fields=["mfa_required"])


def _assert_still_asked_for_the_second_step(client):
    response = client.get(reverse("staff:my_page"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_verify"))


@pytest.mark.parametrize(("name", "org_requires"), ATTACKED)
def test_password_alone_gets_no_new_recovery_codes(world, password, name, org_requires):
    _organisation_requires(world, org_requires)
    device, codes = _enrolled(world, name)
    attacker = _login(world, name, password)
    response = attacker.post(reverse("mfa_manage"), {"action": "codes"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_verify"))
    assert "Dina återställningskoder" not in response.content.decode()
    # The person's own codes still work, and nothing new was made that the attacker could use.
    tokens = StaticToken.objects.filter(device__user=device.user)
    assert sorted(tokens.values_list("token", flat=True)) == sorted(codes)
    _assert_still_asked_for_the_second_step(attacker)


@pytest.mark.parametrize(("name", "org_requires"), ATTACKED)
def test_password_alone_cannot_enrol_over_an_existing_device(world, password, name, org_requires):
    _organisation_requires(world, org_requires)
    device, _codes = _enrolled(world, name)
    attacker = _login(world, name, password)
    response = attacker.get(reverse("mfa_setup"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_verify"))
    # No new secret was made (the old code showed one and the attacker typed its code).
    assert not TOTPDevice.objects.filter(user=device.user, confirmed=False).exists()
    assert "<svg" not in response.content.decode()
    refused = attacker.post(reverse("mfa_setup"), {"token": _code(device)})
    assert refused.status_code == 302 and refused["Location"].startswith(reverse("mfa_verify"))
    assert list(TOTPDevice.objects.filter(user=device.user)) == [device]
    _assert_still_asked_for_the_second_step(attacker)


@pytest.mark.parametrize("org_requires", [True, False])
def test_password_alone_cannot_switch_two_step_sign_in_off(world, password, org_requires):
    _organisation_requires(world, org_requires)
    device, _codes = _enrolled(world, "bob")  # bob may switch it off (a social worker): once verified
    attacker = _login(world, "bob", password)
    response = attacker.post(reverse("mfa_manage"), {"action": "disable"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_verify"))
    assert TOTPDevice.objects.filter(pk=device.pk, confirmed=True).exists()
    assert StaticToken.objects.filter(device__user=device.user).count() == 10
    _assert_still_asked_for_the_second_step(attacker)


def test_an_unfinished_set_up_is_no_one_elses_secret(world, password):
    """An attacker with the password opens the set-up page before the person does (first enrolment is
    allowed on the password alone) and keeps the secret; the person's own set-up must get another one."""
    attacker = _login(world, "bob", password)
    attacker.get(reverse("mfa_setup"))
    attackers_device = TOTPDevice.objects.get(user=world.bob.user, confirmed=False)
    person = _login(world, "bob", password)
    page = person.get(reverse("mfa_setup"))
    persons_device = TOTPDevice.objects.filter(user=world.bob.user, confirmed=False).exclude(pk=attackers_device.pk)
    assert persons_device.count() == 1, "the person was shown the attacker's secret"
    assert page.context["secret"] != attacker.get(reverse("mfa_setup")).context["secret"]
    done = person.post(reverse("mfa_setup"), {"token": _code(persons_device.get())})
    assert "Dina återställningskoder" in done.content.decode()
    # The attacker's unfinished device is gone; its code opens nothing, at set-up or at verify.
    assert not TOTPDevice.objects.filter(pk=attackers_device.pk).exists()
    late = attacker.post(reverse("mfa_setup"), {"token": _code(attackers_device)})
    assert late.status_code == 302 and late["Location"].startswith(reverse("mfa_verify"))
    again = _login(world, "bob", password)
    refused = again.post(reverse("mfa_verify"), {"token": _code(attackers_device)})
    assert refused.status_code == 200 and "Koden är fel eller för gammal" in refused.content.decode()
    _assert_still_asked_for_the_second_step(again)


def test_unfinished_set_ups_older_than_a_day_are_deleted_when_a_set_up_opens(world, password):
    from django.utils import timezone

    day_old = TOTPDevice.objects.create(user=world.bob.user, name="Stabil", confirmed=False)
    hour_old = TOTPDevice.objects.create(user=world.bob.user, name="Stabil", confirmed=False)
    now = timezone.now()
    TOTPDevice.objects.filter(pk=day_old.pk).update(created_at=now - timezone.timedelta(days=1, seconds=1))
    TOTPDevice.objects.filter(pk=hour_old.pk).update(created_at=now - timezone.timedelta(hours=23))
    _login(world, "bob", password).get(reverse("mfa_setup"))
    unfinished = TOTPDevice.objects.filter(user=world.bob.user, confirmed=False)
    assert hour_old.pk in {d.pk for d in unfinished} and day_old.pk not in {d.pk for d in unfinished}
    assert unfinished.count() == 2  # the hour-old one and this session's


def test_a_session_from_before_the_set_up_is_asked_for_the_second_step_within_minutes(world, password):
    """An attacker signed in with the password before the person set up two-step sign-in: that session
    is sent to verify at its next request after MFA_RECHECK_SECONDS (not at once: no query per request)."""
    import time_machine
    from django.utils import timezone

    from staff.platform.mfa import MFA_RECHECK_SECONDS

    attacker = _login(world, "bob", password)
    assert attacker.get(reverse("staff:my_page")).status_code == 200
    _enrolled(world, "bob")
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=MFA_RECHECK_SECONDS - 5)):
        assert attacker.get(reverse("staff:my_page")).status_code == 200
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=MFA_RECHECK_SECONDS + 1)):
        _assert_still_asked_for_the_second_step(attacker)


# Positive paths: each change is a security event and a notification e-mailed to the person, which never holds
# a code or the app's secret.
def _events(user, kind=None):
    from staff.models import SecurityEvent

    events = SecurityEvent.objects.filter(user_id=user.pk)
    return list((events.filter(kind=kind) if kind else events).values_list("kind", flat=True))


def _notices(member):
    from staff.models import Notification

    return list(Notification.objects.filter(recipient=member).order_by("pk"))


def _assert_told(member, subject, *, secrets=()):
    notices = _notices(member)
    assert [n.subject for n in notices] == [subject]
    notice = notices[0]
    assert notice.url == reverse("mfa_manage") and "byt lösenord genast" in notice.body
    for secret in secrets:
        assert secret not in notice.body and secret not in notice.subject


def _verified(world, name, password, device):
    client = _login(world, name, password)
    response = client.post(reverse("mfa_verify"), {"token": _code(device)})
    assert response.status_code == 302
    return client


def _later(seconds=31):
    import time_machine
    from django.utils import timezone

    return time_machine.travel(timezone.now() + timezone.timedelta(seconds=seconds))


def test_first_enrolment_on_the_password_alone_is_recorded_and_told(world, password, required):
    client = _login(world, "alice", password)
    page = client.get(reverse("mfa_setup"))
    device = TOTPDevice.objects.get(user=world.alice.user, confirmed=False)
    done = client.post(reverse("mfa_setup"), {"token": _code(device)})
    codes = list(StaticToken.objects.filter(device__user=world.alice.user).values_list("token", flat=True))
    assert len(codes) == 10 and all(c in done.content.decode() for c in codes)
    assert _events(world.alice.user) == ["mfa_enrolled"]
    _assert_told(
        world.alice, "Tvåstegsinloggning har aktiverats för ditt konto", secrets=[*codes, page.context["secret"]]
    )


def test_verified_person_replaces_the_app_and_the_old_one_stays_until_the_new_one_works(world, password):
    old, old_codes = _enrolled(world, "bob")
    elsewhere = _verified(world, "bob", password, old)  # another browser, signed in with the old app
    with _later():
        client = _verified(world, "bob", password, old)
    manage = client.get(reverse("mfa_manage"))
    assert "Byt autentiseringsapp" in manage.content.decode()
    page = client.get(reverse("mfa_setup"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    new = TOTPDevice.objects.get(user=world.bob.user, confirmed=False)
    wrong = client.post(reverse("mfa_setup"), {"token": "000000" if _code(new) != "000000" else "111111"})
    assert "Koden är fel eller för gammal" in wrong.content.decode()
    assert TOTPDevice.objects.filter(pk=old.pk, confirmed=True).exists()  # a wrong code changes nothing
    with _later(62):
        done = client.post(reverse("mfa_setup"), {"token": _code(new), "next": reverse("staff:my_page")})
        assert "Dina återställningskoder" in done.content.decode()
        assert list(TOTPDevice.objects.filter(user=world.bob.user, confirmed=True)) == [new]
        assert not TOTPDevice.objects.filter(pk=old.pk).exists()
        assert not StaticToken.objects.filter(token__in=old_codes).exists()
        assert client.get(reverse("staff:my_page")).status_code == 200
        # The browser that signed in with the old app must verify again, now with the new one.
        _assert_still_asked_for_the_second_step(elsewhere)
    assert _events(world.bob.user) == ["mfa_replaced"]
    _assert_told(world.bob, "Din autentiseringsapp för Stabil har bytts", secrets=[page.context["secret"]])


@pytest.mark.parametrize("org_requires", [True, False])
def test_lost_phone_recovery_code_signs_in_once_then_the_app_is_replaced(world, password, org_requires):
    _organisation_requires(world, org_requires)
    old, codes = _enrolled(world, "alice")
    client = _login(world, "alice", password)
    # Typed as people type it: upper case, with a space.
    typed = f"{codes[3][:5].upper()} {codes[3][5:]}"
    signed_in = client.post(reverse("mfa_verify"), {"token": typed, "next": reverse("mfa_setup")})
    assert signed_in.status_code == 302 and signed_in["Location"] == reverse("mfa_setup")
    assert StaticToken.objects.filter(device__user=world.alice.user).count() == 9
    assert not StaticToken.objects.filter(token=codes[3]).exists()
    assert _events(world.alice.user) == ["mfa_recovery_code_used"]
    _assert_told(world.alice, "En återställningskod har använts för att logga in", secrets=codes)
    if not org_requires:  # (frank, the organisation admin, would have to set up two-step sign-in first)
        events_page = world.client("frank").get(reverse("staff:security_events"))
        assert "Inloggning med återställningskod" in events_page.content.decode()
    # The same code a second time, in a new session: refused.
    again = _login(world, "alice", password)
    refused = again.post(reverse("mfa_verify"), {"token": codes[3]})
    assert "Koden är fel eller för gammal" in refused.content.decode()
    # Signed in with the code, the person sets up their new phone.
    client.get(reverse("mfa_setup"))
    new = TOTPDevice.objects.get(user=world.alice.user, confirmed=False)
    done = client.post(reverse("mfa_setup"), {"token": _code(new)})
    assert "Dina återställningskoder" in done.content.decode()
    assert list(TOTPDevice.objects.filter(user=world.alice.user)) == [new]
    assert _events(world.alice.user, "mfa_replaced") == ["mfa_replaced"]


def test_new_recovery_codes_from_a_verified_session(world, password):
    device, old_codes = _enrolled(world, "bob")
    with_old_code = _login(world, "bob", password)
    assert with_old_code.post(reverse("mfa_verify"), {"token": old_codes[0]}).status_code == 302
    client = _login(world, "bob", password)
    assert client.post(reverse("mfa_verify"), {"token": old_codes[1]}).status_code == 302
    response = client.post(reverse("mfa_manage"), {"action": "codes"})
    new_codes = list(StaticToken.objects.filter(device__user=world.bob.user).values_list("token", flat=True))
    assert len(new_codes) == 10 and all(c in response.content.decode() for c in new_codes)
    assert not set(new_codes) & set(old_codes)
    # This session (signed in with an old code) stays in; the other one must verify again.
    assert client.get(reverse("staff:my_page")).status_code == 200
    _assert_still_asked_for_the_second_step(with_old_code)
    assert _events(world.bob.user, "mfa_recovery_codes") == ["mfa_recovery_codes"]
    notices = [n.subject for n in _notices(world.bob)]
    assert notices[-1] == "Nya återställningskoder för Stabil"
    assert not any(c in n.body for n in _notices(world.bob) for c in new_codes)


def test_switching_off_from_a_verified_session_is_recorded_and_told(world, password):
    device, _codes = _enrolled(world, "bob")
    elsewhere = _login(world, "bob", password)  # another browser, at the second step
    client = _verified(world, "bob", password, device)
    client.post(reverse("mfa_manage"), {"action": "disable"})
    assert not TOTPDevice.objects.filter(user=world.bob.user).exists()
    # The other browser has nothing left to verify: it is let through, not stuck at the code page.
    stuck = elsewhere.get(reverse("staff:my_page"), follow=True)
    assert stuck.redirect_chain[-1][0] == reverse("staff:my_page") and stuck.status_code == 200
    assert _events(world.bob.user) == ["mfa_disabled"]
    _assert_told(world.bob, "Tvåstegsinloggning har stängts av")


def test_unverified_session_is_sent_to_verify_and_refused_attempts_are_recorded(world, password):
    device, _codes = _enrolled(world, "alice")
    attacker = _login(world, "alice", password)
    look = attacker.get(reverse("mfa_manage"))
    assert look.status_code == 302 and look["Location"] == f"{reverse('mfa_verify')}?next=%2Faccounts%2Fmfa%2F"
    assert _events(world.alice.user) == []  # looking is no attempt
    attacker.post(reverse("mfa_manage"), {"action": "codes"})
    attacker.post(reverse("mfa_manage"), {"action": "disable"})
    attacker.post(reverse("mfa_setup"), {"token": _code(device)})
    assert _events(world.alice.user) == ["mfa_refused"] * 3
    # The person is told once an hour, however often it is tried.
    _assert_told(world.alice, "Nekat: en ändring utan inloggningens andra steg")
    with _later(3601):
        _login(world, "alice", password).post(reverse("mfa_manage"), {"action": "codes"})
    assert _events(world.alice.user) == ["mfa_refused"] * 4
    assert len(_notices(world.alice)) == 2


def test_guessing_recovery_codes_is_slowed_down(world, password):
    device, codes = _enrolled(world, "bob")
    client = _login(world, "bob", password)
    wrong = client.post(reverse("mfa_verify"), {"token": "0123456789"})
    assert "Koden är fel eller för gammal" in wrong.content.decode()
    # Right after a wrong code even a right one waits (django-otp's doubling delay).
    throttled = client.post(reverse("mfa_verify"), {"token": codes[0]})
    assert throttled.status_code == 200 and "Vänta en stund" in throttled.content.decode()
    # A recovery code is not tried as an app code, so the app is not slowed down by it.
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    with _later(3):
        assert client.post(reverse("mfa_verify"), {"token": codes[0]}).status_code == 302


@pytest.mark.celery_worker
def test_real_worker_emails_the_change_without_the_codes(world, password, celery_worker):
    world.bob.email = "bob@alfa.example"
    world.bob.save()
    device, _codes = _enrolled(world, "bob")
    client = _verified(world, "bob", password, device)
    response = client.post(reverse("mfa_manage"), {"action": "codes"})
    new_codes = list(StaticToken.objects.filter(device__user=world.bob.user).values_list("token", flat=True))
    assert all(c in response.content.decode() for c in new_codes)
    celery_worker.wait_until(lambda: len(celery_worker.mails()) >= 1)
    mail = celery_worker.mails()[0]
    assert "bob@alfa.example" in mail and "de gamla fungerar inte längre" in mail
    assert not [c for c in new_codes if c in mail]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level security is PostgreSQL's")
def test_events_and_notices_are_written_under_row_level_security(world, password, request):
    """As the web runs in production (the application role, staff/platform/rls.py): the event and the notice are
    written in the person's organisation."""
    from staff.models import Notification, SecurityEvent

    device, codes = _enrolled(world, "bob")
    client = _login(world, "bob", password)
    request.getfixturevalue("app_role")
    assert client.post(reverse("mfa_verify"), {"token": codes[0]}).status_code == 302
    assert client.post(reverse("mfa_manage"), {"action": "codes"}).status_code == 200
    _sql("RESET ROLE")
    kinds = SecurityEvent.objects.filter(organisation=world.org, user_id=world.bob.user.pk).values_list(
        "kind", flat=True
    )
    assert sorted(kinds) == ["mfa_recovery_code_used", "mfa_recovery_codes"]
    assert Notification.objects.filter(organisation=world.org, recipient=world.bob).count() == 2
