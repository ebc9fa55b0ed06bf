"""Help: the Swedish user guides in the repository's docs/handbok/, one per role, rendered in the site layout.

The Markdown files are the one source: the same text reads on the code host and in the app. They are the
project's own files (no user input), rendered by markdown-it-py in CommonMark mode with raw HTML off all the
same. Links between guides become links to their help pages; a link to another file of the repository (the
domain description, say) keeps its text and loses its target, since the app does not serve those files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.views.decorators.http import require_GET
from markdown_it import MarkdownIt

from .models import Role
from .permissions import current_staff

GUIDE_DIR = Path(settings.BASE_DIR) / "docs" / "handbok"
INDEX_FILE = "README.md"

# The guides in the order of the main role: the role of a person's daily work in a unit first (the start page
# the caseload and intake apps give it wins over the organisation-wide ones), then the organisation-wide roles
# in the order staff's start page takes them. A person's first match is their main role.
GUIDES: dict[str, frozenset[str]] = {
    "enhetschef": frozenset({Role.UNIT_MANAGER, Role.ASSISTANT_MANAGER}),
    "socialsekreterare": frozenset({Role.SOCIAL_WORKER, Role.SPECIALIST}),
    "administrator": frozenset({Role.ADMINISTRATOR}),
    "systemforvaltare": frozenset({Role.ORG_ADMIN}),
    "hr": frozenset({Role.HR}),
    "avdelningschef": frozenset({Role.DEPARTMENT_HEAD}),
}

# Ids the layout and the help template use already: a heading never takes one.
PAGE_IDS = frozenset({"main", "main-nav", "language-select", "contents-heading", "other-guides-heading"})
_GUIDE_LINK = re.compile(r"^(?:\./)?(?P<name>[A-Za-z0-9_-]+)\.md(?P<anchor>#[\w-]*)?$")
_OUTSIDE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def guides_for(roles) -> list[str]:
    """The person's guides, the main role's first."""
    return [slug for slug, guide_roles in GUIDES.items() if guide_roles & set(roles)]


def main_guide(roles) -> str | None:
    found = guides_for(roles)
    return found[0] if found else None


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    contents: tuple[tuple[str, str], ...]  # (id, text) of each second-level heading


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _href(target: str) -> str | None:
    """Where a link of a guide goes in the app: another guide's page, the index, an anchor, an address
    outside the repository as it is; None for another file of the repository."""
    if target.startswith("#") or _OUTSIDE.match(target):
        return target
    match = _GUIDE_LINK.match(target)
    if match:
        name, anchor = match["name"], match["anchor"] or ""
        if name == INDEX_FILE.removesuffix(".md"):
            return reverse("staff:help") + anchor
        if name in GUIDES:
            return reverse("staff:help_guide", args=[name]) + anchor
    return None


@cache
def _render_file(file: Path, modified: int) -> Rendered:  # `modified` keys the cache on the file's version
    md = _markdown()
    tokens = md.parse(file.read_text(encoding="utf-8"))
    title, contents, kept = "", [], []
    used = set(PAGE_IDS)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open" and token.tag == "h1" and not title:
            # The first heading is the page's one h1, drawn by the template.
            title = tokens[i + 1].content
            i += 3
            continue
        if token.type == "heading_open":
            if token.tag == "h1":  # a second top heading would be a second h1: it reads as a section
                token.tag = tokens[i + 2].tag = "h2"
            text = tokens[i + 1].content
            anchor = base = slugify(text) or "avsnitt"
            n = 2
            while anchor in used:
                anchor, n = f"{base}-{n}", n + 1
            used.add(anchor)
            token.attrSet("id", anchor)
            if token.tag == "h2":
                contents.append((anchor, text))
        if token.type == "inline" and token.children:
            children, dropped = [], 0
            for child in token.children:
                if child.type == "link_open":
                    href = _href(child.attrGet("href") or "")
                    if href is None:
                        dropped += 1
                        continue
                    child.attrSet("href", href)
                elif child.type == "link_close" and dropped:
                    dropped -= 1
                    continue
                children.append(child)
            token.children = children
        kept.append(token)
        i += 1
    body = md.renderer.render(kept, md.options, {})
    return Rendered(title=title, body=body, contents=tuple(contents))


def render_guide(filename: str) -> Rendered:
    file = GUIDE_DIR / filename
    return _render_file(file, file.stat().st_mtime_ns)


def _page(request, filename: str, current: str | None):
    rendered = render_guide(filename)
    staff = current_staff(request)
    mine = guides_for(request.access.roles) if staff is not None else []
    others = [(slug, render_guide(f"{slug}.md").title) for slug in mine if slug != current]
    return render(
        request,
        "staff/help.html",
        {
            "title": rendered.title,
            "body": mark_safe(rendered.body),  # noqa: S308 - the repository's own Markdown, raw HTML off
            "contents": rendered.contents if len(rendered.contents) > 3 else (),
            "other_guides": others,
            "is_index": current is None,
        },
    )


def _signed_in(view):
    return require_GET(login_required(view))


@_signed_in
def help_index(request):
    """All guides. A signed-in person without a staff record (the platform's superuser) lands here too."""
    return _page(request, INDEX_FILE, None)


@_signed_in
def help_guide(request, guide: str):
    if guide not in GUIDES:
        raise Http404
    return _page(request, f"{guide}.md", guide)


def help_url(request) -> str:
    """The help link of the navigation: the guide of the person's main role, else the index."""
    slug = main_guide(request.access.roles)
    return reverse("staff:help_guide", args=[slug]) if slug else reverse("staff:help")


urlpatterns = [
    path("hjalp/", help_index, name="help"),
    path("hjalp/<slug:guide>/", help_guide, name="help_guide"),
]
