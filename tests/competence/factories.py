import datetime

import factory

from competence.models import IntroductionItem
from tests.factories import StaffMemberFactory


class IntroductionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntroductionItem

    staff = factory.SubFactory(StaffMemberFactory)
    organisation = factory.SelfAttribute("staff.organisation")
    title = factory.Sequence(lambda n: f"Punkt {n}")
    phase = "orientation"
    due = datetime.date(2025, 10, 1)
