"""The access log and the security events as JSON lines, for the municipality's log monitoring.

Every access-log row and every security event is also handed, once its transaction has committed, to the
Python logger `stabil.audit` as one JSON object (`line_of`): a rolled-back request streams nothing, as it
stored nothing. `STABIL_AUDIT_STREAM` says where the lines go (`logging_config`, read by config/settings):

    ""                  off (the default): the logger has no handler and drops the lines
    "file:/path"        appended to a file, one line each (WatchedFileHandler: logrotate may move the file)
    "syslog"            the local syslog socket (/dev/log), facility local0, tag "stabil-audit"
    "syslog:host:port"  a syslog server over UDP

`SCHEMA` is the JSON Schema of a line (docs/integrations.md, "Logs out"; docs/samples/audit.jsonl is checked
against it). Lines carry ids and codes only, like the rows: no names, no case numbers, no free text.

The hook is the models' insert path (`StreamedQuerySet._insert`, `AppendOnlyModel.save`), so every write path,
a middleware row, an e-mail's bulk insert or a security event, streams without calling anything. Kept free of
model imports at module level: config/settings imports `logging_config`.
"""

from __future__ import annotations

import datetime
import json
import logging
import logging.handlers
import time

from django.core.exceptions import ImproperlyConfigured

LOGGER = "stabil.audit"
SCHEMA_VERSION = 1
SYSLOG_TAG = "stabil-audit"

logger = logging.getLogger(LOGGER)

_NULLABLE_INT = {"type": ["integer", "null"]}
_NULLABLE_STR = {"type": ["string", "null"]}

# The fields every line has, then those of each type. Every field is always present (null when unknown).
COMMON_FIELDS: dict[str, dict] = {
    "schema": {"const": SCHEMA_VERSION},
    "type": {"enum": ["access", "security"]},
    "id": {"type": "integer"},
    "at": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$"},
    "organisation_id": _NULLABLE_INT,
    "organisation_slug": _NULLABLE_STR,
    "user_id": _NULLABLE_INT,
    "url_name": {"type": "string"},
    "method": {"type": "string"},
    "status": {"type": "integer", "minimum": 0},
    "ip": {"anyOf": [{"type": "string", "format": "ipv4"}, {"type": "string", "format": "ipv6"}, {"type": "null"}]},
}
ACCESS_FIELDS: dict[str, dict] = {
    "staff_id": _NULLABLE_INT,
    "scim_token_id": _NULLABLE_INT,
    "channel": {"enum": ["page", "api", "export", "email", "scim"]},
    "url_ids": {"type": "string"},
    "kind": _NULLABLE_STR,
    "object_id": _NULLABLE_INT,
    "unit_id": _NULLABLE_INT,
    "objects": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"kind": {"type": "string"}, "id": {"type": "integer"}, "unit_id": _NULLABLE_INT},
            "required": ["kind", "id", "unit_id"],
            "additionalProperties": False,
        },
    },
    "purpose": {"type": "string"},
}
SECURITY_FIELDS: dict[str, dict] = {
    "event": {"type": "string"},
    "reason": {"type": "string"},
    "by_label": {"type": "string"},
    "actor_user_id": _NULLABLE_INT,
}


def _branch(type_: str, fields: dict[str, dict]) -> dict:
    properties = {**COMMON_FIELDS, **fields, "type": {"const": type_}}
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


SCHEMA: dict = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://stabil.se/schemas/audit-line/1",
    "title": "Stabil access-log and security-event line",
    "oneOf": [_branch("access", ACCESS_FIELDS), _branch("security", SECURITY_FIELDS)],
}


def _at(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# organisation id -> (slug, when looked up): one query per organisation and process every few minutes, not one
# per request. A renamed short name reaches the stream within SLUG_SECONDS.
SLUG_SECONDS = 300
_slugs: dict[int, tuple[str | None, float]] = {}


def organisation_slug(organisation_id: int | None) -> str | None:
    if organisation_id is None:
        return None
    cached = _slugs.get(organisation_id)
    if cached is not None and time.monotonic() - cached[1] < SLUG_SECONDS:
        return cached[0]
    from staff.models import Organisation

    slug = Organisation.objects.filter(pk=organisation_id).values_list("slug", flat=True).first()
    if slug is not None:  # not found (a removed organisation): asked again next time
        _slugs[organisation_id] = (slug, time.monotonic())
    return slug


def _common(row, type_: str) -> dict:
    return {
        "schema": SCHEMA_VERSION,
        "type": type_,
        "id": row.pk,
        "at": _at(row.at),
        "organisation_id": row.organisation_id,
        "organisation_slug": organisation_slug(row.organisation_id),
        "user_id": row.user_id,
        "url_name": row.url_name,
        "method": row.method,
        "status": row.status,
        "ip": row.address or None,
    }


def line_of(row) -> dict:
    """The JSON object of one AccessLogEntry or SecurityEvent (`SCHEMA`)."""
    from staff.platform.audit.models import AccessLogEntry

    if isinstance(row, AccessLogEntry):
        return {
            **_common(row, "access"),
            "staff_id": row.actor_id,
            "scim_token_id": row.scim_token_id,
            "channel": row.channel,
            "url_ids": row.url_ids,
            "kind": row.kind or None,
            "object_id": row.object_id,
            "unit_id": row.unit_id,
            "objects": [{"kind": k, "id": i, "unit_id": u} for k, i, u in row.shown()],
            "purpose": row.purpose,
        }
    return {
        **_common(row, "security"),
        "event": row.kind,
        "reason": row.reason,
        "by_label": row.by_label,
        "actor_user_id": row.actor_user_id,
    }


def _emit(rows) -> None:
    for row in rows:
        logger.info("audit %s", row._meta.model_name, extra={"audit": line_of(row)})


def after_commit(rows, *, using: str) -> None:
    """Stream `rows` once the transaction they were written in commits (at once in autocommit)."""
    from django.db import transaction

    if not rows or not enabled():
        return
    rows = list(rows)
    # robust: the rows are stored; a stream that fails (disk full, a lost syslog server) must not turn the
    # committed request into an error. The failure is logged by Django.
    transaction.on_commit(lambda: _emit(rows), using=using, robust=True)


def enabled() -> bool:
    return logger.isEnabledFor(logging.INFO) and _has_handler()


def _has_handler() -> bool:
    current = logger
    while current is not None:
        if any(not isinstance(h, logging.NullHandler) for h in current.handlers):
            return True
        if not current.propagate:
            return False
        current = current.parent
    return False


class JsonLineFormatter(logging.Formatter):
    """The record's `audit` object as one line of compact JSON, keys in the schema's order."""

    def format(self, record: logging.LogRecord) -> str:
        line = getattr(record, "audit", None)
        if line is None:  # something else logged to stabil.audit: kept out of the stream's schema
            line = {"schema": SCHEMA_VERSION, "type": "other", "message": record.getMessage()}
        return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


class DeferredSysLogHandler(logging.Handler):
    """A SysLogHandler made at the first line, not when the settings are read: a syslog host that does not
    resolve or a /dev/log that is missing at start-up must not stop the web and the workers (the standard
    handler resolves and connects in its constructor). A line that cannot be sent is reported on stderr by
    logging's handleError and the connection is made anew for the next line."""

    def __init__(self, address, facility: int):
        super().__init__()
        self.address, self.facility, self.inner = address, facility, None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.inner is None:
                inner = logging.handlers.SysLogHandler(address=self.address, facility=self.facility)
                inner.ident = f"{SYSLOG_TAG}: "
                inner.setFormatter(self.formatter)
                self.inner = inner
            self.inner.emit(record)
        except Exception:
            self.inner = None
            self.handleError(record)

    def close(self) -> None:
        if self.inner is not None:
            self.inner.close()
        super().close()


class SafeWatchedFileHandler(logging.handlers.WatchedFileHandler):
    """WatchedFileHandler whose every failure (a directory not there, no permission, a full disk) is a line lost
    and reported on stderr, never an exception in the request or task that wrote the row: the standard one
    raises from emit when it cannot open the file."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            super().emit(record)
        except Exception:
            self.stream = None  # opened anew for the next line
            self.handleError(record)


def syslog_handler(address, facility: str = "local0") -> DeferredSysLogHandler:
    return DeferredSysLogHandler(
        address=tuple(address) if isinstance(address, list) else address,
        facility=logging.handlers.SysLogHandler.facility_names[facility],
    )


def handler_config(value: str) -> dict | None:
    """The logging handler (dictConfig form) for a STABIL_AUDIT_STREAM value; None: off."""
    value = value.strip()
    formatter = {"formatter": "audit_json"}
    if not value:
        return None
    if value.startswith("file:"):
        path = value.removeprefix("file:")
        if not path.startswith("/"):
            raise ImproperlyConfigured("STABIL_AUDIT_STREAM=file: needs an absolute path, e.g. file:/var/log/x.jsonl")
        # delay: the file is opened at the first line, so a log directory not there yet does not stop the start
        return {
            "class": f"{__name__}.SafeWatchedFileHandler",
            "filename": path,
            "encoding": "utf-8",
            "delay": True,
            **formatter,
        }
    if value == "syslog":
        return {"()": f"{__name__}.syslog_handler", "address": "/dev/log", **formatter}
    if value.startswith("syslog:"):
        host, sep, port = value.removeprefix("syslog:").rpartition(":")
        if not sep or not host or not port.isdecimal() or not 0 < int(port) < 65536:
            raise ImproperlyConfigured("STABIL_AUDIT_STREAM=syslog:host:port, e.g. syslog:logs.kommun.se:514")
        return {"()": f"{__name__}.syslog_handler", "address": [host, int(port)], **formatter}
    raise ImproperlyConfigured(
        f"STABIL_AUDIT_STREAM={value!r}: use nothing (off), file:/path, syslog or syslog:host:port"
    )


def logging_config(value: str) -> dict:
    """The formatter, handler and logger entries of LOGGING for the stream: merged into config/settings."""
    handler = handler_config(value)
    return {
        "formatters": {"audit_json": {"()": f"{__name__}.JsonLineFormatter"}},
        "handlers": {"audit_stream": handler} if handler else {},
        # propagate off: the lines never reach the console or the root logger's handlers
        "loggers": {LOGGER: {"handlers": ["audit_stream"] if handler else [], "level": "INFO", "propagate": False}},
    }
