"""The accessibility statement is reachable from every page's footer, signed in or not."""

from staff.models import Organisation
from tests.browser.conftest import assert_accessible, login


def test_statement_from_the_login_page_footer(page, live_server, db):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Tillgänglighetsredogörelse").click()
    assert page.get_by_role("heading", name="Tillgänglighetsredogörelse", level=1).is_visible()
    assert page.get_by_role("heading", name="Hur tillgänglig är Stabil?").is_visible()
    assert_accessible(page)


def test_statement_names_the_organisations_contact(page, live_server, demo):
    Organisation.objects.filter(name="Demo kommun").update(accessibility_contact="tillganglighet@demo.example")
    login(page, live_server, "worker")
    page.get_by_role("link", name="Tillgänglighetsredogörelse").click()
    assert page.get_by_text("Demo kommun står bakom Stabil").is_visible()
    assert page.get_by_role("link", name="tillganglighet@demo.example").is_visible()
    assert_accessible(page)
