"""The manager opens the action plans, opens one, records its follow-up and closes it; axe checks each page."""

import re

from tests.browser.conftest import assert_accessible, login


def test_manager_follows_up_and_closes_an_action_plan(page, live_server, demo):
    login(page, live_server, "manager")
    page.get_by_role("link", name="Handlingsplaner", exact=True).first.click()
    assert page.get_by_role("heading", name="Handlingsplaner", exact=True).is_visible()
    assert_accessible(page)
    table = page.get_by_role("table", name=re.compile("Handlingsplaner: Öppna"))
    assert table.get_by_role("row").count() == 3  # the header and the demo's two open plans
    table.get_by_role("row").nth(1).get_by_role("link").click()
    assert page.get_by_role("heading", name=re.compile("^Handlingsplan: ")).is_visible()
    assert page.get_by_text("Genomgång av ärendelistan varannan vecka").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Ändra och följ upp").click()
    assert_accessible(page)
    page.get_by_label("Stäng planen: uppföljningen är gjord").check()
    page.get_by_role("button", name="Spara handlingsplanen").click()
    # Closing without the outcome: the reason at the field, nothing saved.
    assert page.get_by_text("Skriv resultatet av uppföljningen för att stänga planen.").is_visible()
    assert_accessible(page)
    page.get_by_label("Resultat av uppföljningen").fill("Två ärenden omfördelade; arbetsbördan är rimlig nu.")
    page.get_by_role("button", name="Spara handlingsplanen").click()

    assert page.get_by_text("Handlingsplanen är stängd.").is_visible()
    assert page.get_by_text("Två ärenden omfördelade; arbetsbördan är rimlig nu.").is_visible()
    assert page.get_by_text("Stängd", exact=True).first.is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Alla handlingsplaner").click()
    assert page.get_by_text("1 öppna, varav 0 med passerat uppföljningsdatum; 1 stängda.").is_visible()
    page.get_by_label("Visa", exact=True).select_option("closed")
    page.get_by_role("button", name="Visa", exact=True).click()
    closed = page.get_by_role("table", name=re.compile("Handlingsplaner: Stängda"))
    assert closed.get_by_role("row").count() == 2
    assert_accessible(page)
