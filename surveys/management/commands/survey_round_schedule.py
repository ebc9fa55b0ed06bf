"""Schedule a tertial's round minutes from now, to watch it open, remind and close by itself.

    python manage.py survey_round_schedule --organisation demo --opens-in 1 --first-reminder-in 3 \
        --final-reminder-in 5 --closes-in 8
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from staff.models import Organisation
from surveys.services import round_schedule
from surveys.tertials import Tertial


class Command(BaseCommand):
    help = "Schedule a survey round with short intervals (minutes from now); the beat does the rest."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="Short name (slug), e.g. demo")
        parser.add_argument("--tertial", help="e.g. 2027-1; default: the tertial after the current one")
        parser.add_argument("--opens-in", type=float, default=1)
        parser.add_argument("--first-reminder-in", type=float, default=3)
        parser.add_argument("--final-reminder-in", type=float, default=5)
        parser.add_argument("--closes-in", type=float, default=8)

    def handle(self, *args, **options):
        organisation = Organisation.objects.filter(slug=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with short name {options['organisation']!r}.")
        if options["tertial"]:
            year, number = (int(p) for p in options["tertial"].split("-"))
            tertial = Tertial(year, number)
        else:
            tertial = Tertial.of(timezone.localdate()).next()
        now = timezone.now()

        def minutes(key):
            return now + datetime.timedelta(minutes=options[key])

        try:
            survey_round = round_schedule(
                organisation=organisation,
                tertial=tertial,
                opens_at=minutes("opens_in"),
                closes_at=minutes("closes_in"),
                first_reminder_at=minutes("first_reminder_in"),
                final_reminder_at=minutes("final_reminder_in"),
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        local = timezone.localtime
        self.stdout.write(
            f"Round {survey_round.label} (id {survey_round.pk}) of {organisation.name}: opens "
            f"{local(survey_round.opens_at):%H:%M}, reminds {local(survey_round.first_reminder_at):%H:%M} and "
            f"{local(survey_round.final_reminder_at):%H:%M}, closes {local(survey_round.closes_at):%H:%M}."
        )
