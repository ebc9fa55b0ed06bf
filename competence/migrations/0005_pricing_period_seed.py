"""Data: each organisation's terms so far (pro rata by FTE, months of level-1 supplement) become its
first supplement-terms period, holding "from the start" (issue 16)."""

import datetime

from django.db import migrations

FROM_THE_START = datetime.date(1, 1, 1)  # competence.models.PRICING_BEGINNING


def seed(apps, schema_editor):
    LadderSettings = apps.get_model("competence", "LadderSettings")
    PricingPeriod = apps.get_model("competence", "PricingPeriod")
    have = set(PricingPeriod.objects.values_list("organisation_id", flat=True))
    PricingPeriod.objects.bulk_create(
        PricingPeriod(
            organisation_id=settings.organisation_id,
            valid_from=FROM_THE_START,
            pro_rata_by_fte=settings.pro_rata_by_fte,
            level1_supplement_months=settings.level1_supplement_months,
        )
        for settings in LadderSettings.objects.exclude(organisation_id__in=have)
    )


def unseed(apps, schema_editor):
    apps.get_model("competence", "PricingPeriod").objects.filter(valid_from=FROM_THE_START).delete()


class Migration(migrations.Migration):
    dependencies = [("competence", "0004_pricing_periods_frozen_months")]

    operations = [migrations.RunPython(seed, unseed)]
