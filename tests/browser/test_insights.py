"""The console's Insights and Review pages in a real browser: charts with their tables and CSV,
one-key review decisions, both languages, axe-core clean, and closed to traders."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.helpers import ask, axe_scan, open_widget, sign_in, visit
from tests.browser.test_accessibility import report

pytestmark = [pytest.mark.browser, pytest.mark.integration]

ODD_QUESTION = "zorblat quimbly frandish wibbleton"


def test_a_trader_never_sees_the_insights_or_review_pages(page):
    for path in ("/agent/insights", "/agent/review", "/fr/agent/statistiques", "/fr/agent/revision"):
        response = page.goto(path)
        assert response.status == 401, path
        expect(page.locator("#charts, #review-items")).to_have_count(0)
    page.goto("/agent/insights")
    page.get_by_role("link", name="Sign in to the agent console").click()
    expect(page).to_have_url(re.compile(r"/agent$"))


def test_insights_charts_tables_and_csv(page, new_context, site, tmp_path):
    trader = new_context().new_page()
    visit(trader, "en")
    open_widget(trader, "en")
    ask(trader, "Who is eligible to join Partners in Protection?")

    sign_in(page, site)
    page.get_by_role("navigation", name="Agent console").get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PIP assistant: insights")
    expect(page.locator("#insights-status")).to_contain_text("Showing the last 7 days")
    page.get_by_label("Period").select_option("30")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator("#insights-status")).to_contain_text("Showing the last 30 days")

    topics = page.get_by_role("region", name="Data: Questions per topic")
    expect(topics.get_by_role("table", name="Data: Questions per topic")).to_contain_text("Who can apply")
    expect(page.locator("svg.insights-chart[role=img]")).not_to_have_count(0)
    for chart in page.locator("svg.insights-chart").all():
        assert chart.get_attribute("aria-labelledby")
        assert page.locator(f"#{chart.get_attribute('aria-labelledby')}").text_content()

    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV: Questions per topic").click()
    assert download.value.suggested_filename == "pip-assistant-per-topic-30-days.csv"
    saved = tmp_path / "topics.csv"
    download.value.save_as(saved)
    rows = saved.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "Topic,Questions" and any(r.startswith("Who can apply,") for r in rows[1:])

    shoot(page, "insights-en", full_page=True)
    violations = axe_scan(page, "insights-en")
    assert not violations, report(violations)

    page.goto("/fr/agent/statistiques")
    expect(page.locator("#insights-status")).to_contain_text("Les 7 derniers jours")
    expect(page.get_by_role("table", name="Données : Questions par sujet")).to_contain_text(
        "Qui peut présenter une demande"
    )
    violations = axe_scan(page, "insights-fr")
    assert not violations, report(violations)
    assert not page.errors


def test_review_a_declined_question_with_one_key(page, new_context, site):
    trader = new_context().new_page()
    visit(trader, "en")
    open_widget(trader, "en")
    ask(trader, ODD_QUESTION)

    sign_in(page, site)
    page.get_by_role("link", name="Review questions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PIP assistant: review questions")
    item = page.locator("li.review-item", has_text=ODD_QUESTION).first
    expect(item).to_be_visible()
    expect(item.get_by_label("Right topic")).to_be_visible()
    violations = axe_scan(page, "review-en")
    shoot(page, "review-en", full_page=True)
    assert not violations, report(violations)

    # Keyboard only: Tab reaches the question, O marks it out of scope.
    item.focus()
    expect(item).to_be_focused()
    with page.expect_response(lambda r: "/api/agent/inbox/" in r.url and r.request.method == "POST") as decided:
        page.keyboard.press("o")
    assert decided.value.status == 200
    assert decided.value.request.headers.get("x-csrf-token")
    expect(page.locator("#review-status")).to_contain_text("Recorded: Out of scope.")
    expect(page.locator("li.review-item", has_text=ODD_QUESTION)).to_have_count(0)

    page.goto("/fr/agent/revision")
    expect(page.get_by_role("heading", level=1)).to_have_text("Assistant PEP : réviser les questions")
    expect(page.locator("#review-status")).not_to_be_empty()
    violations = axe_scan(page, "review-fr")
    assert not violations, report(violations)
    assert not page.errors
