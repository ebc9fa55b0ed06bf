"""The common part of the secrets integrations send: API tokens (staff.models.ApiToken) and SCIM tokens
(staff.scim.models.ScimToken). Kept free of concrete models, so both model modules can build on it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from staff.platform.tenancy import TenantModel


class HashedKeyToken(TenantModel):
    """A key shown once, when made. Stored are a SHA-256 hash of it and a prefix that tells tokens apart in lists."""

    prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
