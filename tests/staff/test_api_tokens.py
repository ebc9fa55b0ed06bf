"""API tokens: created in the app or by command, hashed, revocable; every failure is a 401 with the stable body."""

import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from staff.models import ApiToken
from staff.platform.authentication import hash_key
from staff.services import api_token_create, api_token_revoke


def _get(path, key=None, header=None):
    headers = {"HTTP_AUTHORIZATION": header if header is not None else f"Token {key}"} if (key or header) else {}
    return Client().get(path, **headers)


def test_token_acts_as_its_person(world):
    _token, key = api_token_create(organisation=world.org, staff=world.erin, name="Statistik")
    response = _get(reverse("api-me"), key)
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == world.erin.full_name and body["organisation"] == "Alfa kommun"
    assert body["roles"] == [{"role": "hr", "unit_id": None, "department_id": None}]
    token = ApiToken.objects.get()
    assert token.key_hash == hash_key(key) and key not in token.key_hash
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Token stb_deadbeef_forged-key", "authentication_failed"),
        ("Token", "authentication_failed"),
        ("Token a b", "authentication_failed"),
        ("Token not-our-format", "authentication_failed"),
    ],
)
def test_forged_or_malformed_token_is_401(world, header, code):
    response = _get(reverse("api-me"), header=header)
    assert response.status_code == 401
    body = response.json()
    assert body["error"]["code"] == code and body["error"]["message"]
    assert response["WWW-Authenticate"] == "Token"


def test_revoked_token_is_401(world):
    token, key = api_token_create(organisation=world.org, staff=world.erin, name="x")
    api_token_revoke(organisation=world.org, token=token)
    assert _get(reverse("api-me"), key).status_code == 401


def test_deactivated_user_token_is_401(world):
    _token, key = api_token_create(organisation=world.org, staff=world.erin, name="x")
    world.erin.user.is_active = False
    world.erin.user.save()
    response = _get(reverse("api-me"), key)
    assert response.status_code == 401
    assert "avstängd" in response.json()["error"]["message"]


def test_no_credentials_is_401_with_stable_body(world):
    response = _get(reverse("api-me"))
    assert response.status_code in (401, 403)
    assert set(json.loads(response.content)["error"]) == {"code", "message", "fields"}


def test_create_api_token_command_prints_a_working_key(world, capsys):
    call_command("create_api_token", "erin", "--name", "Ops")
    key = capsys.readouterr().out.strip()
    assert key.startswith("stb_")
    assert _get(reverse("api-me"), key).json()["name"] == world.erin.full_name


def test_create_api_token_command_unknown_user(world):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No staff member"):
        call_command("create_api_token", "nobody")


def test_token_page_shows_key_once_and_revokes(world):
    client = world.client("erin")
    response = client.post(reverse("staff:api_tokens"), {"name": "Statistikexport"})
    html = response.content.decode()
    assert "Kopiera den nu" in html
    token = ApiToken.objects.get(staff=world.erin)
    assert f"stb_{token.prefix}_" in html
    # Listing it again never shows the key.
    assert f"stb_{token.prefix}_" not in client.get(reverse("staff:api_tokens")).content.decode()
    client.post(reverse("staff:api_token_revoke", args=[token.pk]), {"confirm": "1"})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_token_name_is_required(world):
    response = world.client("erin").post(reverse("staff:api_tokens"), {"name": ""})
    assert "Det här fältet är obligatoriskt." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_cannot_revoke_a_colleagues_token(world):
    token, _key = api_token_create(organisation=world.org, staff=world.erin, name="x")
    response = world.client("frank").post(reverse("staff:api_token_revoke", args=[token.pk]), {"confirm": "1"})
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_schema_and_docs_are_served(world):
    client = world.client("erin")
    assert client.get(reverse("api-schema")).status_code == 200
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()


@pytest.mark.parametrize("url_name", ["api-me", "surveys_api:tertials"])
def test_unknown_format_is_400_with_stable_body(world, url_name):
    _token, key = api_token_create(organisation=world.org, staff=world.erin, name="x")
    response = _get(reverse(url_name) + "?format=xml", key)
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["fields"]["format"] == ["Okänt format. Välj ett av: json."]


def _enrol(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="Stabil", confirmed=True)


def test_no_token_from_a_session_that_skipped_the_second_step(world):
    """erin (HR) signed in with the password alone before her two-step sign-in was set up (the session does
    not know yet): a token would be a way round the second step for good, so none is made."""
    client = Client()
    client.force_login(world.erin.user)
    _enrol(world.erin.user)
    response = client.post(reverse("staff:api_tokens"), {"name": "Statistikexport"})
    assert response.status_code == 403
    assert "Bekräfta med tvåstegsinloggning innan du skapar en API-token." in response.content.decode()
    assert "Kopiera den nu" not in response.content.decode()
    assert not ApiToken.objects.exists()


def test_no_token_before_the_second_step_when_the_organisation_requires_it(world):
    world.org.mfa_required = True
    world.org.save(update_fields=["mfa_required"])
    client = Client()
    client.force_login(world.erin.user)
    response = client.post(reverse("staff:api_tokens"), {"name": "Statistikexport"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_setup"))
    device = _enrol(world.erin.user)
    response = client.post(reverse("staff:api_tokens"), {"name": "Statistikexport"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_verify"))
    assert not ApiToken.objects.exists()
    # Verified with the app: the token is made.
    from django_otp.oath import totp

    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    client.post(reverse("mfa_verify"), {"token": code})
    response = client.post(reverse("staff:api_tokens"), {"name": "Statistikexport"})
    assert "Kopiera den nu" in response.content.decode()
    assert ApiToken.objects.filter(staff=world.erin).count() == 1
