"""The worker answers in the browser, the manager sees the answer and offers an action plan, the department
head sees only suppressed aggregates; axe checks each page."""

import re

from django.utils import timezone

from staff.models import Organisation
from surveys.models import SurveyRound
from surveys.services import round_close
from tests.browser.conftest import assert_accessible, login


def _close_the_open_round():
    demo = Organisation.objects.get(slug="demo")
    open_round = SurveyRound.objects.get(organisation=demo, status=SurveyRound.Status.OPEN)
    round_close(organisation=demo, survey_round=open_round, now=timezone.now())


def test_worker_answers_and_manager_offers_action_plan(browser, page, live_server, demo):
    login(page, live_server, "worker")
    page.get_by_role("link", name="Enkät", exact=True).click()
    assert page.get_by_role("heading", name="Enkät", exact=True).is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Svara på enkäten").click()
    assert_accessible(page)
    first = page.get_by_role("group", name=re.compile("Jag har en bra arbetssituation"))
    first.get_by_label("2 – Instämmer inte", exact=True).check()
    first.get_by_label("Motivering (frivillig)").fill("För många akuta ärenden i höst")
    page.get_by_role("group", name=re.compile("gott arbete")).get_by_label("4 – Instämmer", exact=True).check()
    page.get_by_role("group", name=re.compile("rekommendera")).get_by_label("3 – Varken eller", exact=True).check()
    page.get_by_role("button", name="Spara mitt svar").click()
    assert page.get_by_text("Tack! Ditt svar är sparat.").is_visible()
    assert page.get_by_text("För många akuta ärenden i höst").is_visible()  # own answers listed
    assert_accessible(page)
    page.get_by_role("button", name="Logga ut").click()
    _close_the_open_round()  # the manager reads answers once the round has closed

    login(page, live_server, "manager")
    page.get_by_role("link", name="Enkätresultat").click()
    assert_accessible(page)
    page.get_by_role("link", name="Utredningsenheten").click()
    assert page.get_by_role("heading", name="Individuella svar").is_visible()
    assert page.get_by_text("För många akuta ärenden i höst").is_visible()
    assert_accessible(page)
    row = page.get_by_role("row").filter(has_text="För många akuta ärenden i höst")
    row.get_by_role("link", name=re.compile("Erbjud handlingsplan")).click()
    assert_accessible(page)
    page.get_by_label("Överenskomna åtgärder").fill("Två ärenden omfördelas; avstämning varje vecka.")
    page.get_by_label("Datum för uppföljning").fill("2099-01-15")
    page.get_by_role("button", name="Spara handlingsplanen").click()
    assert page.get_by_text("Handlingsplanen är sparad").is_visible()
    assert row.get_by_text("Erbjuden; uppföljning 2099-01-15").is_visible()


def test_department_head_sees_only_suppressed_aggregates(page, live_server, demo):
    login(page, live_server, "depthead")
    page.get_by_role("link", name="Enkätresultat").click()
    assert_accessible(page)
    page.get_by_role("table", name=re.compile("Enkätomgångar")).get_by_role("link").nth(1).click()  # latest closed
    table = page.get_by_role("table", name=re.compile("Jämförelse"))
    assert (
        table.get_by_role("row").filter(has_text="Placeringsgruppen").get_by_text("Dolt: för få svarande").is_visible()
    )
    assert table.get_by_text("Dolt: kunde avslöja en liten grupp").count() >= 1
    assert not page.get_by_text("Individuella svar").count()
    assert_accessible(page)
    page.get_by_role("link", name="Placeringsgruppen").click()
    assert page.get_by_role("heading", name=re.compile("Placeringsgruppen")).is_visible()
    assert not page.get_by_role("heading", name="Individuella svar").count()
    assert_accessible(page)
