"""Browser tests: Playwright (Python, sync API) driving Debian's Chromium at /usr/bin/chromium.

Never downloads a browser. Without /usr/bin/chromium (or without the web assets and no npm to build them)
the browser tests are skipped, unless REQUIRE_BROWSER=1, which makes that a failure (CI sets it).

By default the tests run against the real assistant (the session fixture `assistant`: trained model,
Rasa, action server, gateway). BROWSER_BASE_URL=http://127.0.0.1:8000 runs them against an assistant that
is already running instead (e.g. `make run`), with the agent account from AGENT_USERNAME/AGENT_PASSWORD
(default: the local demo account).

Screenshots, downloads and axe-core reports go to tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.paths import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VENDOR = ROOT / "bot" / "gateway" / "static" / "vendor" / "gcds" / "gcds.esm.js"
ANSWER_TIMEOUT = 60_000  # ms: the first answers come while Rasa warms up

LAUNCHER = {"en": "Ask the PIP assistant (automated)", "fr": "Poser une question à l'assistant PEP (automatisé)"}
PAGE = {"en": "/", "fr": "/fr"}
CHAT_ID = re.compile(r"^[0-9A-Z]{3}-[0-9A-Z]{4}$")


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Chromium through the web pages (Playwright)")


def _unavailable(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def web_assets() -> None:
    """The GC Design System files and axe-core come from npm (scripts/build-web; make run does it)."""
    if VENDOR.exists() and AXE.exists():
        return
    try:
        subprocess.run([str(ROOT / "scripts" / "build-web")], cwd=ROOT, check=True)
    except (OSError, subprocess.CalledProcessError) as failure:
        _unavailable(f"web assets missing and scripts/build-web failed: {failure}")


@dataclass
class Site:
    base_url: str
    agent_credentials: tuple[str, str]

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture(scope="session")
def site(request, web_assets) -> Site:
    external = os.environ.get("BROWSER_BASE_URL")
    default_agent = (
        os.environ.get("AGENT_USERNAME", "demo-agent"),
        os.environ.get("AGENT_PASSWORD", "demo-agent-password"),
    )
    if external:
        return Site(external.rstrip("/"), default_agent)
    assistant = request.getfixturevalue("assistant")
    credentials: tuple[str, str] | None = getattr(assistant, "agent_credentials", None)
    return Site(assistant.base_url, tuple(credentials) if credentials else default_agent)


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module. Not per session: Playwright's sync API keeps an event loop of
    its own, which must be gone before asyncio tests (tests/unit) run in the same session."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def new_context(browser, site):
    """Makes fresh browser contexts (a new visitor each: no cookies); closes them after the test."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", {"width": 1280, "height": 900})
        options.setdefault("base_url", site.base_url)
        options.setdefault("accept_downloads", True)
        context = browser.new_context(**options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context, request):
    page = new_context().new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        shoot(page, f"FAILED-{request.node.name}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def shoot(page, name: str, full_page: bool = False) -> Path:
    path = artifact(f"{name}.png")
    try:
        page.screenshot(path=str(path), full_page=full_page)
    except Exception:  # noqa: BLE001 - a screenshot never hides the real failure
        pass
    return path
