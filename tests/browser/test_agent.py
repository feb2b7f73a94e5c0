"""The agent console in a real browser: sign-in, look-ups, a trader's transcript, copy, sign-out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.helpers import ask, chat_id, open_widget, sign_in, visit

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_agent_console_flow(page, new_context, site):
    # A trader talks to the assistant first, and quotes the chat ID on the phone
    trader = new_context().new_page()
    visit(trader, "en")
    open_widget(trader, "en")
    ask(trader, "Who is eligible to join Partners in Protection?")
    trader_chat = chat_id(trader)

    # A wrong password is refused politely
    page.goto("/agent")
    page.locator("#agent-username").fill(site.agent_credentials[0])
    page.locator("#agent-password").fill("not-the-password")
    page.locator("#signin-form button[type=submit]").click()
    expect(page.get_by_role("alert").filter(has_text="not correct")).to_be_visible()
    expect(page.locator("#console")).to_be_hidden()
    shoot(page, "agent-signin-error")

    sign_in(page, site)
    expect(page.locator("#lookup-query")).to_be_focused()

    # Look-up by reference: one application with its full history
    page.get_by_label("Application reference or business number").fill("PIP-2026-00103")
    with page.expect_response(lambda r: "/api/agent/applications" in r.url) as found:
        page.get_by_role("button", name="Look up", exact=True).click()
    assert found.value.status == 200
    assert found.value.request.headers.get("x-csrf-token")
    results = page.locator("#lookup-results")
    expect(page.locator("#lookup-status")).to_have_text("1 application found for reference PIP-2026-00103.")
    expect(results.locator("article")).to_have_count(1)
    expect(results).to_contain_text("Fundy Customs Brokerage")
    table = results.get_by_role("table", name="Status history of PIP-2026-00103")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table).to_contain_text("More information requested")

    # Look-up by business number: two applications
    page.get_by_label("Application reference or business number").fill("100000002")
    page.get_by_role("button", name="Look up", exact=True).click()
    expect(page.locator("#lookup-status")).to_have_text("2 applications found for business number 100000002.")
    expect(results.locator("article")).to_have_count(2)
    expect(results.get_by_role("table")).to_have_count(2)

    # An input that is neither is explained (the gateway decides what is a reference or a number)
    page.get_by_label("Application reference or business number").fill("12345")
    page.get_by_role("button", name="Look up", exact=True).click()
    expect(page.locator("#lookup-error")).to_contain_text("9-digit business number")

    # The trader's conversation by chat ID (typed in lower case, without the hyphen)
    page.get_by_label("Chat ID").fill(trader_chat.replace("-", "").lower())
    with page.expect_response(lambda r: "/api/agent/transcript" in r.url) as transcript:
        page.get_by_role("button", name="Show the conversation").click()
    assert transcript.value.status == 200
    conversation = page.get_by_role("table", name=f"Conversation {trader_chat}")
    expect(conversation).to_contain_text("Who is eligible to join Partners in Protection?")
    expect(conversation.locator("tbody tr")).to_have_count(2)
    expect(conversation.locator(".agent-message").first).to_have_attribute("lang", "en")  # stored with the line
    page.get_by_label("Chat ID").fill("ZZZ-ZZZZ")
    page.get_by_role("button", name="Show the conversation").click()
    expect(page.locator("#transcript-status")).to_have_text("No conversation found with chat ID ZZZ-ZZZZ.")

    # Chat in agent mode, and copy an answer with its source
    chat = page.locator("#agent-chat")
    chat.get_by_label("Your question", exact=True).fill("How much does it cost to join PIP?")
    with page.expect_response(lambda r: r.url.endswith("/api/chat"), timeout=60_000) as answered:
        chat.get_by_label("Your question", exact=True).press("Enter")
    assert answered.value.status == 200
    answer = chat.locator(".tta-msg--bot:not(.tta-msg--welcome)").last
    source = answer.locator(".tta-sources a").first.get_attribute("href")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.base_url)
    answer.get_by_role("button", name="Copy this answer and its source").click()
    expect(answer.get_by_role("button", name="Copy this answer and its source")).to_have_text("Copied")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert source in copied and answer.locator(".tta-text p").first.inner_text() in copied
    shoot(page, "agent-console", full_page=True)

    # Requests without the CSRF token are refused
    status = page.evaluate("""() => fetch('/api/agent/applications?reference=PIP-2026-00103',
        {credentials: 'same-origin'}).then(r => r.status)""")
    assert status in (401, 403)

    # Sign out: back to the sign-in form; the agent session is gone
    with page.expect_response(lambda r: r.url.endswith("/api/agent/logout")):
        page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#signin")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="You are signed out.")).to_be_visible()
    assert page.request.get(site.url("/api/agent/me")).status == 401


def test_expired_agent_session_asks_to_sign_in_again(page, site):
    sign_in(page, site)
    token = page.evaluate("() => sessionStorage.getItem('tta-agent-csrf')")
    # The session ends on the server (as after 30 idle minutes)
    page.request.post(
        site.url("/api/agent/logout"), data="{}", headers={"X-CSRF-Token": token, "Content-Type": "application/json"}
    )
    page.get_by_label("Application reference or business number").fill("PIP-2026-00103")
    page.get_by_role("button", name="Look up", exact=True).click()
    expect(page.locator("#signin")).to_be_visible()
    expect(page.locator("#signin-error")).to_have_text("Your session has expired. Please sign in again.")
    expect(page.locator("#lookup-results")).to_be_empty()


def test_agent_console_in_french(page, site):
    sign_in(page, site, "/fr/agent")
    expect(page.get_by_role("heading", level=1)).to_have_text("Assistant PEP : console des agents")
    # A French agent types the programme's French name: the gateway's patterns accept it, so the console does
    page.get_by_label("Numéro de référence de la demande ou numéro d'entreprise").fill("PEP 2026-00103")
    page.get_by_role("button", name="Consulter", exact=True).click()
    expect(page.locator("#lookup-status")).to_have_text("1 demande trouvée pour la référence PIP-2026-00103.")
    expect(page.get_by_role("table", name="Historique de l'état de PIP-2026-00103")).to_contain_text(
        "Renseignements supplémentaires demandés"
    )
    shoot(page, "agent-console-fr", full_page=True)
    page.get_by_role("button", name="Fermer la session").click()
    expect(page.locator("#signin")).to_be_visible()


def test_reload_keeps_the_agent_signed_in(page, site):
    sign_in(page, site)
    page.reload()
    expect(page.locator("#console")).to_be_visible()
    page.get_by_label("Application reference or business number").fill("PIP-2026-00101")
    page.get_by_role("button", name="Look up", exact=True).click()
    expect(page.locator("#lookup-status")).to_have_text(re.compile("^1 application found"))


def test_agent_mode_chat_is_never_left_for_the_public_widget(new_context, site):
    """Issue #13 item 3b: look-ups made in the console's chat are not readable with the
    browser's ordinary session cookie, and leaving the console ends that conversation."""
    import time

    context = new_context()
    page = context.new_page()
    visit(page, "en")  # the same browser also has a trader conversation
    open_widget(page, "en")
    ask(page, "Who is eligible to join Partners in Protection?")
    sign_in(page, site)
    chat = page.locator("#agent-chat")
    chat.get_by_label("Your question", exact=True).fill("PIP-2026-00103")
    with page.expect_response(lambda r: r.url.endswith("/api/chat"), timeout=60_000) as answered:
        chat.get_by_label("Your question", exact=True).press("Enter")
    assert answered.value.status == 200
    token = page.evaluate("() => sessionStorage.getItem('tta-agent-csrf')")

    def said(headers=None):
        body = context.request.get(site.url("/api/transcript"), headers=headers or {}).json()
        return " ".join(line["text"] for line in body["messages"])

    assert "PIP-2026-00103" in said({"X-CSRF-Token": token})  # the console's own conversation
    assert "PIP-2026-00103" not in said() and "eligible" in said()  # what the public widget loads

    page.goto("/")  # leaving (or closing) the console ends its agent-mode conversation
    deadline = time.monotonic() + 10
    while "PIP-2026-00103" in said({"X-CSRF-Token": token}) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "PIP-2026-00103" not in said({"X-CSRF-Token": token})
    assert context.request.get(site.url("/api/agent/me")).status == 200  # still signed in
    open_widget(page, "en")
    expect(page.get_by_role("log")).to_contain_text("Who is eligible to join Partners in Protection?")
    expect(page.get_by_role("log")).not_to_contain_text("PIP-2026-00103")
