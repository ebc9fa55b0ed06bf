"""The "Ändringshistorik" section of an object's page: who changed which field from what to what, newest first.

A page passes one or more `Source`s (the object itself and the rows that belong to it, e.g. a case with its
handlers and investigations). The section is paginated with its own `historik` parameter; the number of
queries is fixed whatever the length of the history: per source a count, the page's rows (each annotated
with the id of its previous version) and those previous versions, then one query per kind of linked object
whose name is shown (people, units, levels). Every query is filtered by the organisation. The previous
version of a row is the one written before it (history ids only grow), whatever the clocks said.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PAGE_PARAM = "historik"
PER_PAGE = 20
HIDDEN = frozenset({"id", "organisation"})

# Labels for fields whose model gives none (Django would show the English attribute name).
FIELD_LABELS = {
    "staff": gettext_lazy("person"),
    "level": gettext_lazy("level"),
    "decided_by": gettext_lazy("decided by"),
    "closed_by_handler": gettext_lazy("closed by"),
    "created_by": gettext_lazy("entered by"),
    "renewal_of": gettext_lazy("renewal of"),
}


@dataclass(frozen=True)
class Source:
    """History rows of `model` matching `lookup` (e.g. {"id": case.pk} or {"case_id": case.pk})."""

    model: type[models.Model]
    lookup: dict
    label: str
    hide: tuple[str, ...] = ()
    # Show the values a row was created with (useful for cases and placements, noise for settings).
    created_values: bool = True


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime.datetime
    who: str
    reason: str
    what: str
    action: str
    changes: list[Change] = field(default_factory=list)


@dataclass
class HistoryPage:
    entries: list[Entry]
    number: int
    num_pages: int
    total: int
    param: str = PAGE_PARAM

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _page_number(raw) -> int:
    """1..PAGE_MAX: a larger number would overflow the database's LIMIT (history_page shows the last page)."""
    from staff.platform.formtools import PAGE_MAX

    try:
        return min(max(1, int(raw)), PAGE_MAX)
    except (TypeError, ValueError):
        return 1


def _label(model, name: str) -> str:
    f = model._meta.get_field(name)
    verbose = str(f.verbose_name)
    if name in FIELD_LABELS and verbose == name.replace("_", " "):
        verbose = str(FIELD_LABELS[name])
    return capfirst(verbose)


def _shown_fields(source: Source) -> list[models.Field]:
    hist = source.model.history.model
    hidden = HIDDEN | set(source.hide)
    names = {f.name for f in hist._meta.fields}
    return [f for f in source.model._meta.concrete_fields if f.name in names and f.name not in hidden]


def _rows(source: Source, organisation, limit: int):
    hist = source.model.history.model
    scoped = hist.objects.filter(organisation_id=organisation.pk)
    previous = (
        scoped.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    qs = scoped.filter(**source.lookup)
    total = qs.count()
    if not total:
        return 0, []
    rows = list(
        qs.annotate(previous_id=Subquery(previous))
        .select_related("history_user__staff")
        .order_by("-history_date", "-history_id")[:limit]
    )
    return total, rows


def _raw(row, f: models.Field):
    return getattr(row, f.attname)


def _format(value, f: models.Field, names: dict) -> str:
    if value is None or value == "":
        return "–"
    if f.is_relation:
        return names.get((f.related_model, value), f"#{value}")
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "Y-m-d")
    if isinstance(value, Decimal | float):
        return formats.localize(value)
    return str(value)


# Management commands whose stored reason ("manage.py seed_demo") is shown in plain Swedish.
COMMAND_REASONS = {"seed_demo": gettext_lazy("demo data")}
COMMAND_PREFIX = "manage.py "


def _reason_shown(reason: str) -> str:
    """The stored reason as a reader sees it: a management command by what it did or its name, not manage.py."""
    if not reason.startswith(COMMAND_PREFIX):
        return reason
    command = reason.removeprefix(COMMAND_PREFIX)
    if command in COMMAND_REASONS:
        return str(COMMAND_REASONS[command])
    return _("command %(name)s") % {"name": command}


def _who(row) -> tuple[str, str]:
    user = row.history_user
    reason = _reason_shown(row.history_change_reason or "")
    if user is None:
        return _("The system"), reason
    staff = getattr(user, "staff", None)
    return (staff.full_name if staff is not None else user.get_username()), reason


def _resolve_names(organisation, wanted: dict[type[models.Model], set]) -> dict:
    """One query per kind of linked object, within the organisation: {(model, pk): label}."""
    names = {}
    for model, ids in wanted.items():
        ids.discard(None)
        if not ids:
            continue
        qs = model._default_manager.filter(pk__in=ids)
        if any(f.name == "organisation" for f in model._meta.fields):
            qs = qs.filter(organisation=organisation)
        for obj in qs:
            names[(model, obj.pk)] = str(obj)
    return names


def history_page(*, organisation, sources: list[Source], page: int | str | None = 1, per_page: int = PER_PAGE):
    """The requested page of the merged history of `sources`, newest first."""
    number = _page_number(page)
    collected = []
    total = 0
    for source in sources:
        count, rows = _rows(source, organisation, number * per_page)
        total += count
        collected.extend((row, source) for row in rows)
    num_pages = max(1, math.ceil(total / per_page))
    number = min(number, num_pages)
    collected.sort(key=lambda pair: (pair[0].history_date, pair[0].history_id), reverse=True)
    shown = collected[(number - 1) * per_page : number * per_page]

    previous_ids: dict[type, set] = {}
    for row, source in shown:
        if row.previous_id:
            previous_ids.setdefault(source.model, set()).add(row.previous_id)
    previous = {
        (model, hid): prev
        for model, ids in previous_ids.items()
        for hid, prev in model.history.model.objects.filter(organisation_id=organisation.pk).in_bulk(list(ids)).items()
    }

    pairs = []
    wanted: dict[type[models.Model], set] = {}
    for row, source in shown:
        before = previous.get((source.model, row.previous_id)) if row.previous_id else None
        changed = []
        for f in _shown_fields(source):
            new = _raw(row, f)
            if row.history_type == "-":
                continue
            if before is None:
                if row.history_type == "+" and source.created_values and new not in (None, ""):
                    changed.append((f, None, new))
                continue
            old = _raw(before, f)
            if old != new:
                changed.append((f, old, new))
        for f, old, new in changed:
            if f.is_relation:
                wanted.setdefault(f.related_model, set()).update({old, new})
        pairs.append((row, source, changed))
    names = _resolve_names(organisation, wanted)

    actions = {"+": _("Created"), "~": _("Changed"), "-": _("Removed")}
    entries = []
    for row, source, changed in pairs:
        who, reason = _who(row)
        entries.append(
            Entry(
                when=row.history_date,
                who=who,
                reason=reason,
                what=source.label,
                action=actions.get(row.history_type, row.history_type),
                changes=[
                    Change(label=_label(source.model, f.name), old=_format(o, f, names), new=_format(n, f, names))
                    for f, o, n in changed
                ],
            )
        )
    return HistoryPage(entries=entries, number=number, num_pages=num_pages, total=total)


def history_for_request(request, sources: list[Source], per_page: int = PER_PAGE) -> HistoryPage:
    return history_page(
        organisation=request.organisation, sources=sources, page=request.GET.get(PAGE_PARAM), per_page=per_page
    )
