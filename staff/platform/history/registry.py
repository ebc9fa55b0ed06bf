"""Which models keep change history: each app declares its own in its `trust.py`.

    # caseload/trust.py
    from staff.platform.history.registry import track
    track(Case, exclude=["version"])

`discover()` imports every installed app's `trust` module (the way the admin finds `admin.py`). It runs while
the models load (from this app's models module, which comes after the domain apps in INSTALLED_APPS),
because a historical model is a model: it must exist before the registry is ready, before the migration
autodetector and the system checks look.

A historical model lives in the app of the model it tracks (caseload.HistoricalCase), so its migrations do
too. The tables of the models tracked before issue 17 keep their old names (`history_historical...`, made
by this app's migrations 0001-0016): `track(..., table=LEGACY)` says so. Each historical table carries
`organisation_id` (the tenancy key that row-level security keys on), copied from the tracked row or, for
the organisation itself, set to its own id by `history.reasons`.
"""

from __future__ import annotations

from django.db import models
from django.utils.module_loading import autodiscover_modules
from simple_history import register

LEGACY = object()  # table=LEGACY: the table this app's early migrations made, history_historical<model>

_tracked: list[type[models.Model]] = []


class OrganisationHistoryBase(models.Model):
    """The organisation's own historical rows get an `organisation_id` like every other tenant table."""

    organisation = models.ForeignKey(
        "staff.Organisation", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", null=True
    )

    class Meta:
        abstract = True


def track(model: type[models.Model], *, exclude=(), table=None, bases=()) -> None:
    """Keep the change history of `model`, leaving out the fields in `exclude` (secrets, bookkeeping)."""
    if table is LEGACY:
        table = f"history_historical{model._meta.model_name}"
    options = {"bases": list(bases)} if bases else {}
    register(model, excluded_fields=list(exclude), table_name=table, **options)
    _tracked.append(model)


def tracked() -> tuple[type[models.Model], ...]:
    """The models that keep history, in the order their apps declared them."""
    return tuple(_tracked)


def discover() -> None:
    autodiscover_modules("trust")
