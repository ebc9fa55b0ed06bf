"""Migration caseload 0013/0014: an organisation's old "other workers" capacity becomes that of levels 2, 3 and 4,
so no one's capacity changes on the day capacity becomes a setting per ladder level; and back again."""

import pytest

from tests.migration_helpers import migrate, migrate_to_latest

BEFORE = [("caseload", "0012_caseload_settings_specialist_co_capacity")]
AFTER = [("caseload", "0014_caseload_settings_capacity_per_level_values")]


@pytest.mark.django_db(transaction=True)
def test_every_level_above_one_keeps_the_old_other_workers_capacity(world):
    old_apps = migrate(BEFORE)
    old = old_apps.get_model("caseload", "CaseloadSettings")
    old.objects.create(organisation_id=world.org.pk, capacity_level_1=10, capacity_other=18)

    new_apps = migrate(AFTER)
    row = new_apps.get_model("caseload", "CaseloadSettings").objects.get(organisation_id=world.org.pk)
    assert (row.capacity_level_1, row.capacity_level_2, row.capacity_level_3, row.capacity_level_4) == (10, 18, 18, 18)

    back = migrate(BEFORE).get_model("caseload", "CaseloadSettings").objects.get(organisation_id=world.org.pk)
    assert (back.capacity_level_1, back.capacity_other) == (10, 18)
    migrate_to_latest()
