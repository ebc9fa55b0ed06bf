"""The confirmation step (templates/confirm.html): a POST without confirm=1 only asks."""

from __future__ import annotations

import re


def confirmation_page(client, url: str, *texts: str) -> str:
    """POST `url` without confirming: the page asks (every one of `texts` shown), with no inline script (CSP)."""
    first = client.post(url)
    assert first.status_code == 200
    page = first.content.decode()
    assert all(text in page for text in texts), texts
    assert 'name="confirm"' in page and not re.search(r"<script(?![^>]*\bsrc=)", page)
    return page
