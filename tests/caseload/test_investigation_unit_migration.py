"""Migration caseload 0006 copies each existing investigation's unit from its case."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("caseload", "0005_meeting_proposal_proven")]
AFTER = [("caseload", "0006_investigation_unit")]


@pytest.mark.django_db(transaction=True)
def test_existing_investigations_get_their_cases_unit(ladder):
    from caseload.models import Case

    first = Case.objects.create(
        organisation=ladder.org, number="M-1", unit=ladder.unit, opened_on=datetime.date(2024, 1, 2)
    )
    second = Case.objects.create(
        organisation=ladder.org, number="M-2", unit=ladder.intake_unit, opened_on=datetime.date(2024, 1, 2)
    )
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("caseload", "Investigation")
    for case in (first, second):
        old.objects.create(
            organisation_id=ladder.org.pk,
            case_id=case.pk,
            start_date=datetime.date(2024, 1, 3),
            target_date=datetime.date(2024, 4, 1),
            legal_deadline=datetime.date(2024, 5, 3),
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("caseload", "Investigation")

    assert dict(new.objects.values_list("case_id", "unit_id")) == {
        first.pk: ladder.unit.pk,
        second.pk: ladder.intake_unit.pk,
    }
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
