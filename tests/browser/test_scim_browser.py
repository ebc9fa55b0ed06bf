"""The organisation admin's SCIM page in a browser: a token made and used, a mapping added (axe on each page)."""

from staff.scim.models import ScimGroupMapping, ScimToken
from tests.browser.conftest import assert_accessible, login


def test_org_admin_makes_a_scim_token_the_directory_uses_and_maps_a_group(page, live_server, demo):
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/admin/people/")
    page.get_by_role("link", name="Katalog (SCIM)").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("textbox", name="Klient-URL (Tenant URL)").input_value() == f"{live_server.url}/scim/v2/"
    assert_accessible(page)

    page.get_by_label("Namn").fill("Entra ID")
    page.get_by_role("button", name="Skapa token").click()
    page.wait_for_load_state("networkidle")
    key = page.get_by_role("textbox", name="Ny token").input_value()
    assert key.startswith("scim_")
    assert_accessible(page)
    directory = page.context.request
    users = directory.get(f"{live_server.url}/scim/v2/Users", headers={"Authorization": f"Bearer {key}", "Cookie": ""})
    assert users.status == 200 and users.json()["totalResults"] > 0

    page.get_by_role("textbox", name="Kataloggrupp").fill("IFO Utredning")
    page.get_by_role("combobox", name="Roll").select_option(label="Socialsekreterare")
    page.get_by_role("combobox", name="Enhet").select_option(index=1)
    page.get_by_role("button", name="Lägg till koppling").click()
    page.wait_for_load_state("networkidle")
    assert ScimGroupMapping.objects.get().group_name == "IFO Utredning"
    assert page.get_by_role("cell", name="IFO Utredning", exact=True).is_visible()
    assert page.get_by_role("textbox", name="Ny token").count() == 0  # the key is never shown again
    assert_accessible(page)

    page.get_by_role("button", name="Återkalla Entra ID").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Återkalla", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert ScimToken.objects.get().revoked_at is not None
    refused = directory.get(
        f"{live_server.url}/scim/v2/Users", headers={"Authorization": f"Bearer {key}", "Cookie": ""}
    )
    assert refused.status == 401
