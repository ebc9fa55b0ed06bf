"""Tenancy primitives: every tenant-owned model carries `organisation` and is read through `for_org`."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from staff.models import Organisation

M = TypeVar("M", bound=models.Model)


class TenantQuerySet(models.QuerySet):
    def for_org(self, organisation: Organisation) -> TenantQuerySet:
        return self.filter(organisation=organisation)


class TenantModel(models.Model):
    """Abstract base: an organisation foreign key (PROTECT) and an org-scoped manager."""

    organisation = models.ForeignKey("staff.Organisation", on_delete=models.PROTECT, related_name="+", editable=False)

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


def get_for_org(queryset_or_model, *, organisation: Organisation, **lookup):
    """Fetch one object of the organisation; a missing and a foreign object both answer 404."""
    qs = (
        queryset_or_model
        if isinstance(queryset_or_model, models.QuerySet)
        else queryset_or_model._default_manager.all()
    )
    try:
        return qs.filter(organisation=organisation).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def check_same_org(organisation: Organisation, *objects: models.Model | None) -> None:
    """Services call this with every related object they are given; a foreign one is a 404."""
    for obj in objects:
        if obj is not None and obj.organisation_id != organisation.pk:
            raise Http404
