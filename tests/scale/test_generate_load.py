"""manage.py generate_load: realistic organisations in bulk, and the same query count at two sizes."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from caseload.models import Assignment, Case, CycleSettings, Investigation
from competence.models import LevelPlacement
from staff.models import Department, Organisation, Role, RoleAssignment, StaffMember, Unit
from surveys.models import Answer, Invitation, SurveyRound
from surveys.reports.tertial_ids import tertial_id
from surveys.tertials import Tertial

pytestmark = pytest.mark.django_db


def _generate(**options) -> str:
    out = io.StringIO()
    call_command("generate_load", stdout=out, **options)
    return out.getvalue()


def test_organisations_get_units_people_ladder_histories_cases_and_surveys():
    output = _generate(organisations=2, staff=40, cases=500, seed=3)

    orgs = list(Organisation.objects.filter(slug__startswith="lasttest-40-").order_by("pk"))
    assert [o.name for o in orgs] == ["Lasttest 40", "Lasttest 40 (2)"]
    assert "2 organisation(s), 1000 cases" in output
    org = orgs[0]
    assert Unit.objects.filter(organisation=org).count() == 2  # one unit per 20 case workers
    assert Case.objects.filter(organisation=org).count() == 500
    statuses = {s: Case.objects.filter(organisation=org, status=s).count() for s in Case.Status.values}
    assert statuses["closed"] == 250 and statuses["awaiting"] > 0 and statuses["open"] > 200
    assert Investigation.objects.filter(organisation=org).count() == 500
    # Every open case has a main handler who works in the case's unit; queued cases have none.
    open_cases = Case.objects.filter(organisation=org, status=Case.Status.OPEN)
    mains = Assignment.objects.filter(case__in=open_cases, role=Assignment.Role.MAIN, end__isnull=True)
    assert mains.count() == open_cases.count()
    assert not mains.exclude(staff__unit=F("case__unit")).exists()
    assert not Assignment.objects.filter(case__status=Case.Status.AWAITING_ALLOCATION).exists()
    # Specialists never hold own cases.
    specialists = RoleAssignment.objects.filter(organisation=org, role=Role.SPECIALIST).values("staff")
    assert specialists.exists()
    assert not Assignment.objects.filter(staff__in=specialists, role=Assignment.Role.MAIN).exists()
    # Ladder histories: people above level 1 held the level below first.
    history = LevelPlacement.objects.filter(organisation=org, end__isnull=False)
    assert history.exists()
    assert LevelPlacement.objects.filter(organisation=org, end__isnull=True).count() == 40
    assert CycleSettings.objects.filter(organisation=org).count() == 2
    rounds = {r.status: r for r in SurveyRound.objects.filter(organisation=org)}
    assert set(rounds) == {SurveyRound.Status.CLOSED, SurveyRound.Status.OPEN}
    assert Invitation.objects.filter(round=rounds["closed"]).count() == 40
    answered = Answer.objects.filter(round=rounds["closed"]).count()
    assert 15 <= answered <= 38
    # Nothing crosses organisations.
    assert not Assignment.objects.filter(organisation=org).exclude(staff__organisation=org).exists()
    # The printed logins work.
    worker = StaffMember.objects.get(user__username="lasttest-40-1-worker1")
    assert worker.organisation == org
    client = Client()
    response = client.post("/accounts/login/", {"username": "lasttest-40-1-worker1", "password": "stabil-demo"})
    assert response.status_code == 302
    assert client.get("/caseload/mine/").status_code == 200


def test_bad_sizes_are_refused_with_a_message_and_nothing_created():
    with pytest.raises(CommandError, match="at least 1 organisation, 2 staff and 1 case"):
        _generate(staff=1, cases=10)
    assert not Organisation.objects.filter(slug__startswith="lasttest-").exists()


def _pages(org: Organisation) -> dict[str, tuple[Client, str]]:
    unit = Unit.objects.filter(organisation=org).order_by("pk").first()
    department = Department.objects.filter(organisation=org).order_by("pk").first()
    report = f"/api/v1/reports/tertial/{tertial_id(Tertial.of(timezone.localdate()).previous())}/"
    clients = {}
    for name in ("worker1", "manager0", "hr"):
        clients[name] = Client()
        clients[name].force_login(StaffMember.objects.get(user__username=f"{org.slug}-{name}").user)
    return {
        "my caseload": (clients["worker1"], "/caseload/mine/"),
        "unit dashboard": (clients["manager0"], f"/caseload/units/{unit.pk}/"),
        "allocation board": (clients["manager0"], f"/caseload/units/{unit.pk}/board/"),
        "tertial report (department)": (clients["hr"], f"{report}?department={department.pk}"),
        "tertial report (organisation)": (clients["hr"], report),
    }


def _queries(client: Client, url: str) -> int:
    assert client.get(url).status_code == 200  # settings rows are created on first use
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_the_pages_cost_the_same_queries_at_one_and_ten_times_the_data():
    _generate(staff=20, cases=150, seed=5)
    _generate(staff=60, cases=1500, seed=5)
    small = Organisation.objects.get(slug="lasttest-20-1")
    large = Organisation.objects.get(slug="lasttest-60-1")
    assert Case.objects.filter(organisation=large).count() == 10 * Case.objects.filter(organisation=small).count()

    counts = {page: (_queries(*request), _queries(*_pages(large)[page])) for page, request in _pages(small).items()}

    assert all(n > 3 for pair in counts.values() for n in pair), counts
    assert {page: s for page, (s, _l) in counts.items()} == {page: n for page, (_s, n) in counts.items()}
