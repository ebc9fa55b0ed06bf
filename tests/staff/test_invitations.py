"""Invitations and first sign-in (issue 18): the organisation admin invites a person by e-mail, the one-time link
lets them choose a password and signs them in; resend, revoke, expiry, outsiders; password reset for accounts
that never had a usable password."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.signals import request_finished, request_started
from django.db import connection
from django.test import Client
from django.urls import reverse

from staff import services
from staff.models import Invitation, Organisation, Role, StaffMember
from staff.platform.audit.models import SecurityEvent
from staff.platform.retention.services import _anonymise
from tests.factories import RoleAssignmentFactory, StaffMemberFactory, UserFactory
from tests.staff.test_admin_pages import _person_form as admin_person_form

User = get_user_model()
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
SENT = datetime.datetime(2026, 12, 1, 11, 0, tzinfo=STOCKHOLM)  # a Tuesday; 7 days: works through 8 December
GOOD_PASSWORD = "Blåbärssylt-i-november-42"
LINK = re.compile(r"http://testserver/accounts/invitation/(?P<token>[^/\s]+)/")


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://testserver"


def _person_form(world, **overrides):
    """The admin's create form for Nora, a new social worker, with the invitation ticked (None leaves a field out)."""
    data = admin_person_form(world, **{"social_worker": "on", "send_invitation": "on", **overrides})
    return {k: v for k, v in data.items() if v is not None}


def _invitee(world, *, username="nora", email="nora@alfa.example", role=Role.SOCIAL_WORKER) -> StaffMember:
    """A person with a login and no usable password, as the admin's create form makes them."""
    member = services.staff_member_create(
        organisation=world.org,
        username=username,
        first_name=username.capitalize(),
        last_name="Ny",
        email=email,
        unit=world.unit,
        employment_start=datetime.date(2026, 1, 1),
    )
    scope = {"unit": world.unit} if role in (Role.SOCIAL_WORKER, Role.UNIT_MANAGER) else {}
    services.role_assign(organisation=world.org, member=member, role=role, actor=None, **scope)
    return member


def _send(world, member) -> str:
    """Invite `member` as frank; returns the link's path read from the e-mail."""
    mail.outbox.clear()
    services.invitation_send(organisation=world.org, member=member, by=world.frank)
    return _path_in_mail()


def _path_in_mail(index: int = -1) -> str:
    match = LINK.search(mail.outbox[index].body)
    assert match, mail.outbox[index].body
    return f"/accounts/invitation/{match['token']}/"


def _choose(client: Client, path: str, password: str = GOOD_PASSWORD, again: str | None = None):
    return client.post(path, {"new_password1": password, "new_password2": password if again is None else again})


# --- sending ------------------------------------------------------------------------------------


def test_admin_creates_a_person_and_the_invitation_e_mail_has_the_one_time_link(world):
    with time_machine.travel(SENT, tick=False):
        response = world.client("frank").post(reverse("staff:admin_staff_create"), _person_form(world))
    assert response.status_code == 302
    member = StaffMember.objects.get(first_name="Nora")
    assert not member.user.has_usable_password()
    invitation = Invitation.objects.get(staff=member)
    assert invitation.organisation == world.org and invitation.created_by == world.frank
    assert invitation.email == "nora@alfa.example" and invitation.state() == Invitation.State.PENDING
    assert invitation.expires_at == datetime.datetime(2026, 12, 8, 23, 59, 59, 999999, tzinfo=STOCKHOLM)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nora@alfa.example"]
    assert message.subject == "Din inbjudan till Stabil"
    assert "Hej Nora!" in message.body and "Ditt användarnamn är nora." in message.body
    assert "Alfa kommun har gett dig en inloggning till Stabil" in message.body
    assert "till och med 8 december 2026" in message.body
    token = LINK.search(message.body)["token"]
    # Only a hash and a short prefix of the token are stored.
    assert invitation.prefix == token[:8] and token not in invitation.token_hash
    assert not Invitation.objects.filter(token_hash__contains=token).exists()
    assert not Invitation.history.filter(staff_id=member.pk).values("prefix").filter(prefix=token).exists()
    page = world.client("frank").get(reverse("staff:admin_staff_edit", args=[member.pk])).content.decode()
    assert "Skickad till nora@alfa.example, väntar: länken fungerar till och med 8 december 2026." in page


def test_the_link_is_built_from_site_url(world, settings):
    settings.SITE_URL = "https://stabil.alfa.example"
    services.invitation_send(organisation=world.org, member=_invitee(world), by=world.frank)
    assert "https://stabil.alfa.example/accounts/invitation/" in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"email": ""}, "En inbjudan skickas med e-post: ange personens e-postadress."),
        ({"username": ""}, "En inbjudan gäller en inloggning: ge personen ett användarnamn."),
    ],
)
def test_an_invitation_without_e_mail_or_username_is_refused_at_the_field(world, overrides, field_message):
    response = world.client("frank").post(reverse("staff:admin_staff_create"), _person_form(world, **overrides))
    assert response.status_code == 200
    form = response.context["form"]
    field = next(iter(overrides))
    assert field_message in form.errors[field]
    assert not StaffMember.objects.filter(first_name="Nora").exists()
    assert not User.objects.filter(username="nora").exists()
    assert mail.outbox == []


def test_without_the_tick_no_invitation_is_sent(world):
    data = admin_person_form(world, social_worker="on")
    world.client("frank").post(reverse("staff:admin_staff_create"), data)
    assert StaffMember.objects.filter(first_name="Nora").exists()
    assert not Invitation.objects.exists() and mail.outbox == []


def test_an_existing_record_gets_a_login_and_an_invitation(world):
    member = StaffMemberFactory(
        organisation=world.org, unit=world.unit, user=None, first_name="Olle", email="olle@alfa.example"
    )
    url = reverse("staff:admin_staff_edit", args=[member.pk])
    page = world.client("frank").get(url).content.decode()
    assert "Ge en inloggning och skicka en inbjudan" in page
    response = world.client("frank").post(
        reverse("staff:admin_staff_login_create", args=[member.pk]), {"login-username": "olle"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.user.username == "olle" and not member.user.has_usable_password()
    assert member.user.email == "olle@alfa.example"
    assert Invitation.objects.get(staff=member).state() == Invitation.State.PENDING
    assert mail.outbox[-1].to == ["olle@alfa.example"]


@pytest.mark.parametrize(
    ("email", "username", "message"),
    [
        ("", "olle", "En inbjudan skickas med e-post: ange personens e-postadress."),
        ("olle@alfa.example", "bob", "Användarnamnet är redan upptaget."),
        ("olle@alfa.example", "inte ett namn", "Fyll i en giltig"),
    ],
)
def test_a_refused_login_for_an_existing_record_leaves_nothing(world, email, username, message):
    member = StaffMemberFactory(organisation=world.org, unit=world.unit, user=None, first_name="Olle", email=email)
    response = world.client("frank").post(
        reverse("staff:admin_staff_login_create", args=[member.pk]), {"login-username": username}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    member.refresh_from_db()
    assert member.user_id is None
    assert not User.objects.filter(username="olle").exists()
    assert not Invitation.objects.filter(staff=member).exists() and mail.outbox == []


def test_someone_who_has_chosen_a_password_is_not_invited(world):
    client = world.client("frank")
    response = client.post(reverse("staff:admin_staff_invitation_send", args=[world.bob.pk]))
    assert response.status_code == 302
    assert not Invitation.objects.exists() and mail.outbox == []
    page = client.get(response.url).content.decode()
    assert "Personen har redan valt ett lösenord." in page


def test_a_failed_e_mail_saves_nothing_and_says_so(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    response = world.client("frank").post(reverse("staff:admin_staff_create"), _person_form(world))
    assert response.status_code == 200
    assert "E-postmeddelandet med inbjudan kunde inte skickas." in response.content.decode()
    assert not StaffMember.objects.filter(first_name="Nora").exists()
    assert not Invitation.objects.exists()


# --- the link -----------------------------------------------------------------------------------


def test_the_link_sets_the_password_signs_in_and_lands_on_the_start_page(world):
    member = _invitee(world)
    path = _send(world, member)
    client = Client()
    page = client.get(path)
    assert page.status_code == 200
    assert "Välkommen till Stabil, Nora." in page.content.decode()
    response = _choose(client, path)
    assert response.status_code == 302 and response.url == reverse("staff:start")
    assert client.get(response.url).url == reverse("caseload:my_caseload")  # a social worker's start page
    member.user.refresh_from_db()
    assert member.user.check_password(GOOD_PASSWORD)
    assert Invitation.objects.get(staff=member).state() == Invitation.State.USED
    assert client.get(reverse("caseload:my_caseload")).status_code == 200
    # And the password works at the sign-in page afterwards.
    signed_in = Client().post(reverse("login"), {"username": "nora", "password": GOOD_PASSWORD})
    assert signed_in.status_code == 302 and signed_in.url == reverse("staff:start")


def test_the_link_works_once(world):
    path = _send(world, _invitee(world))
    assert _choose(Client(), path).status_code == 302
    again = Client()
    assert again.get(path).status_code == 410
    response = _choose(again, path, password="Ett-annat-lösenord-99")
    assert response.status_code == 410
    assert "Be din organisations systemförvaltare om en ny inbjudan." in response.content.decode()
    assert User.objects.get(username="nora").check_password(GOOD_PASSWORD)
    assert SecurityEvent.objects.filter(kind="invitation_refused", status=410, organisation=world.org).count() == 2


@pytest.mark.parametrize(
    ("moment", "works"),
    [
        (datetime.datetime(2026, 12, 7, 12, 0, tzinfo=STOCKHOLM), True),  # the day before the last day
        (datetime.datetime(2026, 12, 8, 23, 59, 0, tzinfo=STOCKHOLM), True),  # the last day, a minute before its end
        (datetime.datetime(2026, 12, 9, 0, 0, 1, tzinfo=STOCKHOLM), False),  # the day after
    ],
)
def test_the_link_works_until_the_end_of_its_last_day(world, moment, works):
    member = _invitee(world)
    with time_machine.travel(SENT, tick=False):
        path = _send(world, member)
    with time_machine.travel(moment, tick=False):
        client = Client()
        assert client.get(path).status_code == (200 if works else 410)
        response = _choose(client, path)
        state = Invitation.objects.get(staff=member).state()
    member.user.refresh_from_db()
    assert response.status_code == (302 if works else 410)
    assert member.user.has_usable_password() is works
    assert state == (Invitation.State.USED if works else Invitation.State.EXPIRED)


@pytest.mark.parametrize(("days", "last_day"), [(1, 2), (7, 8), (30, 31)])
def test_the_validity_is_the_organisations_setting(world, days, last_day):
    Organisation.objects.filter(pk=world.org.pk).update(invitation_valid_days=days)
    world.org.refresh_from_db()
    with time_machine.travel(SENT, tick=False):
        services.invitation_send(organisation=world.org, member=_invitee(world), by=world.frank)
    assert timezone_date(Invitation.objects.get().expires_at) == datetime.date(2026, 12, last_day)


def timezone_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(STOCKHOLM).date()


def test_the_setting_is_edited_with_the_other_organisation_settings(world):
    client = world.client("frank")
    data = {
        "form": "settings",
        "settings-span_of_control_limit": 12,
        "settings-idle_timeout_minutes": 60,
        "settings-invitation_valid_days": 14,
    }
    page = client.get(reverse("staff:admin_structure")).content.decode()
    assert "Hur många dagar efter den dag den skickas som länken i en inbjudan fungerar" in page
    assert client.post(reverse("staff:admin_structure"), data).status_code == 302
    world.org.refresh_from_db()
    assert world.org.invitation_valid_days == 14
    for bad in (0, 61, "sju"):
        response = client.post(reverse("staff:admin_structure"), {**data, "settings-invitation_valid_days": bad})
        assert response.status_code == 200
        assert response.context["forms"]["settings"].errors["invitation_valid_days"]
    world.org.refresh_from_db()
    assert world.org.invitation_valid_days == 14


def test_revoked_links_no_longer_work(world):
    member = _invitee(world)
    path = _send(world, member)
    client = world.client("frank")
    response = client.post(reverse("staff:admin_staff_invitation_revoke", args=[member.pk]))
    assert response.status_code == 302
    assert Invitation.objects.get(staff=member).state() == Invitation.State.REVOKED
    assert Client().get(path).status_code == 410
    assert _choose(Client(), path).status_code == 410
    member.user.refresh_from_db()
    assert not member.user.has_usable_password()
    page = client.get(reverse("staff:admin_staff_edit", args=[member.pk])).content.decode()
    assert "Återkallad " in page and "Återkalla inbjudan" not in page


def test_a_new_invitation_replaces_the_old_link(world):
    member = _invitee(world)
    old = _send(world, member)
    response = world.client("frank").post(reverse("staff:admin_staff_invitation_send", args=[member.pk]))
    assert response.status_code == 302
    new = _path_in_mail()
    assert new != old and len(mail.outbox) == 2
    assert Client().get(old).status_code == 410
    assert _choose(Client(), new).status_code == 302
    states = sorted(i.state() for i in Invitation.objects.filter(staff=member))
    assert states == [Invitation.State.REVOKED, Invitation.State.USED]


def test_the_person_page_shows_used_and_expired(world):
    member = _invitee(world)
    with time_machine.travel(SENT, tick=False):
        _send(world, member)
    url = reverse("staff:admin_staff_edit", args=[member.pk])
    with time_machine.travel(datetime.datetime(2026, 12, 9, 9, 0, tzinfo=STOCKHOLM)):
        page = world.client("frank").get(url).content.decode()
    assert "Gick ut 8 december 2026 utan att användas." in page
    assert "Skicka en ny inbjudan" in page
    path = _send(world, member)
    _choose(Client(), path)
    page = world.client("frank").get(url).content.decode()
    assert "personen har valt ett lösenord." in page and "Skicka en ny inbjudan" not in page


@pytest.mark.parametrize("token", ["inte-en-inbjudan", "x" * 500, "%C3%A5%00"])
def test_an_unknown_token_is_a_plain_404_and_a_security_event(world, token):
    response = Client().get(f"/accounts/invitation/{token}/")
    assert response.status_code == 404
    assert "Inbjudningslänken fungerar inte" in response.content.decode()
    assert SecurityEvent.objects.filter(kind="invitation_refused", status=404, organisation=None).count() == 1


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        (GOOD_PASSWORD, "Något-annat-lösenord-7", "De två lösenordsfälten stämmer inte överens."),
        ("kort1", "kort1", "Det här lösenordet är för kort."),
        ("48213975601", "48213975601", "Detta lösenord är enbart numeriskt."),
        ("password123", "password123", "Detta lösenord är alldeles för vanligt."),
        ("nora@alfa.example", "nora@alfa.example", "för likt"),
    ],
)
def test_a_mismatched_or_weak_password_is_refused_at_the_field_and_nothing_is_saved(world, first, second, message):
    member = _invitee(world)
    path = _send(world, member)
    client = Client()
    response = _choose(client, path, password=first, again=second)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["new_password2"])
    assert message in errors
    member.user.refresh_from_db()
    assert not member.user.has_usable_password()
    assert Invitation.objects.get(staff=member).state() == Invitation.State.PENDING
    assert "_auth_user_id" not in client.session
    assert _choose(client, path).status_code == 302  # the link still works after a refused try


def test_a_switched_off_login_cannot_use_its_link(world):
    member = _invitee(world)
    path = _send(world, member)
    services.login_set_active(member=member, active=False)
    assert _choose(Client(), path).status_code == 410
    member.user.refresh_from_db()
    assert not member.user.has_usable_password()


def test_switching_the_login_off_revokes_the_link_and_switching_on_does_not_revive_it(world):
    member = _invitee(world)
    path = _send(world, member)
    services.login_set_active(member=member, active=False)
    invitation = Invitation.objects.get(staff=member)
    assert invitation.revoked_at is not None
    services.login_set_active(member=member, active=True)
    assert _choose(Client(), path).status_code == 410
    member.user.refresh_from_db()
    assert not member.user.has_usable_password()


def test_a_link_stops_working_when_the_persons_address_is_corrected(world):
    """Sent to a mistyped address, then the record corrected without a new invitation: whoever got the mail at
    the old address must not choose the person's password."""
    member = _invitee(world, email="nora@alfa.exampel")
    path = _send(world, member)
    services.staff_member_update(member=member, email="nora@alfa.example")
    assert Client().get(path).status_code == 410
    assert _choose(Client(), path).status_code == 410
    member.user.refresh_from_db()
    assert not member.user.has_usable_password()


def test_the_address_is_compared_without_regard_to_case(world):
    member = _invitee(world, email="nora@alfa.example")
    path = _send(world, member)
    services.staff_member_update(member=member, email="Nora@Alfa.Example")
    assert _choose(Client(), path).status_code == 302


@pytest.mark.parametrize(
    ("last_day", "works"),
    [(datetime.date(2026, 12, 4), True), (datetime.date(2026, 12, 3), True), (datetime.date(2026, 12, 2), False)],
)
def test_a_leaver_cannot_use_a_link_from_the_day_after_the_last_day(world, last_day, works):
    """Today is 3 December (Stockholm): a last day of 4 or 3 December still works, 2 December does not."""
    member = _invitee(world)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 12, tzinfo=STOCKHOLM), tick=False):
        path = _send(world, member)
    member.employment_end = last_day
    member.save(update_fields=["employment_end"])
    with time_machine.travel(datetime.datetime(2026, 12, 3, 12, tzinfo=STOCKHOLM), tick=False):
        assert (_choose(Client(), path).status_code == 302) is works


def test_where_two_step_sign_in_is_required_the_invited_manager_sets_it_up_first(world):
    Organisation.objects.filter(pk=world.org.pk).update(mfa_required=True)
    world.org.refresh_from_db()
    member = _invitee(world, username="maja", email="maja@alfa.example", role=Role.UNIT_MANAGER)
    path = _send(world, member)
    client = Client()
    response = _choose(client, path)
    assert response.status_code == 302 and response.url == reverse("staff:start")
    dashboard = reverse("caseload:unit_dashboard", args=[world.unit.pk])
    for page in (reverse("staff:start"), reverse("staff:my_page"), dashboard):
        answer = client.get(page)
        assert answer.status_code == 302 and answer.url.startswith(reverse("mfa_setup")), page
    assert client.get(reverse("mfa_setup")).status_code == 200


def test_a_social_worker_in_the_same_organisation_is_not_asked_for_two_steps(world):
    Organisation.objects.filter(pk=world.org.pk).update(mfa_required=True)
    path = _send(world, _invitee(world))
    client = Client()
    _choose(client, path)
    assert client.get(reverse("caseload:my_caseload")).status_code == 200


# --- who may -------------------------------------------------------------------------------------


def test_an_outsider_admin_gets_404_for_another_organisations_person(world):
    beta_admin = StaffMemberFactory(organisation=world.other_org, unit=None, user=UserFactory(username="betaadmin"))
    RoleAssignmentFactory(staff=beta_admin, organisation=world.other_org, role=Role.ORG_ADMIN)
    member = _invitee(world)
    path = _send(world, member)
    client = Client()
    client.force_login(beta_admin.user)
    for name, data in (
        ("staff:admin_staff_invitation_send", {}),
        ("staff:admin_staff_invitation_revoke", {}),
        ("staff:admin_staff_login_create", {"login-username": "x"}),
    ):
        assert client.post(reverse(name, args=[member.pk]), data).status_code == 404, name
    assert client.get(reverse("staff:admin_staff_edit", args=[member.pk])).status_code == 404
    assert Invitation.objects.get(staff=member).state() == Invitation.State.PENDING
    assert Client().get(path).status_code == 200  # the link still works


@pytest.mark.parametrize("name", ["bob", "alice", "erin", "charlie"])
def test_only_the_organisation_admin_sends_or_revokes(world, name):
    member = _invitee(world)
    path = _send(world, member)
    client = world.client(name)
    for url_name in ("staff:admin_staff_invitation_send", "staff:admin_staff_invitation_revoke"):
        assert client.post(reverse(url_name, args=[member.pk])).status_code in (403, 404)
    assert Invitation.objects.get(staff=member).state() == Invitation.State.PENDING
    assert Client().get(path).status_code == 200


def test_send_and_revoke_are_post_only_with_csrf(world):
    member = _invitee(world)
    url = reverse("staff:admin_staff_invitation_send", args=[member.pk])
    assert world.client("frank").get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.frank.user)
    assert strict.post(url).status_code == 403
    assert strict.post(reverse("staff:admin_staff_invitation_revoke", args=[member.pk])).status_code == 403
    assert not Invitation.objects.exists()


# --- password reset -------------------------------------------------------------------------------


def test_password_reset_reaches_an_account_without_a_usable_password(world):
    member = _invitee(world)
    response = Client().post(reverse("password_reset"), {"email": "NORA@alfa.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nora@alfa.example"]
    match = re.search(r"/accounts/reset/[^/]+/[^/\s]+/", mail.outbox[0].body)
    client = Client()
    form_page = client.get(match.group(0), follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD}
    )
    assert done.status_code == 302
    member.user.refresh_from_db()
    assert member.user.check_password(GOOD_PASSWORD)


def test_the_reset_answer_is_the_same_for_an_unknown_address_and_an_inactive_login(world):
    inactive = _invitee(world, username="vera", email="vera@alfa.example")
    services.login_set_active(member=inactive, active=False)
    _invitee(world)
    answers = [
        Client().post(reverse("password_reset"), {"email": address}, follow=True)
        for address in ("nora@alfa.example", "ingen@alfa.example", "vera@alfa.example")
    ]
    assert [a.redirect_chain for a in answers] == [[(reverse("password_reset_done"), 302)]] * 3
    bodies = {re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", a.content.decode()) for a in answers}
    assert len(bodies) == 1
    assert [m.to for m in mail.outbox] == [["nora@alfa.example"]]  # the unknown and the inactive got nothing


# --- retention and row-level security ---------------------------------------------------------------


def test_an_anonymised_person_takes_their_invitations_and_their_history_along(world):
    member = _invitee(world)
    _send(world, member)
    _send(world, member)
    assert Invitation.history.filter(staff_id=member.pk).exists()
    other = _invitee(world, username="olle", email="olle@alfa.example")
    _send(world, other)
    _anonymise(StaffMember.objects.select_related("user", "organisation").get(pk=member.pk), datetime.date(2030, 1, 1))
    assert not Invitation.objects.filter(staff_id=member.pk).exists()
    assert not Invitation.history.filter(staff_id=member.pk).exists()
    assert Invitation.objects.filter(staff=other).exists()


def test_a_removed_staff_record_takes_its_invitations_along(world):
    member = StaffMemberFactory(organisation=world.org, unit=world.unit, user=None, email="p@alfa.example")
    services.login_create(organisation=world.org, member=member, username="pelle")
    services.invitation_send(organisation=world.org, member=member, by=world.frank)
    member.delete()
    assert not Invitation.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level security is PostgreSQL's")
def test_the_link_works_under_the_application_role(world):
    """The invited person is not signed in: the view finds the organisation from the token's hash."""
    from tests.staff.rls_plugin import _as_app_role, _as_owner

    member = _invitee(world)
    path = _send(world, member)
    request_started.connect(_as_app_role, dispatch_uid="invitation-app-role-start")
    request_finished.connect(_as_owner, dispatch_uid="invitation-app-role-finish")
    try:
        client = Client()
        assert client.get(path).status_code == 200
        assert _choose(client, path).status_code == 302
        assert client.get("/accounts/invitation/okand/").status_code == 404
        assert client.get(path).status_code == 410
    finally:
        request_started.disconnect(dispatch_uid="invitation-app-role-start")
        request_finished.disconnect(dispatch_uid="invitation-app-role-finish")
    assert Invitation.objects.get(staff=member).state() == Invitation.State.USED
    assert SecurityEvent.objects.filter(kind="invitation_refused", organisation=world.org, status=410).count() == 1
