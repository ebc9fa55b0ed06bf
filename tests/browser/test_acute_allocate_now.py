"""Issue 16 item 5 in the browser: after the meeting is confirmed a new acute investigation enters the queue;
the manager opens it from the board's queue and uses "Fördela … nu". The form proposes the least loaded worker
who may be main handler and, with everyone full, names the load that puts them at; saved, the case is
allocated. axe on each page."""

from fractions import Fraction

from django.utils import timezone
from django.utils.formats import number_format

from caseload.meeting import selectors
from caseload.models import Assignment, Case, CaseloadSettings, CycleSettings
from tests.browser.conftest import assert_accessible, login
from tests.caseload.factories import case

NUMBER = "BoU-AKUT-NY"
WEIGHT = 2


def _least_loaded_main(unit):
    """The rule in its own words: of those who may be main handler (present, not a specialist who holds no own
    cases), the one whose weighted load with the case is the lowest share of their capacity."""
    settings = CycleSettings.objects.get(unit=unit)
    situations = selectors.worker_situations(
        organisation=unit.organisation, unit=unit, cycle=settings.rules.point_on(timezone.localdate()), meeting=None
    )
    never_main = CaseloadSettings.for_org(unit.organisation).specialists_hold_no_cases
    eligible = [s for s in situations if not s.absent and not (s.is_specialist and never_main) and s.capacity > 0]
    best = min(eligible, key=lambda s: (Fraction(s.load + WEIGHT) / Fraction(s.capacity), s.load, s.staff.pk))
    return best, best.load + WEIGHT


def test_manager_allocates_a_new_acute_case_now_after_the_meeting_is_confirmed(page, live_server, demo):
    login(page, live_server, "manager")
    page.get_by_role("link", name="Fördelningstavla").first.click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Ta fram ett förslag").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Fastställ fördelningen").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Fördelningen är fastställd").is_visible()
    board_url = page.url.split("#", 1)[0]

    # A new acute investigation enters the queue, and by now everyone is full.
    unit = CycleSettings.objects.get(organisation__slug="demo").unit
    new = case(unit, NUMBER, start=timezone.localdate(), weight=WEIGHT)
    Case.objects.filter(pk=new.pk).update(acute=True)
    settings = CaseloadSettings.for_org(unit.organisation)
    settings.capacity_level_1 = settings.capacity_level_2 = settings.capacity_level_3 = 1
    settings.save()
    expected, load = _least_loaded_main(unit)
    assert load > expected.capacity  # nobody has room for it

    page.goto(board_url)
    page.wait_for_load_state("networkidle")
    row = page.locator("#queue-table tbody tr", has_text=NUMBER)
    assert row.get_by_text("Akut", exact=True).is_visible()
    row.get_by_role("link", name=NUMBER, exact=True).click()  # the case number is a link to the case
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name=f"Ärende {NUMBER}").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name=f"Fördela {NUMBER} nu").click()
    page.wait_for_load_state("networkidle")
    assert "Fördela nu: förslaget är" in page.locator("#allocate-now").inner_text()
    assert page.locator("#id_main").input_value() == str(expected.staff.pk)
    warning = page.locator("[data-over-capacity]").first.inner_text()
    assert warning == (
        f"Det akuta ärendet {NUMBER} fördelas över kapaciteten: med förslaget får {expected.staff.full_name} en"
        f" viktad belastning på {number_format(load, 1)}, kapacitet {number_format(expected.capacity, 1)}."
    )
    assert_accessible(page)

    page.get_by_role("button", name="Spara handläggare").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text(f"Handläggarna i ärende {NUMBER} är sparade.").is_visible()
    main = Assignment.objects.get(case=new, role="main", end__isnull=True)
    assert main.staff_id == expected.staff.pk
    assert Case.objects.get(pk=new.pk).status == Case.Status.OPEN
    assert_accessible(page)

    page.goto(board_url)
    page.wait_for_load_state("networkidle")
    assert page.locator("#queue-table tbody tr", has_text=NUMBER).count() == 0
