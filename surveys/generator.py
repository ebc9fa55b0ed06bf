"""Survey rounds for the load generator (manage.py generate_load): bulk inserts into an organisation that
`caseload.generator.load_organisation` has just filled."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from caseload.generator import insert_rows
from surveys.models import Answer, Invitation, SurveyRound
from surveys.tertials import Tertial, default_window


def load_rounds(org, workers, *, today: datetime.date, rng: random.Random) -> None:
    """The last tertial's round closed (two thirds answered), the current one open (a third answered so far)."""
    now = timezone.now()
    current = Tertial.of(today)
    opens_at, closes_at = default_window(current.previous())
    rounds = [
        (SurveyRound.Status.CLOSED, current.previous(), opens_at, closes_at, 0.67),
        (SurveyRound.Status.OPEN, current, now - datetime.timedelta(days=1), now + datetime.timedelta(days=13), 0.3),
    ]
    for status, tertial, opens, closes, share in rounds:
        survey_round = SurveyRound.objects.create(
            organisation=org,
            year=tertial.year,
            tertial=tertial.number,
            opens_at=opens,
            closes_at=closes,
            first_reminder_at=opens + datetime.timedelta(days=3),
            final_reminder_at=closes - datetime.timedelta(days=2),
            status=status,
            opened_at=opens,
            closed_at=closes if status == SurveyRound.Status.CLOSED else None,
        )
        insert_rows(
            Invitation,
            ["organisation_id", "round_id", "staff_id", "unit_id", "invited_at", "reminder_stage"],
            [(org.pk, survey_round.pk, w.pk, w.unit_id, opens, 0) for w in workers],
        )
        insert_rows(
            Answer,
            ["organisation_id", "round_id", "staff_id", "unit_id", "q1", "q2", "q3", "m1", "m2", "m3"]
            + ["created_at", "updated_at"],
            [
                (org.pk, survey_round.pk, w.pk, w.unit_id)
                + (rng.choice([2, 3, 3, 4, 4, 5]), rng.choice([1, 2, 3, 3, 4, 5]), rng.choice([2, 3, 4, 4, 5]))
                + ("", "", "", now, now)
                for w in workers
                if rng.random() < share
            ],
        )
