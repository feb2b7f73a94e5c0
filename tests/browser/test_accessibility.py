"""axe-core scans (WCAG 2.1 A/AA and best practices): no serious or critical violation on the program page
with the widget closed and open, in both languages, nor on the agent console."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.helpers import answers, ask, axe_scan, choose, open_widget, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.integration]

QUESTION = {
    "en": "Who is eligible to join Partners in Protection?",
    "fr": "Est-ce que mon entreprise de camionnage peut adhérer au programme PEP?",
}
NO = {"en": "No", "fr": "Non"}


def report(violations):
    return "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes']]}" for v in violations
    )


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_program_page_with_the_widget_closed_and_open(page, site, lang):
    visit(page, lang)
    page.wait_for_function("() => !!document.querySelector('gcds-header.hydrated, gcds-header[hydrated]')")
    violations = axe_scan(page, f"{lang}-closed")
    assert not violations, report(violations)

    open_widget(page, lang)
    violations = axe_scan(page, f"{lang}-open")
    assert not violations, report(violations)

    ask(page, QUESTION[lang], lang)
    answers(page).last.get_by_role("button", name=NO[lang], exact=True).click()  # reasons shown
    violations = axe_scan(page, f"{lang}-conversation")
    shoot(page, f"axe-{lang}-conversation")
    assert not violations, report(violations)


def test_status_answer_and_agent_console(page, site):
    visit(page, "en")
    open_widget(page, "en")
    choose(page, "Check an application's status")
    ask(page, "PIP-2026-00103 100000003")
    violations = axe_scan(page, "en-status")
    assert not violations, report(violations)

    sign_in(page, site)
    page.get_by_label("Application reference or business number").fill("100000002")
    page.get_by_role("button", name="Look up", exact=True).click()
    expect(page.locator("#lookup-results article")).to_have_count(2)
    violations = axe_scan(page, "agent-console")
    assert not violations, report(violations)
