import pytest

from tests.caseload.factories import levels, place


@pytest.fixture
def ladder(world):
    """Alfa's ladder: bob on level 2, carol the specialist on level 4; Beta's charlie has a ladder too."""
    levels(world.org)
    levels(world.other_org)
    place(world.bob, 2)
    place(world.carol, 4)
    return world
