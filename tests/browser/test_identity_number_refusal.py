"""A manager types a personal identity number, then a name, where a case number belongs: both are refused at
the field with the reason, nothing is saved; a real case number is registered. Axe on each step."""

from django.urls import reverse

from caseload.models import Case
from intake.models import IntakeItem
from tests.browser.conftest import assert_accessible, login

REFUSAL = (
    "Skriv inte personnummer eller samordningsnummer här: systemet innehåller inga uppgifter som pekar ut en"
    " person. Ärenden har bara ärendenummer."
)
SHAPE = (
    "Det här är inget ärendenummer av den form som er organisation använder. Skriv bara ärendenumret, aldrig ett namn."
)


def _register_case(page, number):
    page.get_by_label("Ärendenummer").fill(number)
    page.get_by_role("button", name="Registrera").click()
    page.wait_for_load_state("networkidle")


def test_manager_cannot_register_an_identity_number_or_a_name_as_case_number(page, live_server, demo):
    before = Case.objects.count()
    login(page, live_server, "manager")
    page.goto(f"{live_server.url}{reverse('caseload:case_create')}")
    assert page.get_by_role("heading", name="Nytt ärende").is_visible()
    assert page.get_by_text("Aldrig ett namn eller personnummer.").is_visible()
    assert_accessible(page)

    page.get_by_label("Enhet").select_option(index=1)
    _register_case(page, "19121212-1212")
    field = page.get_by_label("Ärendenummer")
    assert page.locator("#id_number-error").inner_text() == REFUSAL
    assert field.get_attribute("aria-invalid") == "true"
    assert field.input_value() == "19121212-1212"  # kept, to be corrected
    assert_accessible(page)

    _register_case(page, "Anna Svensson")
    assert page.locator("#id_number-error").inner_text() == SHAPE
    assert_accessible(page)
    assert Case.objects.count() == before

    _register_case(page, "BoU-W-999")
    assert page.get_by_text("Ärende BoU-W-999 är registrerat.").is_visible()
    assert Case.objects.filter(number="BoU-W-999").exists() and Case.objects.count() == before + 1


def test_administrator_cannot_register_a_report_under_an_identity_number(page, live_server, demo):
    login(page, live_server, "administrator")
    page.goto(f"{live_server.url}{reverse('intake:register')}")
    page.get_by_label("Ärendenummer").fill("201212121212")
    page.get_by_label("Skäl").select_option("neglect")
    page.get_by_role("button", name="Registrera").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_case_number-error").inner_text() == REFUSAL
    assert_accessible(page)
    assert not IntakeItem.objects.filter(case_number="201212121212").exists()


def test_org_admin_cannot_set_a_case_number_pattern_that_accepts_identity_numbers(page, live_server, demo):
    from caseload.case_numbers import DEFAULT_PATTERN
    from caseload.models import CaseloadSettings

    login(page, live_server, "admin")
    page.goto(f"{live_server.url}{reverse('caseload:settings')}")
    field = page.get_by_label("Ärendenumrens form (reguljärt uttryck)")
    assert field.input_value() == DEFAULT_PATTERN
    assert_accessible(page)
    field.fill("[0-9-]+")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state("networkidle")
    error = page.locator("#id_case_number_pattern-error")
    assert error.inner_text() == (
        "Mönstret godtar 19121212-1212, som är ett personnummer eller ett namn: ett mönster för ärendenummer"
        " måste avvisa det."
    )
    assert_accessible(page)
    assert set(CaseloadSettings.objects.values_list("case_number_pattern", flat=True)) == {DEFAULT_PATTERN}
    page.get_by_label("Ärendenumrens form (reguljärt uttryck)").fill("IFO [0-9]{4}/[0-9]+")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Inställningarna för ärendeläge är sparade.").is_visible()
