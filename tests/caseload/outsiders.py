"""Every caseload URL with an object id answers 404 to a person of Alfa kommun given Beta kommun's objects."""

from tests.caseload.factories import case
from tests.outsiders import Outsider


def _beta_case(w):
    from caseload.models import Case

    found = Case.objects.filter(organisation=w.other_org, number="BETA-1").first()
    return {"pk": (found or case(w.other_unit, "BETA-1", main=w.charlie)).pk}


CASES = {
    "caseload:unit_dashboard": Outsider("alice", lambda w: {"pk": w.other_unit.pk}),
    "caseload:case_detail": Outsider("alice", _beta_case),
    "caseload:case_assign": Outsider(
        "alice", _beta_case, method="post", data=lambda w: {"main": w.bob.pk, "version": 0}
    ),
    "caseload:investigation_open": Outsider("alice", _beta_case),
    "caseload:investigation_close": Outsider(
        "alice", _beta_case, method="post", data=lambda w: {"closed_on": "2024-01-01", "outcome": "other"}
    ),
    "caseload:investigation_extend": Outsider(
        "alice", _beta_case, method="post", data=lambda w: {"new_deadline": "2030-01-01", "reason": "x"}
    ),
    "caseload:unit_load_csv": Outsider("alice", lambda w: {"pk": w.other_unit.pk}),
    "caseload_api:unit_overview": Outsider("alice", lambda w: {"pk": w.other_unit.pk}),
}


def _beta_unit(w):
    import datetime

    from caseload.models import CycleSettings

    CycleSettings.objects.get_or_create(
        organisation=w.other_org, unit=w.other_unit, defaults={"anchor": datetime.date(2026, 1, 12)}
    )
    return {"pk": w.other_unit.pk}


# The allocation meeting (issue 5): every page and action is addressed by unit.
CASES.update(
    {
        "caseload:unit_cycle": Outsider("alice", _beta_unit),
        "caseload:feed_token_regenerate": Outsider("alice", _beta_unit, method="post"),
        "caseload:unit_feed": Outsider("alice", _beta_unit),
        "caseload:token_feed": Outsider("alice", lambda w: {"unit": _beta_unit(w)["pk"], "token": "not-the-token"}),
        "caseload:board": Outsider("alice", _beta_unit),
        "caseload:interest_toggle": Outsider("bob", _beta_unit, method="post", data=lambda w: {"case": 1}),
        "caseload:duty_set": Outsider("alice", _beta_unit, method="post", data=lambda w: {"day": "2026-01-12"}),
        "caseload:proposal_make": Outsider("alice", _beta_unit, method="post"),
        "caseload:proposal_adjust": Outsider("alice", _beta_unit, method="post", data=lambda w: {"row": 1}),
        "caseload:proposal_confirm": Outsider("alice", _beta_unit, method="post"),
        "caseload:review_form": Outsider("bob", _beta_unit),
        "caseload:review_forms_read": Outsider("alice", _beta_unit),
        "caseload:wrap_up_save": Outsider("alice", _beta_unit, method="post", data=lambda w: {"notes": "x"}),
    }
)

# A leaver's handover (issue 19): Alfa's organisation admin asking for Beta's person.
# Beta's person holds a case there, so a handover would have something to move.
CASES["caseload:handover"] = Outsider(
    "frank", lambda w: _beta_case(w) and {"pk": w.charlie.pk}, method="post", data=lambda w: {"reason": "Slutar"}
)
