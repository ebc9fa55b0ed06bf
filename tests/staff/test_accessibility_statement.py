from django.urls import reverse


def test_statement_is_open_without_signing_in(client, db):
    response = client.get(reverse("staff:accessibility"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "WCAG" in body and "Digg" in body
    assert "Kontakta din enhetschef" in body


def test_statement_shows_only_the_readers_organisation_contact(world):
    world.alice.organisation.accessibility_contact = "a11y@alfa.example"
    world.alice.organisation.save()
    world.charlie.organisation.accessibility_contact = "a11y@beta.example"
    world.charlie.organisation.save()
    body = world.client("bob").get(reverse("staff:accessibility")).content.decode()
    assert "a11y@alfa.example" in body
    assert "a11y@beta.example" not in body
