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
