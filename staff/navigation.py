"""Navigation and start pages, contributed by each domain app's `nav` module.

An app's `nav.py` may define:
- `items(request) -> list[NavItem]`: links for the signed-in person (already role-filtered). It is given a
  stand-in whose only attribute is `access`, the person's roles without their staff record (`access.staff` is
  None), and must depend on nothing else but the active language and the URLs: the result is cached per role
  set (see `nav_items`);
- `start_page(request) -> tuple[int, str] | None`: (priority, url) of the person's start page;
  the highest priority across apps wins, so a later app can give a role a richer start page;
- `unit_panels(request, unit) -> list[dict]`: sections of the unit page (`/units/<id>/`), each a dict with
  "template" and that template's context (caseload adds its load against capacity), for someone who may view
  the unit. Staff never imports those apps;
- `leaver_page(request, member) -> tuple[str, str] | None`: when `member` has an end date and still holds
  something of that app (caseload: open cases), (url, warning) of the page that hands it over. The person page
  goes there after saving an end date.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache, lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language

DOMAIN_APPS = ("staff", "competence", "caseload", "intake", "surveys")


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    order: int = 100
    # Links under one heading in the navigation bar (a dropdown); None = top level.
    section: str | None = None


@cache
def _nav_modules():
    modules = []
    for name in DOMAIN_APPS:
        try:
            modules.append(importlib.import_module(f"{name}.nav"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{name}.nav":
                raise
    return tuple(modules)


@dataclass(frozen=True)
class _RolesOnly:
    """What a nav module's items() sees of the request: the access, without the staff record."""

    access: object


def role_set_key(access) -> tuple:
    """Everything the navigation may depend on: the organisation, the role set (each role with its unit or
    department and the units' kinds), the language and the URLs (script prefix, URL conf)."""
    return (
        access.staff.organisation_id,
        access.roles,
        access.unit_roles,
        access.department_ids,
        frozenset(access.unit_department.items()),
        frozenset(access.unit_kind.items()),
        get_language(),
        get_script_prefix(),
        get_urlconf() or settings.ROOT_URLCONF,
    )


@lru_cache(maxsize=4096)
def _items_for(key: tuple) -> tuple[NavItem, ...]:
    """The navigation of one role set, built from the key alone (so the cache cannot hold anything the key
    does not name); the language, script prefix and URL conf it reads are the ones in the key."""
    from staff.access import Access

    _org, roles, unit_roles, department_ids, unit_department, unit_kind, *_urls = key
    access = Access(
        staff=None,
        roles=roles,
        unit_roles=unit_roles,
        department_ids=department_ids,
        unit_department=dict(unit_department),
        unit_kind=dict(unit_kind),
    )
    items: list[NavItem] = []
    for module in _nav_modules():
        if hasattr(module, "items"):
            items.extend(module.items(_RolesOnly(access)))
    return tuple(sorted(items, key=lambda i: (i.order, i.label)))


def nav_items(request) -> list[NavItem]:
    """The signed-in person's navigation, built once per role set and language (per process) and then reused:
    a role given or taken, or another language, is another key, so the next page shows the change."""
    return list(_items_for(role_set_key(request.access)))


@receiver(setting_changed)
def _forget_on_setting_change(**kwargs) -> None:
    _items_for.cache_clear()


def start_url(request) -> str | None:
    best: tuple[int, str] | None = None
    for module in _nav_modules():
        if hasattr(module, "start_page"):
            candidate = module.start_page(request)
            if candidate and (best is None or candidate[0] > best[0]):
                best = candidate
    return best[1] if best else None


def unit_panels(request, unit) -> list[dict]:
    panels: list[dict] = []
    for module in _nav_modules():
        if hasattr(module, "unit_panels"):
            panels.extend(module.unit_panels(request, unit))
    return panels


def leaver_page(request, member) -> tuple[str, str] | None:
    """The first app page that still has something to hand over from a person with an end date."""
    for module in _nav_modules():
        if hasattr(module, "leaver_page"):
            found = module.leaver_page(request, member)
            if found:
                return found
    return None
