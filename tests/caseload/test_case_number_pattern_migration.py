"""Migration caseload 0010 moves organisations still on the old default case-number pattern to the new one."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from caseload.case_numbers import DEFAULT_PATTERN
from tests.migration_helpers import migrate, migrate_to_latest

BEFORE = [("caseload", "0008_caseload_settings_case_number_pattern")]
OLD_DEFAULT = "[A-Za-zÅÄÖåäö]+(-[A-Za-zÅÄÖåäö0-9]+)*-[0-9]+"


@pytest.mark.django_db(transaction=True)
def test_the_old_default_becomes_the_new_one_and_an_own_pattern_stays(world):
    after = [key for key in MigrationExecutor(connection).loader.graph.leaf_nodes() if key[0] == "caseload"]
    old_apps = migrate(BEFORE)
    settings = old_apps.get_model("caseload", "CaseloadSettings")
    settings.objects.create(organisation_id=world.org.pk, case_number_pattern=OLD_DEFAULT)
    settings.objects.create(organisation_id=world.other_org.pk, case_number_pattern="IFO [0-9]{4}/[0-9]+")

    new_apps = migrate(after)
    patterns = dict(
        new_apps.get_model("caseload", "CaseloadSettings").objects.values_list("organisation_id", "case_number_pattern")
    )
    assert DEFAULT_PATTERN != OLD_DEFAULT
    assert patterns == {world.org.pk: DEFAULT_PATTERN, world.other_org.pk: "IFO [0-9]{4}/[0-9]+"}
    migrate_to_latest()
