"""The help link: reached from the navigation by keyboard alone, it opens the guide of the person's role,
and the guide passes axe."""

from tests.browser.conftest import assert_accessible, login, tab_to


def test_help_opens_from_the_navigation_by_keyboard(page, live_server, demo):
    login(page, live_server, "manager")
    tab_to(page, "Hjälp")
    page.keyboard.press("Enter")
    page.wait_for_url("**/hjalp/enhetschef/")
    assert page.get_by_role("heading", name="Handbok för enhetschefer", level=1).is_visible()
    assert page.locator("h1").count() == 1
    assert page.get_by_role("navigation", name="Innehåll").is_visible()
    assert_accessible(page)
    # The table of contents moves the reader to its section, by keyboard too.
    tab_to(page, "Fördelningsmötet var femte vecka")
    page.keyboard.press("Enter")
    assert page.url.endswith("#fordelningsmotet-var-femte-vecka")


def test_every_guide_and_the_index_pass_axe(page, live_server, demo):
    login(page, live_server, "worker")
    page.goto(f"{live_server.url}/hjalp/")
    assert_accessible(page)
    hrefs = page.locator("main table a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(hrefs) == 6
    for href in hrefs:
        response = page.goto(f"{live_server.url}{href}")
        assert response.status == 200
        assert_accessible(page)
