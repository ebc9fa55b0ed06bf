"""Navigation and start pages, contributed by each domain app's `nav` module.

An app's `nav.py` may define:
- `items(request) -> list[NavItem]`: links for the signed-in person (already role-filtered);
- `start_page(request) -> tuple[int, str] | None`: (priority, url) of the person's start page;
  the highest priority across apps wins, so a later app can give a role a richer start page;
- `unit_panels(request, unit) -> list[dict]`: sections of the unit page (`/units/<id>/`), each a dict with
  "template" and that template's context (caseload adds its load against capacity), for someone who may view
  the unit. Staff never imports those apps.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

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


def nav_items(request) -> list[NavItem]:
    items: list[NavItem] = []
    for module in _nav_modules():
        if hasattr(module, "items"):
            items.extend(module.items(request))
    return sorted(items, key=lambda i: (i.order, i.label))


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
