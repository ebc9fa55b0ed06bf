"""The demo worker sees their cases with days left; the manager sees the dashboard; axe on each page."""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from tests.browser.conftest import assert_accessible, login


def test_worker_sees_own_cases_with_days_left(page, live_server, demo):
    login(page, live_server, "worker")
    assert page.url.endswith("/caseload/mine/")
    assert page.get_by_role("heading", name="Mitt ärendeläge").is_visible()
    start = timezone.localdate() - datetime.timedelta(days=5)  # the demo's BoU-W-001 started five days ago
    row = page.locator("#my-cases tr", has_text="BoU-W-001")
    assert row.locator("[data-days-target]").inner_text() == "85"
    legal_left = (start + relativedelta(months=4) - timezone.localdate()).days
    assert row.locator("[data-days-legal]").inner_text() == str(legal_left)
    assert row.get_by_role("cell", name="Huvudhandläggare", exact=True).is_visible()
    assert page.get_by_text("Min belastning").is_visible()
    assert_accessible(page)
    # On a phone the days left are on screen without scrolling the table sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    box = row.locator("[data-days-target]").bounding_box()
    assert box and box["x"] + box["width"] <= 390
    page.set_viewport_size({"width": 1280, "height": 900})
    row.get_by_role("link", name="BoU-W-001").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Ärende BoU-W-001").is_visible()
    assert page.get_by_text("Utredning inledd").first.is_visible()
    assert_accessible(page)


def test_manager_sees_dashboard_with_at_risk_investigations(page, live_server, demo):
    login(page, live_server, "manager")
    assert "/caseload/units/" in page.url
    assert page.get_by_role("heading", name="Enhetens ärendeläge: Utredningsenheten").is_visible()
    at_risk = page.locator("#at-risk tbody tr")
    assert at_risk.count() > 0
    assert page.locator("#at-risk").get_by_text("Över lagstadgad tid").first.is_visible()
    assert page.locator("#load-chart").is_visible()
    assert page.evaluate("typeof Chart") == "function"
    assert page.locator("#load-table").get_by_text("Över kapacitet").count() > 0
    assert_accessible(page)
    page.locator("#at-risk tbody tr").first.get_by_role("link").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Fördela handläggare").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_label("Medhandläggare").is_visible()
    assert page.locator("#id_main option").count() > 5
    assert_accessible(page)


def test_manager_sees_the_same_load_on_the_unit_page_as_on_the_dashboard(page, live_server, demo):
    """One measure of load (issue 16): the unit page shows each worker's load as the dashboard does."""
    login(page, live_server, "manager")
    dashboard = page.url
    first = page.locator("#load-table tbody tr").first
    name = first.locator("th").inner_text()
    measure = first.locator(".load-measure").inner_text()
    assert " av " in measure and "%" in measure and "ärende" in measure
    unit_id = dashboard.rstrip("/").rsplit("/", 1)[1]
    page.goto(f"{live_server.url}/units/{unit_id}/")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Belastning mot kapacitet").is_visible()
    row = page.locator("#unit-load-table tbody tr", has_text=name)
    assert row.locator(".load-measure").inner_text() == measure
    assert_accessible(page)
