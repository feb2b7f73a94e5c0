"""The pages are Jinja2 templates (bot/gateway/templates/) rendered through aiohttp-jinja2:
served as they render, escaped, and their JSON data cannot end its script element."""

import json
import re

import pytest

from bot.core.settings import Settings
from bot.gateway import pages
from bot.gateway.insights_pages import INSIGHTS_PATHS, REVIEW_PATHS, SIGN_IN_FIRST
from bot.gateway.pages import AGENT_PATHS, PROGRAM_PATHS, agent_page, program_page, render
from bot.gateway.web import create_app
from tests.unit.test_gateway import FakeRasa


@pytest.fixture
async def client(aiohttp_client, database, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database.url)
    return await aiohttp_client(
        create_app(Settings(gateway_secret="x" * 43, database_url=database.url), FakeRasa(), database)
    )


@pytest.mark.parametrize("paths,render_page", [(PROGRAM_PATHS, program_page), (AGENT_PATHS, agent_page)])
async def test_a_page_is_served_as_it_renders_as_html_never_cached(client, paths, render_page):
    for lang, path in paths.items():
        response = await client.get(path)
        assert response.status == 200
        assert (response.content_type, response.charset) == ("text/html", "utf-8")
        assert response.headers["Cache-Control"] == "no-cache"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert await response.text() == render_page(lang)


@pytest.mark.parametrize("lang", ["en", "fr"])
async def test_console_pages_without_an_agent_session_ask_to_sign_in_with_401(client, lang):
    for paths in (INSIGHTS_PATHS, REVIEW_PATHS):
        response = await client.get(paths[lang])
        assert response.status == 401 and response.headers["Cache-Control"] == "no-cache"
        text = await response.text()
        heading, _, link = SIGN_IN_FIRST[lang]
        assert f'<html lang="{lang}">' in text and f'<a href="{AGENT_PATHS[lang]}">' in text
        assert f"<h1>{heading.replace(chr(39), '&#39;')}</h1>" in text


def test_texts_are_escaped_and_json_cannot_end_its_script(monkeypatch):
    context = {
        **pages.layout("en", "<b>Title</b> & co", "/fr", ("site.css",), "v1"),
        "heading": "x",
        "text": "y",
        "link": "z",
        "sign_in_path": "/agent",
    }
    html = render("sign_in_first.html", context)
    assert "<b>" not in html and "&lt;b&gt;Title&lt;/b&gt; &amp; co" in html
    monkeypatch.setattr(pages, "status_labels", lambda lang: {"approved": "</script><script>alert(1)</script>"})
    html = agent_page("fr")
    data = re.search(r'<script type="application/json" id="status-labels">(.*?)</script>', html).group(1)
    assert json.loads(data) == {"approved": "</script><script>alert(1)</script>"}
    assert "<script>alert" not in html
