"""The access log. Views name the personal or case data they showed with `note`:

    from staff.platform import audit
    audit.note(request, case)                 # one object: kind from its model, its unit_id
    audit.note(request, page)                 # the objects of a list page
    audit.note(request, [3, 4], kind="staff") # ids
    audit.note(request, [(3, 7)], kind="case")  # (id, unit id) pairs: the unit is known without the object
    audit.purpose(request, "supervision")     # why a case outside the reader's own was read (recorded)
    audit.asked(request, period="2024-01-01..2024-06-30")  # what an export was asked for, beside the URL's ids

`staff.platform.audit.middleware.AccessLogMiddleware` writes the notes of a request, together with who, when,
from where, the channel, URL name and status, in one INSERT after the response. Which URL patterns
log at all is decided by `staff.platform.audit.registry`. Kept free of model imports: staff.models imports
this package's models module.
"""

from __future__ import annotations

from collections.abc import Iterable

# Model label -> access kind: staff's own here, the other apps' registered from their trust.py (`model_kind`).
MODEL_KINDS = {"staff.staffmember": "staff"}


def model_kind(model, kind: str) -> None:
    """`audit.note(request, obj)` on an instance of `model` records the access kind `kind`."""
    MODEL_KINDS[model._meta.label_lower] = kind


NOTES_ATTR = "_access_log_notes"
PURPOSE_ATTR = "_access_log_purpose"
ASKED_ATTR = "_access_log_asked"


def _django_request(request):
    return getattr(request, "_request", request)  # a DRF Request wraps Django's


def _one(obj, kind: str | None) -> tuple[str, int, int | None]:
    if isinstance(obj, int | tuple | list):
        if kind is None:
            raise ValueError("give kind= when noting ids")
        object_id, unit_id = (obj, None) if isinstance(obj, int) else obj
        return kind, object_id, unit_id
    label = obj._meta.label_lower
    found = kind or MODEL_KINDS.get(label)
    if found is None:
        raise ValueError(f"no access kind for {label}: pass kind=")
    return found, obj.pk, getattr(obj, "unit_id", None)


def note(request, objects, *, kind: str | None = None) -> None:
    """Record that this request showed `objects` (a model instance, an iterable of them, or ids)."""
    if objects is None:
        return
    items: Iterable = [objects] if isinstance(objects, int) or hasattr(objects, "_meta") else objects
    notes = getattr(_django_request(request), NOTES_ATTR, None)
    if notes is None:
        notes = []
        setattr(_django_request(request), NOTES_ATTR, notes)
    seen = {(k, i) for k, i, _u in notes}
    for obj in items:
        entry = _one(obj, kind)
        if entry[:2] not in seen:
            seen.add(entry[:2])
            notes.append(entry)


def asked(request, **values) -> None:
    """Record what the request asked for beyond the URL's ids, e.g. the period of an export: written to the
    row's `url_ids` after them ("period=2024-01-01..2024-06-30"). Values must not hold personal data."""
    found = getattr(_django_request(request), ASKED_ATTR, None)
    if found is None:
        found = {}
        setattr(_django_request(request), ASKED_ATTR, found)
    found.update((key, str(value)) for key, value in values.items())


def asked_of(request) -> dict[str, str]:
    return dict(getattr(_django_request(request), ASKED_ATTR, {}))


def noted(request) -> list[tuple[str, int, int | None]]:
    return list(getattr(_django_request(request), NOTES_ATTR, ()))


def purpose(request, value: str) -> None:
    """Record why this request read what it showed (a code of `audit.models.Purpose`, never free text)."""
    from staff.platform.audit.models import Purpose

    setattr(_django_request(request), PURPOSE_ATTR, Purpose(value).value)


def stated_purpose(request) -> str:
    return getattr(_django_request(request), PURPOSE_ATTR, "")
