import pytest
from django.urls import reverse


def test_login_lands_on_start_page(client, world, password):
    response = client.post(reverse("login"), {"username": "alice", "password": password})
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:start")


def test_wrong_password_gives_clear_swedish_message(client, world):
    response = client.post(reverse("login"), {"username": "alice", "password": "fel"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 200
    assert "Ange ett korrekt användarnamn och lösenord" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lockout_after_repeated_failures(client, world, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "bob", "password": "fel"}, REMOTE_ADDR="10.0.0.2")
    # Even the right password is refused while locked, with a page that says why.
    response = client.post(reverse("login"), {"username": "bob", "password": password}, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 429
    assert "För många misslyckade inloggningsförsök" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout(world):
    client = world.client("bob")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("staff:my_page")).status_code == 302


def test_password_reset_sends_mail(client, world, mailoutbox):
    world.bob.user.email = "bob@alfa.example"
    world.bob.user.save()
    response = client.post(reverse("password_reset"), {"email": "bob@alfa.example"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


def test_english_is_selectable(world):
    client = world.client("bob")
    client.post(reverse("set_language"), {"language": "en", "next": "/me/"})
    assert "My details" in client.get(reverse("staff:my_page")).content.decode()
