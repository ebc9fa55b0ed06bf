"""Every URL pattern with an object id answers 404 to a person of another organisation, pages and API alike."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.outsiders import NOT_OBJECT_URLS, all_cases


def _patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace == "admin":  # Django admin: superusers only, not tenant pages
                continue
            yield from _patterns(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def _object_url_names() -> set[str]:
    return {
        name for name, pattern in _patterns() if pattern.pattern.converters or "(?P<" in str(pattern.pattern)
    } - NOT_OBJECT_URLS


def test_every_object_url_is_registered():
    missing = sorted(_object_url_names() - set(all_cases()))
    assert not missing, f"URL patterns with an object id but no outsider case in tests/<app>/outsiders.py: {missing}"


@pytest.mark.parametrize("url_name", sorted(all_cases()))
def test_outsider_gets_404(world, url_name):
    from django.urls import reverse

    case = all_cases()[url_name]
    url = reverse(url_name, kwargs=case.kwargs(world))
    client = world.client(case.viewer)
    data = case.data(world) if case.data else {}
    response = getattr(client, case.method)(url, data=data, **(case.headers or {}))
    assert response.status_code == 404, f"{url_name} {url} answered {response.status_code}"
