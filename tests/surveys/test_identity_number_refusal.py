"""A survey motivation refuses a personal identity number at the field; the answer is not saved."""

import time_machine

from surveys.models import Answer
from tests.surveys.conftest import at
from tests.surveys.test_answers import GOOD, _post, open_round  # noqa: F401 - the fixture

REFUSAL = "Skriv inte personnummer eller samordningsnummer här"


@time_machine.travel(at(2026, 12, 3, 10, 0), tick=False)
def test_a_motivation_with_an_identity_number_is_refused(world, open_round):  # noqa: F811
    for field, text in (("m1", "Ärendet 19121212-1212 tar all tid"), ("m3", "1212121212")):
        response = _post(world.client("bob"), open_round, {**GOOD, field: text})
        assert response.status_code == 200
        assert REFUSAL in str(response.context["form"].errors[field])
    assert not Answer.objects.exists()
    assert _post(world.client("bob"), open_round, {**GOOD, "m1": "Ärende BoU-W-001 tar all tid"}).status_code == 302
    assert Answer.objects.get().m1 == "Ärende BoU-W-001 tar all tid"
