"""The access review's comment refuses a personal identity number at the field, through the page and the service."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from staff.platform.audit.models import AccessReview
from staff.platform.audit.services import access_review_mark
from tests.staff.access_log_factories import log_row
from tests.staff.test_access_log_review import URL, _flags, at, travel  # noqa: F401 - the fixture

REFUSAL = "Skriv inte personnummer eller samordningsnummer här"


def test_a_review_comment_with_an_identity_number_is_refused_at_the_field(world, travel):  # noqa: F811
    log_row(world, "heidi", kind="case", object_id=501, unit=world.unit, at=at(3))
    client = world.client("alice")
    [flag] = _flags(client.get(URL, {"month": "2026-03"}))
    response = client.post(URL, {"month": "2026-03", "key": flag.key, "comment": "Frågade om 19121212-1212"})
    assert response.status_code == 400
    assert REFUSAL in " ".join(response.context["form"].errors["comment"])
    assert REFUSAL in response.content.decode()
    assert not AccessReview.objects.exists()
    response = client.post(URL, {"month": "2026-03", "key": flag.key, "comment": "Vikarierade"})
    assert response.status_code == 302 and AccessReview.objects.get().comment == "Vikarierade"


def test_the_review_service_refuses_an_identity_number_itself(world):
    with pytest.raises(ValidationError) as exc:
        access_review_mark(
            organisation=world.org,
            reviewer=world.alice,
            key="outside_unit:1",
            flag="outside_unit",
            month=datetime.date(2026, 3, 1),
            comment="Frågade om 121212-1212",
        )
    assert exc.value.error_dict["comment"][0].code == "identity_number"
    assert not AccessReview.objects.exists()
