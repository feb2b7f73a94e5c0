"""What the browser tests do with the widget, in one place."""

from __future__ import annotations

import json
import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import ANSWER_TIMEOUT, AXE, LAUNCHER, PAGE, artifact

INPUT_LABEL = {"en": "Your question", "fr": "Votre question"}
ANSWERS = ".tta-msg--bot:not(.tta-msg--welcome)"


def launcher(page: Page) -> Locator:
    return page.locator("button.tta-launcher")


def panel(page: Page) -> Locator:
    return page.locator("#tta-panel")


def visit(page: Page, lang: str = "en") -> None:
    page.goto(PAGE[lang])
    expect(launcher(page)).to_be_visible()


def open_widget(page: Page, lang: str = "en") -> None:
    button = launcher(page)
    expect(button).to_have_accessible_name(LAUNCHER[lang])
    button.click()
    expect(panel(page)).to_be_visible()
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.get_by_label(INPUT_LABEL[lang], exact=True)).to_be_focused()


def answers(page: Page) -> Locator:
    return page.locator(ANSWERS)


def _wait_for_answer(page: Page, before: int, action) -> Locator:
    with page.expect_response(
        lambda r: r.url.endswith("/api/chat") and r.request.method == "POST", timeout=ANSWER_TIMEOUT
    ) as response:
        action()
    assert response.value.status == 200, (response.value.status, response.value.text())
    expect(page.locator(".tta-msg--waiting")).to_have_count(0, timeout=ANSWER_TIMEOUT)
    expect(answers(page)).not_to_have_count(before)
    return answers(page).nth(before)


def ask(page: Page, text: str, lang: str = "en") -> Locator:
    """Types a question, presses Enter and returns the first new answer."""
    before = answers(page).count()
    box = page.get_by_label(INPUT_LABEL[lang], exact=True)
    box.fill(text)
    return _wait_for_answer(page, before, lambda: box.press("Enter"))


def choose(page: Page, title: str) -> Locator:
    """Selects a suggested topic (or an answer's button) and returns the first new answer."""
    before = answers(page).count()
    button = page.locator(".tta-choices button", has_text=title).last
    return _wait_for_answer(page, before, button.click)


def chat_id(page: Page) -> str:
    value = page.locator(".tta-chatid-value")
    expect(value).to_have_text(re.compile(r"^[0-9A-Z]{3}-[0-9A-Z]{4}$"))
    return value.inner_text().strip()


def axe_scan(page: Page, name: str) -> list[dict]:
    """Runs axe-core (WCAG 2.0/2.1 A and AA rules and best practices) and returns the serious and
    critical violations. The full report is saved in tests/artifacts/."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # DevTools evaluation is not subject to the page's Content-Security-Policy.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;void 0;")
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}, resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))}));
    }""")
    artifact(f"axe-{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def sign_in(page, site, path="/agent"):
    page.goto(path)
    username, password = site.agent_credentials
    expect(page.get_by_role("heading", name="Sign in" if path == "/agent" else "Ouvrir une session")).to_be_visible()
    page.locator("#agent-username").fill(username)
    page.locator("#agent-password").fill(password)
    with page.expect_response(lambda r: r.url.endswith("/api/agent/login")) as login:
        page.locator("#signin-form button[type=submit]").click()
    assert login.value.status == 200, login.value.text()
    expect(page.locator("#console")).to_be_visible()
    expect(page.locator("#agent-name")).to_have_text(username)
