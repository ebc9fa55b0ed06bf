"""Tenancy in the database: PostgreSQL row-level security under the application role.

Data is made as the owner (who bypasses row-level security, like migrations and management
commands); then the connection switches to the application role with SET ROLE, as the web and the
worker run in production. SQLite has no row-level security: these tests skip there.
"""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from caseload.models import Case
from intake.models import IntakeItem
from staff.models import Department, Notification, Organisation, StaffMember, Unit
from staff.platform import rls
from staff.services import api_token_create
from surveys.models import SurveyRound
from tests.caseload.factories import case

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level security is PostgreSQL's")


def _role_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [settings.DATABASE_APP_ROLE])
        return cursor.fetchone() is not None


def _sql(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def app_role(db):
    """Switch this test's connection to the application role; back to the owner afterwards."""
    assert _role_exists(), (
        f"Create the application role: CREATE ROLE {settings.DATABASE_APP_ROLE} NOLOGIN; "
        f"GRANT {settings.DATABASE_APP_ROLE} TO <test user> (see docs/trust-rls.md)"
    )
    _sql(f"SET ROLE {connection.ops.quote_name(settings.DATABASE_APP_ROLE)}")
    yield
    rls.deactivate()
    _sql("RESET ROLE")


@pytest.fixture
def cases(world):
    return {
        "a": [case(world.unit, "A-2024-1"), case(world.unit, "A-2024-2")],
        "b": [case(world.other_unit, "B-2024-9")],
    }


def _columns(model) -> set[str]:
    return {f.column for f in model._meta.concrete_fields}


def test_every_table_with_an_organisation_is_covered_and_install_is_idempotent(db):
    tables = {name for name, _rls, _null in rls.tenant_tables(connection.cursor())}
    models = {m._meta.db_table for m in apps.get_models() if "organisation_id" in _columns(m)}
    assert models <= tables and {"caseload_case", "staff_staffmember", "surveys_answer"} <= tables
    covered = _sql(
        "SELECT c.relname FROM pg_class c JOIN pg_policies p ON p.tablename = c.relname "
        "WHERE c.relrowsecurity AND p.policyname = %s AND p.schemaname = current_schema()",
        [rls.POLICY],
    )
    assert {name for (name,) in covered} == tables
    before = _sql("SELECT count(*) FROM pg_policies")
    assert sorted(rls.install()) == sorted(tables)
    assert _sql("SELECT count(*) FROM pg_policies") == before
    # The application role owns nothing, so the policies apply to it.
    assert not _sql("SELECT 1 FROM pg_tables WHERE tableowner = %s", [settings.DATABASE_APP_ROLE])


def test_a_query_that_forgot_the_organisation_sees_only_the_current_one(world, cases, app_role):
    rls.activate(world.org.pk)
    assert sorted(Case.objects.values_list("number", flat=True)) == ["A-2024-1", "A-2024-2"]
    assert StaffMember.objects.count() == 9  # alice .. ivan; not charlie
    assert not StaffMember.objects.filter(pk=world.charlie.pk).exists()
    assert _sql("SELECT DISTINCT organisation_id FROM caseload_case") == [(world.org.pk,)]
    assert _sql("SELECT count(*) FROM staff_unit WHERE organisation_id = %s", [world.other_org.pk]) == [(0,)]
    # Organisations hold names only: listed for all (the fan-out tasks read them).
    assert Organisation.objects.count() == 2

    rls.activate(world.other_org.pk)
    assert list(Case.objects.values_list("number", flat=True)) == ["B-2024-9"]
    assert list(StaffMember.objects.values_list("pk", flat=True)) == [world.charlie.pk]


def test_with_no_organisation_set_nothing_is_visible(world, cases, app_role):
    assert rls.current() in ("", None)
    assert Case.objects.count() == 0
    assert StaffMember.objects.count() == 0
    assert _sql("SELECT count(*) FROM staff_roleassignment") == [(0,)]
    rls.activate(world.org.pk)
    rls.deactivate()
    assert rls.current() == ""
    assert Case.objects.count() == 0


def test_writing_into_another_organisation_is_refused(world, cases, app_role):
    rls.activate(world.org.pk)
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        Department.objects.create(organisation=world.other_org, name="Smuggled")
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        Case.objects.filter(number="A-2024-1").update(organisation=world.other_org)
    assert Case.objects.filter(number="B-2024-9").update(weight=9) == 0
    assert StaffMember.objects.filter(pk=world.charlie.pk).delete()[0] == 0
    assert Organisation.objects.filter(pk=world.other_org.pk).update(span_of_control_limit=1) == 0
    assert Organisation.objects.filter(pk=world.org.pk).update(span_of_control_limit=11) == 1
    Department.objects.create(organisation=world.org, name="Ny avdelning")  # one's own: allowed
    _sql("RESET ROLE")
    assert not Department.objects.filter(name="Smuggled").exists()
    assert Case.objects.get(number="B-2024-9").weight == 1
    assert Organisation.objects.get(pk=world.other_org.pk).span_of_control_limit == 12


def test_a_request_sets_the_organisation_and_leaves_the_connection_empty(world, cases, app_role):
    alice = world.client("alice")
    a1 = cases["a"][0]
    response = alice.get(reverse("caseload:case_detail", args=[a1.pk]))
    assert response.status_code == 200 and "A-2024-1" in response.content.decode()
    assert rls.current() == ""
    assert getattr(connection, rls.ATTRIBUTE) is None
    # Another organisation's case: 404, and the connection is reset after the error too.
    assert alice.get(reverse("caseload:case_detail", args=[cases["b"][0].pk])).status_code == 404
    assert rls.current() == ""
    # A login without a staff record sees no tenant rows and leaves nothing set.
    from tests.factories import UserFactory

    stranger = Client()
    stranger.force_login(UserFactory(username="stranger"))
    assert stranger.get(reverse("staff:my_page")).status_code == 403
    assert rls.current() == ""


def test_an_api_token_sets_its_organisation(world, cases, app_role):
    _sql("RESET ROLE")
    _token, key = api_token_create(organisation=world.org, staff=world.alice, name="Skript")
    _sql(f"SET ROLE {connection.ops.quote_name(settings.DATABASE_APP_ROLE)}")
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    unit = client.get(f"/api/v1/caseload/units/{world.unit.pk}/")
    assert unit.status_code == 200 and "Bob Testsson" in unit.content.decode()
    assert client.get(f"/api/v1/caseload/units/{world.other_unit.pk}/").status_code == 404
    me = client.get("/api/v1/me/")
    assert me.status_code == 200 and me.json()["organisation"] == "Alfa kommun"
    assert rls.current() == ""
    bad = Client(HTTP_AUTHORIZATION="Token stb_00000000_nonsense").get("/api/v1/me/")
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "authentication_failed"
    assert rls.current() == ""


# --- every app's main pages under the application role -------------------------------------------


def _pages(org: Organisation) -> dict[str, list[str]]:
    """The main pages of every app, for the demo logins of Demo kommun."""
    units = {u.kind: u for u in Unit.objects.filter(organisation=org)}
    inv, intake = units[Unit.Kind.INVESTIGATION], units[Unit.Kind.INTAKE]
    a_case = Case.objects.filter(organisation=org, unit=inv).order_by("pk").first()
    item = IntakeItem.objects.filter(organisation=org).order_by("pk").first()
    rnd = SurveyRound.objects.filter(organisation=org).order_by("-pk").first()
    worker = StaffMember.objects.filter(organisation=org, user__username="worker").get()
    common = [reverse("staff:start"), reverse("staff:my_page"), reverse("staff:notifications")]
    api = ["/api/v1/me/"]
    return {
        "manager": [
            *common,
            *api,
            reverse("staff:unit_detail", args=[inv.pk]),
            reverse("caseload:unit_dashboard", args=[inv.pk]),
            reverse("caseload:unit_load_csv", args=[inv.pk]),
            reverse("caseload:case_detail", args=[a_case.pk]),
            reverse("caseload:case_create"),
            reverse("caseload:unit_cycle", args=[inv.pk]),
            reverse("caseload:board", args=[inv.pk]),
            reverse("competence:overview"),
            reverse("competence:staff_list"),
            reverse("competence:staff_detail", args=[worker.pk]),
            reverse("competence:appointments"),
            reverse("surveys:results"),
            reverse("surveys:unit_results", args=[inv.pk]),
            reverse("surveys:round_results", args=[rnd.pk]),
            f"/api/v1/caseload/units/{inv.pk}/",
        ],
        "worker": [
            *common,
            *api,
            reverse("caseload:my_caseload"),
            reverse("caseload:review_form", args=[inv.pk]),
            reverse("competence:my_ladder"),
            reverse("surveys:my_survey"),
            "/api/v1/caseload/mine/",
        ],
        "depthead": [*common, reverse("staff:department_detail", args=[inv.department_id]), reverse("surveys:results")],
        "hr": [
            *common,
            *api,
            reverse("staff:organisation_overview"),
            reverse("competence:supplements"),
            reverse("competence:supplements_csv"),
            reverse("surveys:exits"),
            reverse("surveys:baseline"),
            f"/api/v1/supplements/?month={datetime.date.today():%Y-%m}",
            "/api/v1/tertials/",
            "/api/v1/turnover/",
            "/api/v1/span-of-control/",
        ],
        "admin": [
            *common,
            reverse("staff:organisation_overview"),
            reverse("competence:settings"),
            reverse("caseload:settings"),
            reverse("surveys:admin"),
        ],
        "administrator": [
            *common,
            reverse("intake:queue"),
            reverse("intake:detail", args=[item.pk]),
            reverse("staff:unit_detail", args=[intake.pk]),
        ],
    }


def _markers(other: Organisation, org: Organisation) -> set[str]:
    """Texts only the other organisation has: its structure's names, its people's names and its case numbers."""
    mine = set(StaffMember.objects.filter(organisation=org).values_list("first_name", "last_name"))
    theirs = set(StaffMember.objects.filter(organisation=other).values_list("first_name", "last_name")) - mine
    names = {f"{first} {last}" for first, last in theirs}
    names |= set(Unit.objects.filter(organisation=other).values_list("name", flat=True))
    names |= set(Department.objects.filter(organisation=other).values_list("name", flat=True))
    names |= set(Case.objects.filter(organisation=other).values_list("number", flat=True)) - set(
        Case.objects.filter(organisation=org).values_list("number", flat=True)
    )
    return {n for n in names if len(n) > 3} | {other.name}


def _walk(pages: dict[str, list[str]], users: dict) -> dict[tuple[str, str], tuple[int, str]]:
    results = {}
    for username, urls in pages.items():
        client = Client()
        client.force_login(users[username])
        for url in urls:
            response = client.get(url, follow=url == reverse("staff:start"))
            body = b"".join(response.streaming_content) if response.streaming else response.content
            results[(username, url)] = (response.status_code, body.decode())
    return results


def test_every_apps_main_pages_work_under_the_app_role_and_show_nothing_of_another(db):
    call_command("seed_demo", verbosity=0)
    org, other = Organisation.objects.get(name="Demo kommun"), Organisation.objects.get(name="Grannby kommun")
    pages = _pages(org)
    markers = _markers(other, org)
    users = {m.user.username: m.user for m in StaffMember.objects.filter(organisation=org, user__isnull=False)}
    other_manager = StaffMember.objects.get(user__username="other-manager").user
    as_owner = _walk(pages, users)
    assert all(status == 200 for status, _body in as_owner.values()), {
        k: s for k, (s, _b) in as_owner.items() if s != 200
    }
    _sql(f"SET ROLE {connection.ops.quote_name(settings.DATABASE_APP_ROLE)}")
    try:
        as_app = _walk(pages, users)
        assert rls.current() == ""
        # The control: the other organisation's own manager does see its texts.
        theirs = _walk({"other-manager": [reverse("staff:my_page")]}, {"other-manager": other_manager})
        assert other.name in theirs[("other-manager", reverse("staff:my_page"))][1]
    finally:
        _sql("RESET ROLE")
    assert {k: s for k, (s, _b) in as_app.items() if s != 200} == {}
    leaks = {k: sorted(m for m in markers if m in body) for k, (_s, body) in as_app.items()}
    assert {k: v for k, v in leaks.items() if v} == {}
    # The same pages show the same rows as the owner sees through the application's own scoping.
    for key, (_status, body) in as_app.items():
        assert _rows(body) == _rows(as_owner[key][1]), key


def _rows(body: str) -> int:
    return len(re.findall(r"<tr[ >]", body)) if body.lstrip().startswith("<") else len(body)


# --- a real Celery worker under the application role ----------------------------------------------


@pytest.fixture
def worker_as_app_role(transactional_db, monkeypatch, request):
    assert _role_exists(), f"Create the application role {settings.DATABASE_APP_ROLE} (see docs/trust-rls.md)"
    monkeypatch.setenv("DATABASE_ASSUME_ROLE", settings.DATABASE_APP_ROLE)
    return request.getfixturevalue("celery_worker")


@pytest.mark.celery_worker
def test_a_task_runs_with_its_organisation_set_and_sees_no_other(world, worker_as_app_role):
    from staff.services import notify
    from staff.tasks import send_notification_email

    worker = worker_as_app_role
    world.bob.email = "bob@alfa.example"
    world.bob.save()
    world.charlie.email = "charlie@beta.example"
    world.charlie.save()
    with transaction.atomic():
        notification, _ = notify(organisation=world.org, recipient=world.bob, key="rls", subject="Utredning dag 60")
    # A row whose recipient belongs to another organisation (a bug the application would not stop
    # here): under the application role the worker cannot read that recipient, so nothing is sent.
    stray = Notification.objects.create(organisation=world.org, recipient=world.charlie, key="stray", subject="Fel")
    send_notification_email.delay(organisation_id=world.org.pk, notification_id=stray.pk)
    worker.wait_until(lambda: len(worker.mails()) >= 1)
    worker.wait_until(lambda: Notification.objects.get(pk=stray.pk).emailed_at is not None)
    worker.wait_until(lambda: any("recipient not readable, not e-mailed" in line for line in worker.output))
    time.sleep(1)
    mails = worker.mails()
    assert len(mails) == 1 and "Utredning dag 60" in mails[0] and "bob@alfa.example" in mails[0]
    assert Notification.objects.get(pk=notification.pk).emailed_at <= datetime.datetime.now(datetime.UTC)
