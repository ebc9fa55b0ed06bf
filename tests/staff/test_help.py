"""Help: the link in the navigation opens the guide of the person's main role; the guides of docs/handbok/
render in the site layout, need a sign-in, and an unknown guide is a 404."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from staff import help as help_module
from staff.models import Role, RoleAssignment
from tests.factories import UserFactory

MAIN_GUIDE = {
    "alice": "enhetschef",  # unit manager
    "ivan": "enhetschef",  # assistant unit manager
    "bob": "socialsekreterare",
    "carol": "socialsekreterare",  # specialist
    "heidi": "socialsekreterare",  # social worker in the intake unit
    "dave": "avdelningschef",
    "erin": "hr",
    "frank": "systemforvaltare",  # organisation admin
    "grace": "administrator",  # administrator of the intake unit
}


def _help_links(html: str) -> list[str]:
    return re.findall(r'<a class="nav-link[^"]*" href="([^"]+)"[^>]*>Hjälp</a>', html)


@pytest.mark.parametrize(("name", "guide"), MAIN_GUIDE.items())
def test_each_roles_help_link_goes_to_the_guide_of_that_role(world, name, guide):
    client = world.client(name)
    links = _help_links(client.get(reverse("staff:my_page")).content.decode())
    assert links == [reverse("staff:help_guide", args=[guide])]
    response = client.get(links[0])
    assert response.status_code == 200
    assert response.content.decode().count("<h1") == 1


def test_a_person_with_several_roles_gets_the_main_roles_guide_and_links_to_the_others(world):
    alice = world.alice
    RoleAssignment.objects.create(organisation=alice.organisation, staff=alice, role=Role.ORG_ADMIN)
    client = world.client("alice")
    assert _help_links(client.get(reverse("staff:my_page")).content.decode()) == [
        reverse("staff:help_guide", args=["enhetschef"])
    ]
    body = client.get(reverse("staff:help_guide", args=["enhetschef"])).content.decode()
    assert "Du har fler roller" in body
    assert f'href="{reverse("staff:help_guide", args=["systemforvaltare"])}">Handbok för systemförvaltare' in body
    # On the other role's guide, the link goes back to the main one.
    body = client.get(reverse("staff:help_guide", args=["systemforvaltare"])).content.decode()
    assert f'href="{reverse("staff:help_guide", args=["enhetschef"])}">Handbok för enhetschefer' in body


def test_one_role_shows_no_other_guides(world):
    body = world.client("bob").get(reverse("staff:help_guide", args=["socialsekreterare"])).content.decode()
    assert "Du har fler roller" not in body


@pytest.mark.parametrize("guide", list(help_module.GUIDES))
def test_every_guide_renders_in_the_layout_with_one_h1(world, guide):
    response = world.client("bob").get(reverse("staff:help_guide", args=[guide]))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<h1") == 1
    assert '<main id="main"' in body and "<header>" in body and "<footer" in body
    title = help_module.render_guide(f"{guide}.md").title
    assert title.startswith("Handbok för")
    assert f"<title>{title} · Hjälp · Stabil</title>" in body


def test_the_index_lists_every_guide(world):
    body = world.client("erin").get(reverse("staff:help")).content.decode()
    assert body.count("<h1") == 1
    for guide in help_module.GUIDES:
        assert f'href="{reverse("staff:help_guide", args=[guide])}"' in body


def test_an_unknown_guide_is_404(world):
    client = world.client("bob")
    for name in ("okand", "README", "domain", "socialsekreterare.md"):
        assert client.get(f"/hjalp/{name}/").status_code == 404


def test_help_needs_a_sign_in(db):
    for url in (reverse("staff:help"), reverse("staff:help_guide", args=["socialsekreterare"])):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_login_without_staff_record_reads_the_index(db):
    client = Client()
    client.force_login(UserFactory(username="operator", is_superuser=True, is_staff=True))
    assert client.get(reverse("staff:help")).status_code == 200


def test_links_between_guides_open_their_help_pages_and_other_files_lose_their_target(world):
    body = world.client("bob").get(reverse("staff:help_guide", args=["socialsekreterare"])).content.decode()
    assert f'href="{reverse("staff:help_guide", args=["administrator"])}"' in body
    index = world.client("bob").get(reverse("staff:help")).content.decode()
    assert "domänbeskrivningen" in index  # the text of the link to docs/domain.md stays
    assert ".md" not in "".join(re.findall(r'href="([^"]*)"', body + index))


def test_a_long_guide_has_a_table_of_contents_whose_links_reach_its_headings(world):
    body = world.client("alice").get(reverse("staff:help_guide", args=["enhetschef"])).content.decode()
    assert 'aria-labelledby="contents-heading"' in body
    anchors = re.findall(r'<li><a href="#([^"]+)">', body)
    assert len(anchors) > 3
    for anchor in anchors:
        assert f'<h2 id="{anchor}">' in body


def test_raw_html_in_a_guide_is_shown_as_text(tmp_path, monkeypatch):
    (tmp_path / "prov.md").write_text("# Prov\n\n<script>alert(1)</script> och <b>fet</b>\n", encoding="utf-8")
    monkeypatch.setattr(help_module, "GUIDE_DIR", tmp_path)
    rendered = help_module.render_guide("prov.md")
    assert rendered.title == "Prov"
    assert "<script>" not in rendered.body and "<b>" not in rendered.body
    assert "&lt;script&gt;" in rendered.body


def test_main_guide_follows_the_role_order():
    assert help_module.main_guide({Role.ORG_ADMIN, Role.SOCIAL_WORKER}) == "socialsekreterare"
    assert help_module.main_guide({Role.HR, Role.ORG_ADMIN}) == "systemforvaltare"
    assert help_module.main_guide({Role.DEPARTMENT_HEAD, Role.HR}) == "hr"
    assert help_module.main_guide(set()) is None
