"""Two managers reassign the same case at the same moment (two threads, two connections): one wins."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from caseload import services
from caseload.models import Assignment, Case
from tests.caseload.factories import case, levels, place, worker


@pytest.mark.django_db(transaction=True)
def test_only_one_of_two_simultaneous_reassignments_wins(world):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers on the file; the PostgreSQL run checks the row-level race")
    levels(world.org)
    place(world.bob, 2)
    dora = worker(world.unit, "dora", level=3)
    c = case(world.unit, "RACE-1", main=world.bob)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def reassign(actor, main):
        try:
            barrier.wait(timeout=10)
            services.case_assign(
                organisation=world.org, actor=actor, case=c, main=main, co=None, reason="Samtidigt", expected_version=0
            )
            outcomes[actor.first_name] = "won"
        except ValidationError as exc:
            outcomes[actor.first_name] = exc.messages[0]
        finally:
            from django.db import connections

            connections.close_all()

    threads = [
        threading.Thread(target=reassign, args=(world.alice, dora)),
        threading.Thread(target=reassign, args=(world.ivan, dora)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values())[-1] == "won"
    assert list(outcomes.values()).count("won") == 1
    loser = next(v for v in outcomes.values() if v != "won")
    assert loser.startswith("Någon annan ändrade handläggarna")
    assert Case.objects.get(pk=c.pk).version == 1
    assert Assignment.objects.filter(case=c, role="main", end__isnull=True).count() == 1
