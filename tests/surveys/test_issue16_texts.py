"""Issue 16: the exit-interview questions and the round CSV read as Swedish."""

from __future__ import annotations

import html as html_lib

from django.urls import reverse

from surveys.services import round_close, round_ensure
from surveys.tertials import Tertial


def test_exit_interview_questions_are_punctuated_and_neutral(world):
    page = html_lib.unescape(world.client("erin").get(reverse("surveys:exit_new")).content.decode())
    assert "3. Hur länge har du arbetat i kommunen?" in page
    assert "stadsdelen" not in page
    assert "6. Har du kunnat genomföra ditt uppdrag som socialsekreterare/biståndshandläggare? Vad har" in page


def test_round_csv_has_swedish_headers(world):
    survey_round = round_ensure(organisation=world.org, tertial=Tertial(2026, 3))
    round_close(organisation=world.org, survey_round=survey_round, now=survey_round.closes_at)
    text = world.client("erin").get(reverse("surveys:round_export", args=[survey_round.pk])).content.decode()
    header = text.lstrip("\ufeff").splitlines()[0].split(";")
    assert header[:5] == ["Nivå", "Namn", "Inbjudna", "Svarande", "Svarsfrekvens (%)"]
    assert header[5:11] == ["Fråga 1 medelvärde"] + [f"Fråga 1 = {v}" for v in range(1, 6)]
    assert header[-4:] == [
        "Anställda (socialsekreterare och specialister)",
        "Öppna ärenden",
        "Ärenden per anställd",
        "Viktade ärenden",
    ]
    assert not any("mean" in cell or cell.startswith("q") for cell in header)
