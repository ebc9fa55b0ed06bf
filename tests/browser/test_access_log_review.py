"""A unit manager does the monthly access-log review in the browser; axe on each state of the page."""

from django.utils import timezone

from caseload.models import Case
from staff.models import Role, StaffMember, Unit
from staff.platform.audit.models import AccessLogEntry, AccessReview, SecurityEvent
from tests.browser.conftest import assert_accessible, login


def _row(reader: StaffMember, **fields) -> None:
    AccessLogEntry.objects.create(
        organisation=reader.organisation,
        actor=reader,
        user_id=reader.user_id,
        channel="page",
        method="GET",
        status=200,
        address="10.0.0.5",
        at=timezone.now(),
        **fields,
    )


def test_unit_manager_reviews_unusual_access(page, live_server, demo):
    manager = StaffMember.objects.get(user__username="manager")
    outsider = StaffMember.objects.filter(
        organisation=manager.organisation, unit__kind=Unit.Kind.INTAKE, roles__role=Role.SOCIAL_WORKER
    ).first()
    colleague = StaffMember.objects.filter(unit=manager.unit, roles__role=Role.SOCIAL_WORKER).first()
    case = Case.objects.filter(unit=manager.unit).first()
    _row(outsider, kind="case", object_id=case.pk, unit_id=case.unit_id, url_name="caseload:case_detail")
    _row(outsider, kind="staff", object_id=colleague.pk, unit_id=colleague.unit_id, url_name="competence:staff_detail")

    login(page, live_server, "manager")
    page.get_by_role("link", name="Åtkomstlogg").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Logguppföljning", exact=False).is_visible()
    table = page.locator("#flags")
    assert table.get_by_text("Ärende utanför läsarens enhet").is_visible()
    assert table.get_by_text("En kollegas personakt").is_visible()
    assert table.get_by_text(outsider.full_name).first.is_visible()
    assert_accessible(page)

    # An empty comment is refused at the field; then the review goes through.
    first = table.locator("tbody tr").first
    first.get_by_role("button", name="Markera som granskad").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Det här fältet är obligatoriskt.").is_visible()
    assert not AccessReview.objects.exists()
    assert_accessible(page)
    first = page.locator("#flags tbody tr").first
    first.get_by_label("Kommentar").fill("Vikarierade i utredningen den veckan")
    first.get_by_role("button", name="Markera som granskad").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Åtkomsten är markerad som granskad.").is_visible()
    assert page.locator("#flags tbody tr").count() == 1

    page.get_by_role("link", name="Alla").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Vikarierade i utredningen den veckan").is_visible()
    assert page.locator("#flags").get_by_text("Granskad", exact=True).is_visible()
    assert_accessible(page)
    review = AccessReview.objects.get()
    assert review.reviewed_by == manager and review.comment == "Vikarierade i utredningen den veckan"
    # reading the log was itself logged
    assert AccessLogEntry.objects.filter(actor=manager, kind="access_log", url_name="staff:access_review").count() >= 3


def test_org_admin_reads_security_events_and_filters_them(page, live_server, demo):
    admin = StaffMember.objects.get(user__username="admin")
    worker = StaffMember.objects.get(user__username="worker")
    events = ((SecurityEvent.Kind.CSRF_FAILURE, "10.0.0.8"), (SecurityEvent.Kind.TOKEN_REFUSED, "10.0.0.9"))
    for kind, address in events:
        SecurityEvent.objects.create(
            organisation=admin.organisation,
            kind=kind,
            user_id=worker.user_id,
            url_name="caseload:my_caseload",
            method="POST",
            status=403,
            address=address,
        )
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/access-log/review/")
    page.get_by_role("link", name="Säkerhetshändelser").click()
    page.wait_for_load_state("networkidle")
    table = page.locator("#security-events")
    assert table.get_by_text("10.0.0.8").is_visible() and table.get_by_text("10.0.0.9").is_visible()
    assert table.get_by_text(worker.full_name).first.is_visible()
    assert_accessible(page)
    page.get_by_label("Typ").select_option(label="API-token nekad")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#security-events").get_by_text("10.0.0.9").is_visible()
    assert page.locator("#security-events").get_by_text("10.0.0.8").count() == 0
    assert_accessible(page)
