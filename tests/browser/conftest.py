"""Playwright on Debian's Chromium (/usr/bin/chromium) against pytest-django's live server.

In CI (CI=true) a missing Chromium fails the run; on a developer machine without it the browser
tests are skipped with the install command in the reason.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# Playwright's sync API runs an event loop in this thread; Django's ORM guard would refuse queries.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: CI must install Debian's chromium package")
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    user_data = tempfile.mkdtemp(prefix="stabil-chromium-")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
    shutil.rmtree(user_data, ignore_errors=True)


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="sv-SE", timezone_id="Europe/Stockholm")
    page = context.new_page()
    page.set_default_timeout(15000)
    # Every script error and Content-Security-Policy violation on any page fails the test.
    page.script_errors = []
    page.on("pageerror", lambda exc: page.script_errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and ("Content Security Policy" in msg.text or "Refused to" in msg.text)
            and page.script_errors.append(f"console: {msg.text}")
        ),
    )
    yield page
    context.close()
    assert not page.script_errors, "\n".join(page.script_errors)


@pytest.fixture
def demo(transactional_db):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)


def login(page, live_server, username: str, password: str = "stabil-demo") -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state("networkidle")


def tab_to(page, name: str, limit: int = 60) -> None:
    """Tab from where the focus is until it is on the control named `name` (reached by keyboard, in order)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => (document.activeElement.textContent || '').trim()") == name:
            return
    raise AssertionError(f"no focusable element named {name!r} within {limit} tabs")


def assert_accessible(page) -> None:
    """axe-core on the current page: no serious or critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    detail = "\n".join(f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}" for v in bad)
    assert not bad, f"axe violations on {page.url}:\n{detail}"
    # Two elements with one id break label and ARIA references (WCAG 4.1.1/1.3.1); axe rates it minor.
    duplicates = page.evaluate(
        """() => { const seen = {}; document.querySelectorAll('[id]').forEach(e => seen[e.id] = (seen[e.id] || 0) + 1);
                  return Object.keys(seen).filter(id => seen[id] > 1); }"""
    )
    assert not duplicates, f"duplicate ids on {page.url}: {duplicates}"
