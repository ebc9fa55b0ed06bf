"""The access log (logguppföljning): append-only rows of who read which personal or case data.

One row per request (or per e-mail sent): who, when, from where, the page and its status, and in
`objects_shown` every object it showed, as {"case:12": 3, ...} (kind:id -> the object's unit id or null).
`kind`, `object_id` and `unit_id` repeat the first of them (the object the URL named, if any), so a
page about one object reads like a plain row. Rows hold ids only: no names, no case text. The
actor and unit are foreign keys without a database constraint, so a row outlives the person and the
unit it names (the retention job decides that). On PostgreSQL a trigger refuses UPDATE and DELETE
(migration 0006_access_log_append_only); the one sanctioned delete path is
`staff.platform.audit.services.access_log_purge`.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from staff.platform.audit import stream
from staff.platform.tenancy import TenantModel, TenantQuerySet


class AccessKind(models.TextChoices):
    CASE = "case", _("Case")
    INVESTIGATION = "investigation", _("Investigation")
    INTAKE_ITEM = "intake_item", _("Intake item")
    STAFF = "staff", _("Staff record")
    SURVEY_ANSWER = "survey_answer", _("Individual survey answer")
    EXIT_INTERVIEW = "exit_interview", _("Exit interview")
    UNIT = "unit", _("Unit overview (people and cases)")
    REPORT = "report", _("Report on people")
    ACCESS_LOG = "access_log", _("Access log")


class Channel(models.TextChoices):
    PAGE = "page", _("Page")
    API = "api", _("API")
    EXPORT = "export", _("Export")
    EMAIL = "email", _("E-mail")
    SCIM = "scim", _("SCIM provisioning")


class Purpose(models.TextChoices):
    """Why a case outside the reader's own was read: stated by the reader, recorded on the row."""

    SUPERVISION = "supervision", _("Case supervision for the specialist's group")
    HANDOVER = "handover", _("Handover from an absent or leaving handler")


class AppendOnlyError(Exception):
    """Access-log rows are never changed or deleted one by one."""


class StreamedQuerySet(TenantQuerySet):
    """Rows inserted with `bulk_create` go to the JSON-lines stream after commit (staff.platform.audit.stream),
    once bulk_create has given them their ids. `save()` streams in `AppendOnlyModel.save`; a plain `_insert`
    (the security events' middleware) streams its rows itself. No row is streamed twice."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = super().bulk_create(objs, *args, **kwargs)
        stream.after_commit(objs, using=self.db)
        return objs


class AppendOnlyModel(models.Model):
    """Rows are inserted, never changed or deleted one by one (PostgreSQL enforces it with a trigger).
    Every inserted row goes to the JSON-lines stream once its transaction commits."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self._meta.verbose_name}: append-only")
        super().save(*args, **kwargs)
        stream.after_commit([self], using=kwargs.get("using") or self._state.db)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.verbose_name}: append-only")


def object_key(kind: str, object_id: int) -> str:
    """The key of one object in `AccessLogEntry.objects_shown`: "case:12"."""
    return f"{kind}:{object_id}"


def split_key(key: str) -> tuple[str, int]:
    kind, _sep, object_id = key.rpartition(":")
    return kind, int(object_id)


class AccessLogEntry(TenantModel, AppendOnlyModel):
    # The composite indexes below all begin with the organisation: no single-column index of their own
    # (the access log is the largest table; every index costs on each request that shows data).
    organisation = models.ForeignKey(
        "staff.Organisation", on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        "staff.StaffMember",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
        verbose_name=_("reader"),
    )
    user_id = models.BigIntegerField(_("login id"), null=True)
    # A request of the organisation's directory (channel "scim"): no person, the SCIM token read or changed.
    scim_token = models.ForeignKey(
        "staff.ScimToken",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
        verbose_name=_("SCIM token"),
    )
    kind = models.CharField(_("what"), max_length=20, choices=AccessKind.choices)
    object_id = models.BigIntegerField(_("object id"), null=True)
    unit = models.ForeignKey(
        "staff.Unit",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    # Every object the request showed: {"case:12": 3, "staff:7": null} (see object_key). On PostgreSQL a
    # GIN index (migration 0014) answers "who read case 12" (`?` on the key) over years of rows.
    objects_shown = models.JSONField(_("objects shown"), default=dict, blank=True)
    # The units of those objects, {"3": 2} (unit id -> objects of it): the monthly review of a unit's
    # manager finds the rows about her units with `?|`.
    units_shown = models.JSONField(_("units of the objects"), default=dict, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    url_name = models.CharField(_("page"), max_length=100)
    # The integer arguments of the URL, e.g. "pk=12": the ids asked for, also when they were refused.
    url_ids = models.CharField(_("ids asked for"), max_length=200, blank=True)
    method = models.CharField(max_length=8)
    status = models.PositiveSmallIntegerField(_("status"))
    address = models.GenericIPAddressField(_("address"), null=True)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, blank=True)

    objects = StreamedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access-log entry")
        verbose_name_plural = _("access log")
        indexes = [
            models.Index(fields=["organisation", "at"], name="accesslog_org_at"),
            models.Index(fields=["organisation", "actor", "at"], name="accesslog_org_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} staff {self.actor_id} {self.kind} {self.object_id} {self.status}"

    def save(self, *args, **kwargs):
        if not self.objects_shown and self.object_id is not None:  # a row of one object, written as such
            self.objects_shown, self.units_shown = objects_and_units([(self.kind, self.object_id, self.unit_id)])
        super().save(*args, **kwargs)

    @classmethod
    def showing(cls, notes, **fields) -> AccessLogEntry:
        """A row for the (kind, id, unit id) `notes` of one request or e-mail: all of them in `objects_shown`,
        the first in `kind`, `object_id` and `unit_id`."""
        kind, object_id, unit_id = notes[0]
        objects_shown, units_shown = objects_and_units(notes)
        return cls(
            kind=kind,
            object_id=object_id,
            unit_id=unit_id,
            objects_shown=objects_shown,
            units_shown=units_shown,
            **fields,
        )

    def shown(self) -> list[tuple[str, int, int | None]]:
        """(kind, id, unit id) of every object this row showed, in a stable order."""
        return shown(self.objects_shown)


def shown(objects: dict) -> list[tuple[str, int, int | None]]:
    return sorted((*split_key(key), unit_id) for key, unit_id in (objects or {}).items())


def objects_and_units(notes) -> tuple[dict, dict]:
    """The `objects_shown` and `units_shown` columns for (kind, id, unit id) notes."""
    objects: dict[str, int | None] = {}
    units: dict[str, int] = {}
    for kind, object_id, unit_id in notes:
        if object_id is None:
            continue
        key = object_key(kind, object_id)
        if key in objects:
            continue
        objects[key] = unit_id
        if unit_id is not None:
            units[str(unit_id)] = units.get(str(unit_id), 0) + 1
    return objects, units


class SecurityEvent(AppendOnlyModel):
    """A refused request that never reached a page: bad session, forged CSRF token, refused API token;
    every change to a person's two-step sign-in, or refused attempt at one (staff/platform/mfa.py); every
    end of a person's access (staff.services.access_end: login off, sessions and tokens ended); an
    invitation link that no longer works (staff/invitation_views.py); and every SCIM token made or revoked
    (staff/scim/admin_views.py): it creates and switches off people.

    The organisation is known only when the request named one (a signed-in person, a token's owner).
    """

    class Kind(models.TextChoices):
        SESSION_REJECTED = "session_rejected", _("Unknown, expired or tampered session cookie")
        CSRF_FAILURE = "csrf_failure", _("Forged or missing CSRF token")
        TOKEN_REFUSED = "token_refused", _("API token refused")
        MFA_ENROLLED = "mfa_enrolled", _("Two-step sign-in set up")
        MFA_REPLACED = "mfa_replaced", _("Authenticator app replaced")
        MFA_RECOVERY_CODES = "mfa_recovery_codes", _("New recovery codes made")
        MFA_DISABLED = "mfa_disabled", _("Two-step sign-in switched off")
        MFA_RECOVERY_CODE_USED = "mfa_recovery_code_used", _("Signed in with a recovery code")
        MFA_REFUSED = "mfa_refused", _("Refused: second step of sign-in not done")
        ACCESS_ENDED = "access_ended", _("Access ended: login switched off, sessions and API tokens ended")
        NO_ADMIN_LEFT = "no_admin_left", _("No organisation admin can sign in any more")
        INVITATION_REFUSED = "invitation_refused", _("Invitation link refused: used, expired, revoked or unknown")
        SCIM_TOKEN_CREATED = "scim_token_created", _("SCIM token made")
        SCIM_TOKEN_REVOKED = "scim_token_revoked", _("SCIM token revoked")
        SSO_SIGNED_IN = "sso_signed_in", _("Signed in through the identity provider")
        SSO_REFUSED = "sso_refused", _("Sign-in through the identity provider refused")
        SSO_PASSWORD_REFUSED = "sso_password_refused", _("Password sign-in refused: the organisation uses its provider")
        SSO_CONFIGURED = "sso_configured", _("Identity provider set up or changed")

    class Reason(models.TextChoices):
        """Why access was ended (ACCESS_ENDED, NO_ADMIN_LEFT), or a sign-in through the provider refused."""

        LOGIN_SWITCHED_OFF = "login_switched_off", _("Login switched off")
        EMPLOYMENT_ENDED = "employment_ended", _("Employment ended")
        # Why a sign-in through the identity provider was refused (SSO_REFUSED).
        SIGNATURE = "signature", _("Signature missing or wrong")
        AUDIENCE = "audience", _("Meant for another recipient (audience)")
        ISSUER = "issuer", _("Issued by another provider (issuer)")
        TIME_WINDOW = "time_window", _("Outside its time window (expired or not yet valid)")
        REPLAY = "replay", _("Used before, or not started here (replay)")
        UNKNOWN_PERSON = "unknown_person", _("No staff record matches the person")
        AMBIGUOUS_PERSON = "ambiguous_person", _("Several staff records match the person")
        NO_LOGIN = "no_login", _("The staff record has no login and no username could be made")
        PROVIDER_ERROR = "provider_error", _("The provider answered with an error or could not be reached")

    organisation = models.ForeignKey(
        "staff.Organisation", on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    user_id = models.BigIntegerField(null=True)
    url_name = models.CharField(max_length=100, blank=True)
    method = models.CharField(max_length=8)
    status = models.PositiveSmallIntegerField()
    address = models.GenericIPAddressField(null=True)
    # Access ended (staff.services.access_end): why, what ended it (e.g. "admin page", "nightly job") and the
    # login id of the person who did, if a person did. Ids and labels only, no names.
    reason = models.CharField(max_length=40, blank=True, choices=Reason.choices)
    by_label = models.CharField(max_length=100, blank=True)
    actor_user_id = models.BigIntegerField(null=True)

    objects = StreamedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        indexes = [models.Index(fields=["organisation", "at"], name="securityevent_org_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.status}"


class AccessLogSettings(models.Model):
    """Per-organisation thresholds of the monthly review and the export; created on demand."""

    organisation = models.OneToOneField(
        "staff.Organisation", on_delete=models.CASCADE, related_name="access_log_settings", editable=False
    )
    burst_cases = models.PositiveSmallIntegerField(
        _("many cases: number of distinct cases"),
        default=20,
        validators=[MinValueValidator(2), MaxValueValidator(1000)],
        help_text=_("Flag a reader who opens at least this many different cases within the time below."),
    )
    burst_minutes = models.PositiveSmallIntegerField(
        _("many cases: within minutes"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    export_max_months = models.PositiveSmallIntegerField(
        _("longest export period (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )

    class Meta:
        verbose_name = _("access-log settings")
        verbose_name_plural = _("access-log settings")

    def __str__(self) -> str:
        return f"access-log settings of organisation {self.organisation_id}"

    @classmethod
    def for_org(cls, organisation) -> AccessLogSettings:
        from staff.platform.history.reasons import settings_row

        return settings_row(cls, organisation)


class AccessReview(TenantModel):
    """A flag of the monthly review marked as reviewed. Log rows stay untouched: this is its own table."""

    class Flag(models.TextChoices):
        OUTSIDE_UNIT = "outside_unit", _("Case outside the reader's unit")
        MANY_CASES = "many_cases", _("Many cases in a short time")
        COLLEAGUE = "colleague", _("A colleague's staff record")

    key = models.CharField(max_length=120)
    month = models.DateField(_("month"))
    flag = models.CharField(_("flag"), max_length=20, choices=Flag.choices)
    comment = models.TextField(_("comment"), max_length=2000)
    reviewed_by = models.ForeignKey(
        "staff.StaffMember", on_delete=models.PROTECT, related_name="+", verbose_name=_("reviewed by")
    )
    reviewed_at = models.DateTimeField(_("reviewed"), default=timezone.now)

    class Meta:
        ordering = ["-reviewed_at"]
        verbose_name = _("access review")
        verbose_name_plural = _("access reviews")
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="access_review_key_unique")]

    def __str__(self) -> str:
        return self.key
