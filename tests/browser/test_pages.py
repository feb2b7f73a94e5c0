"""The pages as the gateway renders them (no browser needed): routes, languages, and markup that the
gateway's strict Content-Security-Policy allows (no inline script or style, nothing from outside).

Synchronous on purpose: these tests share a session with Playwright's sync API, whose event loop
would clash with asyncio test fixtures."""

from __future__ import annotations

import re
import urllib.request

import pytest
from aiohttp import web

from bot.gateway.pages import AGENT_PATHS, PROGRAM_PATHS, STATIC_DIR, agent_page, program_page, setup_pages

PAGES = [
    (program_page, "en", "/fr"),
    (program_page, "fr", "/"),
    (agent_page, "en", "/fr/agent"),
    (agent_page, "fr", "/agent"),
]


def test_routes():
    app = web.Application()
    setup_pages(app)
    routes = {(r.method, r.resource.canonical) for r in app.router.routes()}
    for path in [*PROGRAM_PATHS.values(), *AGENT_PATHS.values()]:
        assert ("GET", path) in routes
    assert any(canonical.startswith("/static") for _, canonical in routes)


@pytest.mark.parametrize("render,lang,other", PAGES)
def test_pages_are_in_their_language_with_a_toggle(render, lang, other):
    html = render(lang)
    assert f'<html lang="{lang}">' in html
    assert f'lang-href="{other}"' in html
    assert len(re.findall(r"<h1[ >]", html)) == 1


@pytest.mark.parametrize("render,lang,other", PAGES)
def test_markup_fits_the_content_security_policy(render, lang, other):
    html = render(lang)
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html)
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        if url.startswith("http"):
            assert not re.search(r"\.(js|css|woff2?|png|svg)(\?|$)", url), url  # links only, no assets


def test_program_page_embeds_the_widget():
    assert re.search(r'<script src="/static/widget\.js\?v=[0-9a-f]+" defer></script>', program_page("en"))


def test_static_files_load_nothing_from_outside():
    for path in STATIC_DIR.glob("*.*"):
        if path.suffix in (".js", ".css"):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"url\(\s*['\"]?https?:|@import|innerHTML|\beval\(", text), path.name


@pytest.mark.browser
@pytest.mark.integration
def test_the_gateway_serves_pages_and_static_files_with_its_policy(site):
    with urllib.request.urlopen(site.url("/fr")) as response:
        assert response.status == 200
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    for name in [
        "widget.js",
        "widget.css",
        "agent.js",
        "agent.css",
        "site.css",
        "fonts.css",
        "favicon.svg",
        "vendor/gcds/gcds.esm.js",
        "vendor/gcds/gcds.css",
    ]:
        with urllib.request.urlopen(site.url(f"/static/{name}")) as response:
            assert response.status == 200, name
