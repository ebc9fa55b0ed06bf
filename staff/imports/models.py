"""What the import framework keeps: each organisation's column mapping per kind, and each run of an import.

A run keeps the uploaded file only until it is applied or fails (encrypted with staff.platform.secrets, then
emptied), and its plans: per row the action, the key it was matched by, the changes and the errors. A row that
`screen` refused keeps its number and error only, never its values.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from staff.platform.tenancy import TenantModel


class ImportMapping(TenantModel):
    """field key -> the header of the file's column, saved per organisation and kind (editable)."""

    kind = models.CharField(_("kind"), max_length=30)
    mapping = models.JSONField(_("column mapping"), default=dict)
    updated_by = models.ForeignKey(
        "staff.StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"], name="import_mapping_unique_per_kind")]


class ImportRun(TenantModel):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("uploaded")
        PREVIEWING = "previewing", _("previewing")
        PREVIEWED = "previewed", _("previewed")
        APPLYING = "applying", _("applying")
        APPLIED = "applied", _("applied")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=30)
    uploaded_by = models.ForeignKey(
        "staff.StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    applied_by = models.ForeignKey(
        "staff.StaffMember", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(_("file"), max_length=255)
    source = models.CharField(max_length=20, default="page")  # page, api or drop (the drop folder)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UPLOADED)
    dry_run = models.BooleanField(_("dry run"), default=False)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    headers = models.JSONField(default=list, blank=True)  # the file's column names (no values)
    mapping = models.JSONField(default=dict, blank=True)  # the mapping the plans were made with
    # [{"row", "action", "key", "changes", "errors"}]: never the values of a refused row
    plans = models.JSONField(default=list, blank=True)
    counts = models.JSONField(default=dict, blank=True)  # action -> rows
    # A kind that reuses its preview (services.reuses_preview): the digest of every input its preview's plans were
    # made from; apply reuses those plans when it reads the same under its locks. "" otherwise.
    plan_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    error = models.TextField(blank=True)
    # The uploaded file, Fernet-encrypted (staff.platform.secrets), until apply or failure; then "".
    file_encrypted = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        indexes = [models.Index(fields=["organisation", "kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.filename}"

    @property
    def has_errors(self) -> bool:
        return bool(self.counts.get("error"))

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))
