"""HR reads the span of control per manager and turnover per year with consultant months (issue 16); axe on each."""

from tests.browser.conftest import assert_accessible, login


def test_hr_sees_each_manager_flagged_over_the_limit_with_visions_guidance(page, live_server, demo):
    login(page, live_server, "hr")
    page.goto(f"{live_server.url}/organisation/")
    page.wait_for_load_state("networkidle")
    row = page.locator("tr", has_text="Utredningsenheten")
    # The demo's unit manager case-reviews 18 of the unit's 26 case workers, the assistant manager 8.
    assert row.get_by_text("18 handläggare – över gränsen 12").is_visible()
    assert row.get_by_text("8 handläggare", exact=True).is_visible()
    assert page.get_by_text("som riktmärke rekommenderar Vision 8–10 per första linjens chef").is_visible()
    assert_accessible(page)


def test_hr_sees_turnover_per_year_and_consultant_months(page, live_server, demo):
    login(page, live_server, "hr")
    page.goto(f"{live_server.url}/surveys/exit-interviews/")
    page.wait_for_load_state("networkidle")
    years = page.get_by_role("table", name="Personalomsättning bland enheternas personal per år")
    assert years.get_by_role("columnheader", name="Konsultmånader").is_visible()
    assert years.locator("tbody tr").count() == 2
    tertials = page.get_by_role("table", name="Personalomsättning bland enheternas personal per tertial")
    assert tertials.get_by_role("columnheader", name="Konsultmånader").is_visible()
    assert_accessible(page)
