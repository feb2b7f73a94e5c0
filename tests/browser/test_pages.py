"""The pages as the gateway serves them (no browser needed): routes, languages, and markup that the
gateway's strict Content-Security-Policy allows (no inline script or style, nothing from outside)."""
from __future__ import annotations

import re

import pytest
from aiohttp import web

from bot.pages import STATIC_DIR, setup_pages


@pytest.fixture
async def client(aiohttp_client):
    app = web.Application()
    setup_pages(app)
    return await aiohttp_client(app)


PAGES = [("/", "en", "/fr"), ("/fr", "fr", "/"), ("/agent", "en", "/fr/agent"), ("/fr/agent", "fr", "/agent")]


@pytest.mark.parametrize("path,lang,other", PAGES)
async def test_pages_are_served_in_their_language_with_a_toggle(client, path, lang, other):
    response = await client.get(path)
    assert response.status == 200 and response.content_type == "text/html"
    html = await response.text()
    assert f'<html lang="{lang}">' in html
    assert f'lang-href="{other}"' in html
    assert len(re.findall(r"<h1[ >]", html)) == 1


@pytest.mark.parametrize("path,lang,other", PAGES)
async def test_markup_fits_the_content_security_policy(client, path, lang, other):
    html = await (await client.get(path)).text()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=\"/static/" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html)
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        if url.startswith("http"):
            assert not re.search(r"\.(js|css|woff2?|png|svg)(\?|$)", url), url  # links only, no assets


async def test_program_page_has_the_widget_and_the_static_files_are_served(client):
    html = await (await client.get("/")).text()
    assert re.search(r'<script src="/static/widget\.js\?v=[0-9a-f]+" defer></script>', html)
    for name in ["widget.js", "widget.css", "agent.js", "agent.css", "site.css", "fonts.css", "favicon.svg"]:
        response = await client.get(f"/static/{name}")
        assert response.status == 200, name
    assert (await client.get("/static/../pages.py")).status in (403, 404)


def test_static_files_load_nothing_from_outside():
    for path in STATIC_DIR.glob("*.*"):
        if path.suffix in (".js", ".css"):
            text = path.read_text(encoding="utf-8")
            assert not re.search(r"url\(\s*['\"]?https?:|@import|innerHTML|\beval\(", text), path.name
