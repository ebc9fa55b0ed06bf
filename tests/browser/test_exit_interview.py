"""HR records an exit interview in the browser: no reason is chosen for them, dates the interview cannot
have are refused at the field, then it is saved and listed; axe clean, and no sideways page on a phone."""

from django.utils import timezone

from surveys.models import ExitInterview
from tests.browser.conftest import assert_accessible, login


def test_hr_records_an_exit_interview_and_bad_input_is_refused_at_the_field(page, live_server, demo):
    login(page, live_server, "hr")
    page.goto(f"{live_server.url}/surveys/exit-interviews/")
    assert page.get_by_role("heading", name="Avgångssamtal och personalomsättning").is_visible()
    before = ExitInterview.objects.count()
    page.get_by_role("link", name="Registrera avgångssamtal").click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)

    person = page.get_by_label("Person som slutar")
    person.select_option(index=1)
    assert page.get_by_label("Huvudsaklig orsak (för statistiken)").input_value() == ""  # none preselected
    page.get_by_label("Datum för samtalet").fill("1800-01-01")
    page.get_by_role("button", name="Spara avgångssamtalet").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Ange ett datum mellan åren 1900 och 2100.").is_visible()
    assert ExitInterview.objects.count() == before
    assert_accessible(page)

    page.get_by_label("Datum för samtalet").fill(timezone.localdate().isoformat())
    page.get_by_label("Huvudsaklig orsak (för statistiken)").select_option(index=1)
    page.get_by_role("button", name="Spara avgångssamtalet").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Avgångssamtalet är registrerat.").is_visible()
    assert ExitInterview.objects.count() == before + 1

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the tables scroll, not the page
    assert_accessible(page)
