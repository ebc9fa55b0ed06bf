"""Every URL pattern is classified, and every pattern that shows personal or case data writes an
access-log row naming what it showed, requested as a person allowed to see it, with real objects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from staff.models import Department, StaffMember
from staff.platform.audit.models import AccessLogEntry
from staff.platform.audit.registry import LOGGED, NOT_PERSONAL
from tests.outsiders import all_cases
from tests.staff.access_log_factories import shown_ids
from tests.staff.access_log_world import alfa_objects, bob_role
from tests.staff.test_outsider_404 import _patterns


@dataclass(frozen=True)
class Visit:
    viewer: str
    kwargs: Callable[[Any, Any], dict] = lambda w, o: {}
    ids: Callable[[Any, Any], set] | None = None  # object ids that must be among the rows; None: kind only
    method: str = "get"
    data: Callable[[Any, Any], dict] | None = None
    # A status of 400 or more that still counts: the page was asked for and answered (e.g. a form error).
    also: int | None = None


def _level(w, number: int) -> int:
    from competence.models import LadderLevel

    return LadderLevel.objects.get(organisation=w.org, number=number).pk


def _bob_started(w) -> dict:
    """Bob as a social worker started on creation (an Onboarding row), for undoing the mentor request."""
    from competence.models import Onboarding

    Onboarding.objects.get_or_create(
        organisation=w.org, staff=w.bob, defaults={"placement_step": "skipped", "plan_step": "skipped"}
    )
    return {"pk": w.bob.pk, "step": "mentor"}


def _bob_absence(w):
    """A day of Bob's sick leave, made once."""
    import datetime

    from staff.models import Absence

    day = datetime.date(2026, 3, 2)
    return Absence.objects.get_or_create(organisation=w.org, staff=w.bob, kind="sick", start=day, end=day)[0].pk


def _bob_membership(w):
    import datetime

    from staff.models import Group, GroupMembership

    group = Group.objects.get(organisation=w.org, unit=w.unit)
    return GroupMembership.objects.get_or_create(
        organisation=w.org, staff=w.bob, group=group, start=datetime.date(2026, 1, 1)
    )[0].pk


BOB = lambda w, o: {"pk": w.bob.pk}  # noqa: E731
BOB_ID = lambda w, o: {w.bob.pk}  # noqa: E731
UNIT = lambda w, o: {"pk": w.unit.pk}  # noqa: E731
UNIT_ID = lambda w, o: {w.unit.pk}  # noqa: E731
CASE = lambda w, o: {"pk": o.case.pk}  # noqa: E731
CASE_ID = lambda w, o: {o.case.pk}  # noqa: E731


def _queued(w):
    """A case of the unit's allocation queue (interest is marked only in those), made once."""
    from caseload.models import Case
    from tests.caseload.factories import case

    return Case.objects.filter(organisation=w.org, number="ALFA-Q").first() or case(w.unit, "ALFA-Q")


def _plan(w, o):
    """The action plan offered after Bob's flagged answer, made once."""
    from surveys.models import ActionPlan

    plan, _ = ActionPlan.objects.get_or_create(
        organisation=w.org,
        answer=o.answer,
        defaults={"staff": w.bob, "offered_by": w.alice, "actions": "Färre ärenden", "follow_up_on": "2026-04-01"},
    )
    return plan


def _break_glass(w):
    """Bob named break-glass: the SSO page lists him."""
    StaffMember.objects.filter(pk=w.bob.pk).update(break_glass=True)
    return {w.bob.pk}


SCIM = "scim"  # the viewer of a SCIM visit: the organisation's directory with its token


def _scim_group(w):
    from staff.scim.models import ScimGroup, ScimGroupMember

    group, _ = ScimGroup.objects.get_or_create(organisation=w.org, display_name="Socialsekreterare")
    ScimGroupMember.objects.get_or_create(organisation=w.org, group=group, staff=w.bob)
    return group


def _viewer(world, viewer: str):
    """(client, actor id, login id, SCIM token id) of a visit's viewer."""
    if viewer != SCIM:
        person = world.people[viewer]
        return world.client(viewer), person.pk, person.user_id, None
    from staff.scim.services import scim_token_create

    token, key = scim_token_create(organisation=world.org, by=world.frank, name="Entra ID")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}"), None, None, token.pk


def _alfa_run(w, o):
    """A previewed staff import of Alfa kommun without errors, made once."""
    from staff.imports.models import ImportRun
    from staff.platform.secrets import encrypt_bytes

    run, _ = ImportRun.objects.get_or_create(
        organisation=w.org,
        kind="staff",
        filename="heroma.csv",
        defaults={
            "status": ImportRun.Status.PREVIEWED,
            "headers": ["Anst.nr"],
            "mapping": {"employee_number": "Anst.nr"},
            "plans": [{"row": 2, "action": "unchanged", "key": "1", "changes": {}, "errors": []}],
            "counts": {"unchanged": 1},
            "file_encrypted": encrypt_bytes(b"Anst.nr\n1\n"),
        },
    )
    return {"pk": run.pk}


VISITS: dict[str, Visit] = {
    "api-me": Visit("bob", ids=BOB_ID),
    "staff:my_page": Visit("bob", ids=BOB_ID),
    "staff:unit_detail": Visit("alice", UNIT, UNIT_ID),
    "staff:department_detail": Visit("dave", lambda w, o: {"pk": Department.objects.get(organisation=w.org).pk}),
    "staff:organisation_overview": Visit("erin"),
    "staff:admin_staff_list": Visit("frank", ids=BOB_ID),
    "staff:admin_staff_edit": Visit("frank", BOB, BOB_ID),
    "staff:admin_staff_login": Visit("frank", BOB, BOB_ID, "post", lambda w, o: {"active": "1"}),
    # bob has a login already: the page again, with the refusal at the field
    "staff:admin_staff_login_create": Visit(
        "frank", BOB, BOB_ID, "post", lambda w, o: {"login-username": "bob2"}, also=400
    ),
    "staff:admin_staff_invitation_send": Visit("frank", BOB, BOB_ID, "post"),
    "staff:admin_staff_invitation_revoke": Visit("frank", BOB, BOB_ID, "post"),
    "staff:admin_staff_break_glass": Visit("frank", BOB, BOB_ID, "post", lambda w, o: {"break_glass": "1"}),
    "staff:admin_sso": Visit("frank", lambda w, o: _break_glass(w) and {}, BOB_ID),
    "staff:admin_staff_role_add": Visit("frank", BOB, BOB_ID, "post", lambda w, o: {"role-role": "hr"}),
    "staff:admin_staff_role_remove": Visit(
        "frank", lambda w, o: {"pk": w.bob.pk, "role_pk": bob_role(w)}, BOB_ID, "post"
    ),
    "staff:absences": Visit("alice", BOB, BOB_ID),
    "staff:absence_edit": Visit("alice", lambda w, o: {"pk": w.bob.pk, "absence_pk": _bob_absence(w)}, BOB_ID),
    "staff:absence_delete": Visit(
        "alice", lambda w, o: {"pk": w.bob.pk, "absence_pk": _bob_absence(w)}, BOB_ID, "post"
    ),
    "staff:membership_add": Visit(
        "alice",
        BOB,
        BOB_ID,
        "post",
        lambda w, o: {"membership-group": "", "membership-start": "2026-03-01"},
        also=400,
    ),
    "staff:membership_end": Visit(
        "alice",
        lambda w, o: {"pk": w.bob.pk, "membership_pk": _bob_membership(w)},
        BOB_ID,
        "post",
        lambda w, o: {"end": "2026-03-01"},
    ),
    "staff:unit_absences": Visit("alice", UNIT, UNIT_ID),
    "staff:access_review": Visit("alice"),
    "staff:access_log_export": Visit("frank", data=lambda w, o: {"start": "2026-03-01", "end": "2026-03-31"}),
    "staff:supervisory_export": Visit(
        "frank",
        data=lambda w, o: {"case_number": o.case.number, "start": "2026-03-01", "end": "2026-03-18"},
        ids=CASE_ID,
    ),
    "staff:security_events": Visit("frank"),
    "staff:notifications": Visit("bob", ids=CASE_ID),
    # SCIM (staff/scim/): the organisation's directory with its SCIM token, no person ("scim" as the viewer)
    "scim:users": Visit(SCIM, ids=BOB_ID),
    # File imports (staff/imports/): a run's pages and API, by HR
    "staff:imports": Visit("erin"),
    "staff:import_detail": Visit("erin", _alfa_run),
    "staff:import_mapping": Visit("erin", _alfa_run),
    "staff:import_apply": Visit("erin", _alfa_run, method="post"),
    "api-import-run": Visit("erin", _alfa_run),
    "api-import-apply": Visit("erin", _alfa_run, method="post"),
    "scim:user": Visit(SCIM, lambda w, o: {"pk": str(w.bob.pk)}, BOB_ID),
    "scim:groups": Visit(SCIM, lambda w, o: _scim_group(w) and {}, BOB_ID),
    "scim:group": Visit(SCIM, lambda w, o: {"pk": str(_scim_group(w).pk)}, BOB_ID),
    "competence:overview": Visit("alice"),
    "competence:my_ladder": Visit("bob", ids=BOB_ID),
    "competence:staff_list": Visit("alice", ids=BOB_ID),
    "competence:staff_detail": Visit("alice", BOB, BOB_ID),
    "competence:promote": Visit("alice", BOB, BOB_ID),
    "competence:place": Visit(  # the ladder's rules refuse the jump: the record with the form's errors
        "alice", BOB, BOB_ID, "post", lambda w, o: {"level": _level(w, 2), "start": "2026-03-01"}, also=400
    ),
    "competence:introduction_create": Visit("alice", BOB, BOB_ID, "post"),
    "competence:mentor_add": Visit(
        "alice", BOB, BOB_ID, "post", lambda w, o: {"mentor": w.carol.pk, "start": "2026-03-01", "end": "2026-09-01"}
    ),
    "competence:training_add": Visit("alice", BOB, BOB_ID, "post", also=400),  # the record with the form's errors
    "competence:onboarding_undo": Visit("alice", lambda w, o: _bob_started(w), BOB_ID, "post"),  # the question
    "competence:item_done": Visit(
        "alice", lambda w, o: {"pk": o.intro_item.pk}, BOB_ID, "post", lambda w, o: {"done_on": "2026-03-01"}
    ),
    "competence:reflection_attendance": Visit(
        "alice", lambda w, o: {"pk": o.session.pk}, BOB_ID, "post", lambda w, o: {"attended": "1"}
    ),
    "competence:appointments": Visit("alice", ids=BOB_ID),
    "competence:appointment_renew": Visit("alice", lambda w, o: {"pk": o.appointment.pk}, BOB_ID, "post"),
    "competence:supplements": Visit("erin"),
    "competence:supplements_csv": Visit("erin"),
    "competence:supplements_prepare": Visit("erin", lambda w, o: {"month": "2026-03"}, method="post"),
    "competence:supplements_approve": Visit("erin", lambda w, o: {"month": "2026-03"}, method="post"),
    "competence:payroll_file": Visit("erin", lambda w, o: {"month": "2026-03"}),  # not approved: back to the month
    "competence:payroll": Visit("erin"),
    "competence-supplements": Visit("erin", data=lambda w, o: {"month": "2026-03"}),
    "caseload:my_caseload": Visit("bob", ids=CASE_ID),
    "caseload:supervision": Visit("carol"),
    "caseload:case_detail": Visit("alice", CASE, CASE_ID),
    "caseload:case_assign": Visit("alice", CASE, CASE_ID),
    "caseload:handover": Visit("frank", BOB, BOB_ID),
    "caseload:investigation_open": Visit("alice", CASE, CASE_ID),
    "caseload:investigation_close": Visit("bob", CASE, CASE_ID),
    "caseload:investigation_extend": Visit("bob", CASE, CASE_ID),
    "caseload:unit_dashboard": Visit("alice", UNIT, UNIT_ID),
    "caseload:unit_load_csv": Visit("alice", UNIT, UNIT_ID),
    "caseload:unit_cycle": Visit("alice", UNIT, UNIT_ID),
    "caseload:board": Visit("alice", UNIT, UNIT_ID),
    "caseload:review_forms_read": Visit("alice", UNIT, UNIT_ID),
    "caseload:review_form": Visit("bob", UNIT, lambda w, o: {w.unit.pk, o.case.pk}),  # the unit and bob's case
    "caseload:interest_toggle": Visit(
        "bob", UNIT, lambda w, o: {_queued(w).pk}, "post", lambda w, o: {"case": _queued(w).pk}
    ),
    "caseload:duty_set": Visit("alice", UNIT, UNIT_ID, "post", lambda w, o: {"day": "2026-03-16"}),
    "caseload:proposal_make": Visit("alice", UNIT, UNIT_ID, "post"),
    "caseload:proposal_adjust": Visit("alice", UNIT, UNIT_ID, "post", lambda w, o: {"row": 1}, also=404),  # no proposal
    "caseload:proposal_confirm": Visit("alice", UNIT, UNIT_ID, "post"),
    "caseload:wrap_up_save": Visit("alice", UNIT, UNIT_ID, "post", lambda w, o: {"notes": "x"}),
    "caseload_api:my_caseload": Visit("bob", ids=CASE_ID),
    "caseload_api:unit_overview": Visit("alice", UNIT, UNIT_ID),
    "intake:queue": Visit("grace", ids=lambda w, o: {o.intake_item.pk}),
    "intake:detail": Visit("grace", lambda w, o: {"pk": o.intake_item.pk}, lambda w, o: {o.intake_item.pk}),
    "surveys:my_survey": Visit("bob", ids=BOB_ID),
    "surveys:unit_results": Visit("alice", UNIT, lambda w, o: {o.answer.pk}, data=lambda w, o: {"round": o.round.pk}),
    "surveys:action_plan": Visit("alice", lambda w, o: {"pk": o.answer.pk}, lambda w, o: {o.answer.pk}),
    "surveys:action_plans": Visit("alice", lambda w, o: _plan(w, o) and {}, lambda w, o: {o.answer.pk}),
    "surveys:action_plan_detail": Visit("alice", lambda w, o: {"pk": _plan(w, o).pk}, lambda w, o: {o.answer.pk}),
    "surveys:action_plan_edit": Visit("alice", lambda w, o: {"pk": _plan(w, o).pk}, lambda w, o: {o.answer.pk}),
    "surveys:round_results": Visit("erin", lambda w, o: {"pk": o.round.pk}),
    "surveys:round_export": Visit("erin", lambda w, o: {"pk": o.round.pk}),
    "surveys:exits": Visit("erin", ids=lambda w, o: {o.exit_interview.pk}),
    "surveys:exit_new": Visit("erin"),
    "surveys_api:tertial_report": Visit("erin", lambda w, o: {"tertial": "2026-T1"}),
    "surveys_api:turnover": Visit("erin"),
    "surveys_api:span_of_control": Visit("erin"),
}


def test_every_url_pattern_is_classified():
    names = {name for name, _pattern in _patterns()}
    unclassified = sorted(names - set(LOGGED) - set(NOT_PERSONAL))
    assert not unclassified, f"Classify in staff/platform/audit/registry.py (LOGGED or NOT_PERSONAL): {unclassified}"
    assert not set(LOGGED) & set(NOT_PERSONAL)
    assert not (set(LOGGED) | set(NOT_PERSONAL)) - names, "the registry names URL patterns that do not exist"


def test_every_logged_pattern_has_a_visit():
    assert set(VISITS) == set(LOGGED)


@pytest.mark.parametrize("url_name", sorted(LOGGED))
@time_machine.travel("2026-03-18 10:00 +01:00", tick=False)
def test_logged_pattern_writes_a_row_naming_what_it_showed(world, url_name):
    objects = alfa_objects(world)
    visit = VISITS[url_name]
    entry = LOGGED[url_name]
    url = reverse(url_name, kwargs=visit.kwargs(world, objects))
    client, actor_id, user_id, scim_token_id = _viewer(world, visit.viewer)
    data = visit.data(world, objects) if visit.data else {}
    response = getattr(client, visit.method)(url, data=data)
    assert response.status_code < 400 or response.status_code == visit.also, (
        f"{url_name} answered {response.status_code} to {visit.viewer}"
    )
    rows = list(AccessLogEntry.objects.filter(url_name=url_name))
    assert rows, f"{url_name} wrote no access-log row"
    expected_channel = entry.channel or ("api" if url.startswith("/api/") else "page")
    assert entry.kind in {row.kind for row in rows}
    for row in rows:
        assert (row.organisation_id, row.actor_id, row.user_id) == (world.org.pk, actor_id, user_id)
        assert row.scim_token_id == scim_token_id
        # Besides its own kind, a page may name the case numbers it listed (e.g. a unit page's at-risk cases).
        assert (row.kind if row.kind != "case" else entry.kind, row.channel, row.method, row.status) == (
            entry.kind,
            expected_channel,
            visit.method.upper(),
            response.status_code,
        )
        assert row.address == "127.0.0.1"
        assert row.at.isoformat() == "2026-03-18T09:00:00+00:00"
    if visit.ids:
        assert visit.ids(world, objects) <= shown_ids(rows)


@pytest.mark.parametrize("url_name", sorted(set(all_cases()) & set(LOGGED)))
def test_a_guessed_id_is_refused_and_logged_with_the_ids_tried(world, url_name):
    """A person of Alfa kommun asking for Beta kommun's objects: 404, and a row with the ids asked for."""
    case = all_cases()[url_name]
    kwargs = case.kwargs(world)
    client = world.client(case.viewer)
    response = getattr(client, case.method)(
        reverse(url_name, kwargs=kwargs), data=case.data(world) if case.data else {}, **(case.headers or {})
    )
    assert response.status_code == 404
    row = AccessLogEntry.objects.get(url_name=url_name)
    # A SCIM request is the organisation's directory's, under its token: no person reads.
    actor_id = None if LOGGED[url_name].channel == "scim" else world.people[case.viewer].pk
    assert (row.organisation_id, row.actor_id, row.status) == (world.org.pk, actor_id, 404)
    for key, value in kwargs.items():
        if str(value).isdigit():
            assert f"{key}={value}" in row.url_ids.split(",")
    if LOGGED[url_name].pk:
        assert row.object_id == int(kwargs[LOGGED[url_name].pk])
