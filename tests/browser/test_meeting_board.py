"""The manager runs the allocation meeting in the browser; the worker then sees the new case; axe on each page."""

from caseload.models import ProposedAllocation
from staff.models import StaffMember
from tests.browser.conftest import assert_accessible, login


def test_manager_proposes_adjusts_confirms_and_worker_sees_the_case(page, live_server, demo):
    login(page, live_server, "manager")
    page.get_by_role("link", name="Fördelningstavla").first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Fördelningstavla: Utredningsenheten").is_visible()
    assert page.locator("#queue-table tbody tr").count() >= 15
    assert page.locator("#workers-table tbody tr").count() > 5
    assert_accessible(page)

    page.get_by_role("button", name="Ta fram ett förslag").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Förslaget är klart.").is_visible()
    assert page.locator("#proposal-table tbody tr").count() >= 15
    assert "Bevisat bäst" in page.locator("#proposal-quality").inner_text()
    assert "Huvudhandläggare: " in page.locator("#proposal-table").inner_text()  # the reasons, in Swedish
    assert_accessible(page)

    # Give one ordinary case to the level-1 demo worker, with its proposed main handler as co-handler.
    worker = StaffMember.objects.get(user__username="worker")
    row = (
        ProposedAllocation.objects.filter(outcome="assigned", case__weight=1, case__acute=False)
        .exclude(main=worker)
        .select_related("case")
        .first()
    )
    number = row.case.number
    page.get_by_label(f"Huvudhandläggare för {number}", exact=True).select_option(str(worker.pk))
    page.get_by_label(f"Medhandläggare för {number}").select_option(str(row.main_id))
    page.get_by_role("button", name=f"Spara {number}").click()
    page.wait_for_load_state("networkidle")
    # The board opens at the row, and the row itself says it was saved.
    assert page.url.endswith(f"#proposal-{number}")
    assert page.locator(f"#proposal-{number}").get_by_text(f"Ändringen av {number} är sparad.").is_visible()
    assert page.locator(f"#proposal-{number}").get_by_text("ändrat för hand").first.is_visible()
    assert "1 rad är ändrad för hand" in page.locator("#proposal-quality").inner_text()
    assert page.evaluate("document.activeElement.classList.contains('row-notes')")  # read out, Tab goes on
    # A new proposal would replace the row changed by hand: asked first; dismissed, the change stays.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Ta fram ett nytt förslag").click()
    assert asked and "ändrats för hand" in asked[0]
    assert ProposedAllocation.objects.get(pk=row.pk).adjusted

    # On a phone the wide tables scroll sideways: each scrolling region is a named tab stop (axe clean).
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_load_state("networkidle")
    workers_region = page.locator(".table-responsive", has=page.locator("#workers-table"))
    assert workers_region.get_attribute("tabindex") == "0"
    assert workers_region.get_attribute("aria-label")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # only the tables scroll sideways
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    page.wait_for_load_state("networkidle")
    assert workers_region.get_attribute("tabindex") is None  # fits: no extra tab stop

    # A row changed but not saved: confirming asks first; dismissed, nothing is confirmed.
    other = page.locator("#proposal-table tbody tr").filter(has_not=page.locator(f"#main-{row.pk}")).first
    unsaved = other.get_attribute("data-row")
    main_select = other.locator("select[name=main]")
    current = main_select.input_value()
    values = main_select.locator("option").evaluate_all("options => options.map(o => o.value)")
    main_select.select_option(next(v for v in values if v != current))
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Fastställ fördelningen").click()
    assert asked and unsaved in asked[0] and "Fastställ ändå?" in asked[0]
    assert not ProposedAllocation.objects.filter(confirmed=True).exists()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Fastställ fördelningen").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Fördelningen är fastställd").is_visible()
    assert page.locator("#carried-over-count").is_visible()
    assert "flyttades till nästa vecka" in page.locator("#carried-over-count").inner_text()
    assert page.locator("#confirmed").is_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/caseload/units/{row.cycle.unit_id}/cycle/")
    assert page.get_by_role("heading", name="Fördelningscykel: Utredningsenheten").is_visible()
    assert_accessible(page)

    page.context.clear_cookies()
    login(page, live_server, "worker")
    page.goto(f"{live_server.url}/caseload/mine/")
    assert page.locator("#my-cases").get_by_text(number).is_visible()
