"""The trader's widget on the program page, in a real browser (Chromium), against the real assistant."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHAT_ID, LAUNCHER, artifact, shoot
from tests.browser.helpers import INPUT_LABEL, answers, ask, chat_id, choose, launcher, open_widget, panel, visit

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_english_conversation(page, site):
    visit(page, "en")
    expect(page).to_have_title(re.compile("Partners in Protection"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Partners in Protection (PIP)")
    expect(page.get_by_role("link", name="Français")).to_have_attribute("href", "/fr")
    shoot(page, "en-page-closed", full_page=True)

    open_widget(page, "en")
    dialog = page.get_by_role("dialog", name="PIP assistant (automated)")
    expect(dialog.get_by_role("heading", name="PIP assistant (automated)")).to_be_visible()
    expect(dialog).to_contain_text(
        "Do not type personal information, except your application reference "
        "and business number when you ask for a status"
    )
    log = page.get_by_role("log")
    expect(log).to_have_attribute("aria-live", "polite")
    for topic in ["Who can apply", "Benefits", "How to apply", "Check an application's status"]:
        expect(log.get_by_role("button", name=topic, exact=True)).to_be_visible()

    answer = ask(page, "Who is eligible to join Partners in Protection?")
    expect(answer).to_have_attribute("data-topic", "eligibility")
    expect(answer).to_have_attribute("lang", "en")
    expect(answer.locator(".tta-text li").first).to_be_visible()  # "- " lines render as a list
    source = answer.locator(".tta-sources a").first
    expect(source).to_have_attribute("href", re.compile(r"^https://www\.cbsa-asfc\.gc\.ca/.*-eng\.html$"))
    expect(dialog).to_contain_text(re.compile(r"Chat ID: [0-9A-Z]{3}-[0-9A-Z]{4} — quote this if you call us"))
    first_id = chat_id(page)

    benefits = choose(page, "Benefits")
    expect(benefits).to_have_attribute("data-topic", "benefits")
    expect(benefits.locator(".tta-sources a").first).to_have_attribute("href", re.compile(r"-eng\.html$"))
    assert chat_id(page) == first_id
    shoot(page, "en-conversation")
    assert not page.errors


def test_french_conversation(page, site):
    visit(page, "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Partenaires en protection (PEP)")
    expect(page.get_by_role("link", name="English")).to_have_attribute("href", "/")
    shoot(page, "fr-page-closed", full_page=True)

    open_widget(page, "fr")
    dialog = page.get_by_role("dialog", name="Assistant PEP (automatisé)")
    expect(dialog).to_contain_text("N'écrivez pas de renseignements personnels")
    for topic in [
        "Qui peut présenter une demande",
        "Avantages",
        "Comment présenter une demande",
        "Vérifier l'état d'une demande",
    ]:
        expect(page.get_by_role("log").get_by_role("button", name=topic, exact=True)).to_be_visible()

    answer = ask(page, "Est-ce que mon entreprise de camionnage peut adhérer au programme PEP?", "fr")
    expect(answer).to_have_attribute("data-topic", "eligibility")
    expect(answer).to_have_attribute("lang", "fr")
    expect(answer.locator(".tta-sources a").first).to_have_attribute("href", re.compile(r"-fra\.html$"))
    expect(answer.locator(".tta-sources-label")).to_have_text("Source :")
    expect(dialog).to_contain_text(re.compile(r"Numéro de clavardage : [0-9A-Z]{3}-[0-9A-Z]{4} — mentionnez-le"))

    benefits = choose(page, "Avantages")
    expect(benefits).to_have_attribute("data-topic", "benefits")
    expect(benefits).to_have_attribute("lang", "fr")
    expect(benefits.locator(".tta-sources a").first).to_have_attribute("href", re.compile(r"-fra\.html$"))
    shoot(page, "fr-conversation")
    assert not page.errors


def test_each_message_has_the_language_it_is_written_in(page, site):
    """A French question on the English page: the answer is marked lang="fr", the widget's own
    controls stay English."""
    visit(page, "en")
    open_widget(page, "en")
    answer = ask(page, "Combien coûte l'adhésion au PEP?")
    expect(answer).to_have_attribute("lang", "fr")
    expect(answer.locator(".tta-sources a").first).to_have_attribute("lang", "fr")
    expect(answer.locator(".tta-actions")).to_have_attribute("lang", "en")
    expect(answer.get_by_role("button", name="Yes", exact=True)).to_be_visible()
    expect(page.locator(".tta-msg--user").last).to_have_attribute("lang", "fr")


def _focused(page, selector: str) -> bool:
    return page.evaluate("s => { const a = document.activeElement; return !!a && a.matches(s); }", selector)


def _focus_inside_panel(page) -> bool:
    return page.evaluate("() => !!document.activeElement && !!document.activeElement.closest('#tta-panel')")


def test_keyboard_only_conversation(page, site):
    visit(page, "en")
    for _ in range(150):  # Tab through the page until the launcher has the focus
        page.keyboard.press("Tab")
        if _focused(page, "button.tta-launcher"):
            break
    else:
        pytest.fail("the launcher is not reachable with the Tab key")
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert outline[0] != "none" and outline[1] >= 2, f"no visible focus on the launcher: {outline}"
    shoot(page, "keyboard-launcher-focused")

    page.keyboard.press("Enter")
    expect(panel(page)).to_be_visible()
    expect(page.get_by_label("Your question", exact=True)).to_be_focused()

    page.keyboard.type("What are the benefits of PIP membership?")
    with page.expect_response(lambda r: r.url.endswith("/api/chat"), timeout=60_000) as response:
        page.keyboard.press("Enter")
    assert response.value.status == 200
    answer = answers(page).last
    expect(answer).to_have_attribute("data-topic", "benefits")
    expect(page.get_by_label("Your question", exact=True)).to_be_focused()
    expect(page.get_by_label("Your question", exact=True)).to_have_value("")

    # Feedback with the keyboard: Shift+Tab back to "No", Space, pick a reason, send
    for _ in range(40):
        page.keyboard.press("Shift+Tab")
        if _focused(page, ".tta-feedback-no"):
            break
    else:
        pytest.fail("the feedback buttons are not reachable with Shift+Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # into the reasons (a radio group)
    assert _focused(page, "input[type=radio]")
    page.keyboard.press("ArrowDown")  # second reason: "unclear"
    page.keyboard.press("Tab")
    with page.expect_response(lambda r: r.url.endswith("/api/feedback")) as feedback:
        page.keyboard.press("Enter")
    assert feedback.value.status == 200
    assert json.loads(feedback.value.request.post_data)["reason"] == "unclear"
    expect(answer.locator(".tta-feedback")).to_contain_text("Thank you for your feedback.")

    # No keyboard trap: Tab goes past the last control of the panel, Shift+Tab comes back
    page.get_by_label("Your question", exact=True).focus()
    for _ in range(10):
        page.keyboard.press("Tab")
        if not _focus_inside_panel(page):
            break
    else:
        pytest.fail("Tab never leaves the panel (keyboard trap)")
    page.keyboard.press("Shift+Tab")
    assert _focus_inside_panel(page)
    shoot(page, "keyboard-panel")

    page.keyboard.press("Escape")
    expect(panel(page)).to_be_hidden()
    expect(launcher(page)).to_be_focused()
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Enter")  # opens again: the conversation is still there
    expect(page.get_by_label("Your question", exact=True)).to_be_focused()
    expect(answers(page)).to_have_count(1)
    page.keyboard.press("Escape")
    expect(launcher(page)).to_be_focused()


def test_status_lookup_through_the_widget(page, site):
    visit(page, "en")
    open_widget(page, "en")
    question = choose(page, "Check an application's status")
    expect(question).to_have_attribute("data-topic", "application_status")
    expect(question).to_contain_text("application reference")
    status = ask(page, "PIP-2026-00103 100000003")
    expect(status).to_have_attribute("data-topic", "application_status")
    expect(status).to_contain_text("PIP-2026-00103")
    expect(status).to_contain_text("More information requested")
    shoot(page, "en-status-lookup")


def test_status_lookup_in_french(page, site):
    visit(page, "fr")
    open_widget(page, "fr")
    choose(page, "Vérifier l'état d'une demande")
    status = ask(page, "PIP-2026-00103 100000003", "fr")
    expect(status).to_contain_text("Renseignements supplémentaires demandés")
    expect(status).to_have_attribute("lang", "fr")
    shoot(page, "fr-status-lookup")


def test_feedback_helpful_and_not_helpful(page, site):
    visit(page, "en")
    open_widget(page, "en")
    first = ask(page, "Who is eligible to join Partners in Protection?")
    feedback = first.get_by_role("group", name="Was this answer helpful?")
    feedback.get_by_role("button", name="Yes", exact=True).click()
    expect(feedback.get_by_role("button", name="Yes", exact=True)).to_have_attribute("aria-pressed", "true")
    first.get_by_label("It saved me a phone call").check()
    with page.expect_response(lambda r: r.url.endswith("/api/feedback")) as sent:
        first.get_by_role("button", name="Send feedback").click()
    assert sent.value.status == 200 and sent.value.json() == {"ok": True}
    body = json.loads(sent.value.request.post_data)
    assert body["helpful"] is True and body["reason"] == "saved_call" and body["topic"] == "eligibility"
    assert isinstance(body["index"], int)
    expect(first.locator(".tta-feedback")).to_have_text("Thank you for your feedback.")

    second = ask(page, "How much does it cost to join PIP?")
    second.get_by_role("button", name="No", exact=True).click()
    expect(second.get_by_role("group", name="What was wrong? (optional)")).to_be_visible()
    second.get_by_label("It was not what I asked").check()
    shoot(page, "en-feedback-reason")
    with page.expect_response(lambda r: r.url.endswith("/api/feedback")) as sent:
        second.get_by_role("button", name="Send feedback").click()
    assert sent.value.status == 200
    body = json.loads(sent.value.request.post_data)
    assert body == {"index": body["index"], "topic": "cost", "helpful": False, "reason": "not_what_i_asked"}
    assert body["index"] > 0
    expect(second.locator(".tta-feedback")).to_have_text("Thank you for your feedback.")


def test_transcript_download_and_print(page, site):
    visit(page, "en")
    open_widget(page, "en")
    ask(page, "Who is eligible to join Partners in Protection?")
    identifier = chat_id(page)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download transcript").click()
    download = download_info.value
    assert download.suggested_filename == f"pip-assistant-transcript-{identifier}.txt"
    target = artifact(f"transcript-{identifier}.txt")
    download.save_as(str(target))
    text = target.read_text(encoding="utf-8")
    assert f"Chat ID: {identifier}" in text
    assert "You said: Who is eligible to join Partners in Protection?" in text
    assert "The assistant said: " in text and "cross-border" in text

    # Print: the print stylesheet shows only the conversation
    page.evaluate(
        "() => { window.__printed = null; window.print = () => { window.__printed ="
        " document.documentElement.classList.contains('tta-printing'); }; }"
    )
    page.get_by_role("button", name="Print", exact=True).click()
    assert page.evaluate("() => window.__printed") is True
    page.evaluate("() => document.documentElement.classList.add('tta-printing')")
    page.emulate_media(media="print")
    expect(page.locator("main")).to_be_hidden()
    expect(page.get_by_role("log")).to_be_visible()
    expect(page.get_by_label("Your question", exact=True)).to_be_hidden()
    shoot(page, "en-print-view", full_page=True)
    page.emulate_media(media="screen")


EMBED = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>Embedded widget</title></head>
<body><h1>Any Government of Canada page</h1><p>The widget embedded with one script tag.</p>
<script src="/static/widget.js" data-idle-warning="{warning}" data-idle-timeout="{timeout}"></script>
</body></html>"""


def embed(page, site, lang="en", warning=2, timeout=600):
    """A page of another site that embeds the widget with its data- attributes (short idle times)."""
    url = site.url("/test-embed-page")
    page.route(
        url,
        lambda route: route.fulfill(
            status=200, content_type="text/html", body=EMBED.format(lang=lang, warning=warning, timeout=timeout)
        ),
    )
    page.goto(url)
    expect(launcher(page)).to_have_accessible_name(LAUNCHER[lang])


def test_idle_warning_continue_and_start_over(page, site):
    embed(page, site, warning=2)
    open_widget(page, "en")
    ask(page, "What are the benefits of PIP membership?")
    first_id = chat_id(page)
    warning = page.get_by_role("alert").filter(has_text="Your conversation will end soon")
    expect(warning).to_be_visible(timeout=10_000)
    shoot(page, "en-idle-warning")
    with page.expect_response(lambda r: "/api/transcript" in r.url) as kept:
        warning.get_by_role("button", name="Continue").click()
    assert kept.value.status == 200
    expect(warning).to_have_count(0)
    expect(page.get_by_label("Your question", exact=True)).to_be_focused()
    assert chat_id(page) == first_id

    with page.expect_response(lambda r: r.url.endswith("/api/session/restart")) as restarted:
        page.get_by_role("button", name="Start over").click()
    assert restarted.value.status == 200
    expect(answers(page)).to_have_count(0)
    expect(page.locator(".tta-chatid")).to_be_hidden()
    expect(page.get_by_role("log").get_by_role("button", name="Benefits", exact=True)).to_be_visible()
    ask(page, "Who is eligible to join Partners in Protection?")
    assert CHAT_ID.match(chat_id(page)) and chat_id(page) != first_id


def test_conversation_ends_after_the_idle_time_out(page, site):
    embed(page, site, lang="fr", warning=1, timeout=3)
    open_widget(page, "fr")
    ask(page, "Quels sont les avantages du PEP?", "fr")
    expect(page.get_by_role("alert")).to_contain_text("Votre conversation prendra bientôt fin")
    expect(page.get_by_role("alert")).to_contain_text("Votre conversation a pris fin faute d'activité", timeout=10_000)
    expect(answers(page)).to_have_count(0)
    expect(page.locator(".tta-chatid")).to_be_hidden()


def test_errors_are_shown_politely_in_the_page_language(page, site):
    visit(page, "fr")
    open_widget(page, "fr")
    page.route("**/api/chat", lambda route: route.abort())
    page.get_by_label(INPUT_LABEL["fr"], exact=True).fill("Bonjour")
    page.get_by_label(INPUT_LABEL["fr"], exact=True).press("Enter")
    error = page.locator(".tta-msg--error")
    expect(error).to_contain_text("L'assistant n'est pas disponible pour le moment")
    page.unroute("**/api/chat")
    # An empty question is refused in the page's language, without a request
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator(".tta-input-error")).to_have_text("Veuillez écrire une question.")
    expect(page.get_by_label(INPUT_LABEL["fr"], exact=True)).to_have_attribute("aria-invalid", "true")


def test_reflows_at_320_pixels_and_with_200_percent_text(new_context, site):
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    visit(page, "en")
    open_widget(page, "en")
    ask(page, "Who is eligible to join Partners in Protection?")
    box = panel(page).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    send = page.get_by_role("button", name="Send", exact=True)
    send.scroll_into_view_if_needed()
    expect(send).to_be_in_viewport()
    shoot(page, "en-320px")

    large = new_context(viewport={"width": 1280, "height": 800}).new_page()
    visit(large, "en")
    large.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    open_widget(large, "en")
    ask(large, "What are the benefits of PIP membership?")
    box = panel(large).bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= 800 and box["x"] + box["width"] <= 1280
    assert large.evaluate("() => document.documentElement.scrollWidth") <= 1280
    font = large.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.tta-msg--bot')).fontSize)")
    assert font >= 32
    large_send = large.get_by_role("button", name="Send", exact=True)
    large_send.scroll_into_view_if_needed()
    expect(large_send).to_be_in_viewport()
    shoot(large, "en-200-percent-text")


def test_conversation_survives_a_change_of_page(page, site):
    """Going from the English page to the French one keeps the conversation (same session)."""
    visit(page, "en")
    open_widget(page, "en")
    ask(page, "Who is eligible to join Partners in Protection?")
    identifier = chat_id(page)
    toggle = page.get_by_role("link", name="Français")
    toggle.focus()  # the GC header's language toggle (a web component), used with the keyboard
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/fr$"))
    launcher(page).click()
    expect(page.locator(".tta-history-marker")).to_have_text("Plus tôt dans cette conversation")
    expect(page.locator(".tta-msg--user").first).to_contain_text("Who is eligible")
    # The restored lines keep the language they are in (stored with them), not the page's.
    expect(page.locator(".tta-msg--user").first).to_have_attribute("lang", "en")
    expect(page.locator(".tta-msg--bot:not(.tta-msg--welcome)").first).to_have_attribute("lang", "en")
    assert chat_id(page) == identifier
