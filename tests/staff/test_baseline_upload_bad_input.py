"""The baseline upload refuses what is not a small CSV of numbers 1-5, with a message and nothing saved:
NaN, sNaN and Infinity, a 200 kB field, a binary file. Never a server error."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from surveys.models import Baseline


def _upload(world, content: bytes):
    client = world.client("erin")
    client.raise_request_exception = False
    return client.post(reverse("surveys:baseline"), {"file": SimpleUploadedFile("b.csv", content)})


@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity", "-Infinity", "nan", "1e999999999"])
def test_a_value_that_is_not_a_number_from_1_to_5_is_refused(world, value):
    response = _upload(world, f"enhet;q1;q2;q3\nUtredning;3;{value};3\n".encode())
    assert response.status_code == 200
    assert f"Rad 2: ”{value}” är inte ett värde från 1 till 5." in response.content.decode()
    assert not Baseline.objects.exists()


def test_a_200_kb_field_is_refused(world):
    response = _upload(world, b"enhet;q1;q2;q3\nUtredning;3;" + b"4" * 200_000 + b";3\n")
    assert response.status_code == 200
    assert "Filen går inte att läsa som CSV" in response.content.decode()
    assert not Baseline.objects.exists()


def test_a_binary_file_is_refused_at_the_field(world):
    response = _upload(world, bytes(range(256)) * 20)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["Det här är ingen textfil. Ladda upp en CSV-fil."]
    assert not Baseline.objects.exists()


def test_a_file_over_one_megabyte_is_refused_at_the_field(world):
    line = b"Utredning;3;4;3\n"
    response = _upload(world, b"enhet;q1;q2;q3\n" + line * (1_048_576 // len(line) + 1))
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["Filen är för stor (högst 1 MB)."]
    assert not Baseline.objects.exists()


def test_a_good_file_is_still_imported(world):
    assert _upload(world, b"enhet;q1;q2;q3\nUtredning;3,2;3,5;2,9\n").status_code == 302
    assert str(Baseline.objects.get(unit=world.unit).q2) == "3.50"
