"""Build the demo organisations. Idempotent: run it again and nothing is duplicated."""

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

from staff import demo
from staff.models import Organisation

DEMO_APPS = ("competence", "caseload", "intake", "surveys")


class Command(BaseCommand):
    help = "Create Demo kommun and Grannby kommun with people, roles and the data of every app."

    def handle(self, *args, **options):
        today = demo.today()
        contexts = []
        for name, builder in (("Demo kommun", demo.seed_demo_kommun), ("Grannby kommun", demo.seed_grannby)):
            org = Organisation.objects.filter(name=name).first()
            if org is None:
                ctx = builder(today)
                self.stdout.write(f"Created {name}.")
            else:
                ctx = None
                self.stdout.write(f"{name} exists already; its people are kept as they are.")
            if ctx is None:
                ctx = demo.load_context(org, today)
            contexts.append(ctx)
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            for ctx in contexts:
                with transaction.atomic():
                    module.seed(ctx)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Password for every demo login: stabil-demo"))
