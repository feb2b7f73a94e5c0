"""The web pages the gateway serves: the program page (English and French) with the chat widget, the
agent console, and the static files under /static/.

The pages use the GC Design System web components and fonts (installed from the npm registry and copied
into bot/gateway/static/vendor/ by scripts/build-web) for the Canada.ca header, footer and signature; the widget
itself (static/widget.js) depends on nothing and can be embedded in any Government of Canada page.

The HTML is in Jinja2 templates (bot/gateway/templates/, autoescaped), rendered through aiohttp-jinja2;
the texts of both languages stay here as data (the program page's longer text is in the templates
program_en.html and program_fr.html).

Everything is served from this origin: the gateway's Content-Security-Policy allows no inline script or
style and nothing external, so the pages have neither.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
import yaml
from aiohttp import web

from bot.core.paths import ROOT

logger = logging.getLogger("bot.gateway.pages")

STATIC_DIR = Path(__file__).resolve().parent / "static"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
VENDOR_DIR = STATIC_DIR / "vendor"
CONTENT_DATE = "2026-11-27"  # "Date modified" of the program page text

PROGRAM_PATHS = {"en": "/", "fr": "/fr"}
AGENT_PATHS = {"en": "/agent", "fr": "/fr/agent"}


def asset_version(names: Iterable[str]) -> str:
    """Changes when any of these static files changes, so browsers never keep a stale copy."""
    digest = hashlib.sha256()
    for name in names:
        path = STATIC_DIR / name
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


OWN_ASSETS = ["widget.js", "widget.css", "site.css", "console-api.js", "agent.js", "agent.css"]


# ---------------------------------------------------------------- templates

# bot/gateway/templates/, HTML-escaped by default. One set of options for the application's
# environment (aiohttp-jinja2) and for rendering without a request (render()).
TEMPLATE_OPTIONS: dict[str, Any] = dict(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _configure(environment: jinja2.Environment) -> jinja2.Environment:
    # |tojson keeps French text readable and the keys in their order (Jinja sorts them by default).
    environment.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    return environment


_ENVIRONMENT = _configure(jinja2.Environment(**TEMPLATE_OPTIONS))


def setup_templates(app: web.Application) -> None:
    """The application's template environment (once, whichever part of the gateway asks first)."""
    if aiohttp_jinja2.APP_KEY not in app:
        _configure(aiohttp_jinja2.setup(app, default_helpers=False, **TEMPLATE_OPTIONS))


def render(template: str, context: Mapping[str, Any]) -> str:
    """A page as text, without a request (tests, scripts)."""
    return _ENVIRONMENT.get_template(template).render(context)


def html_response(request: web.Request, template: str, context: Mapping[str, Any], status: int = 200) -> web.Response:
    response = aiohttp_jinja2.render_template(template, request, context, status=status)
    response.headers["Cache-Control"] = "no-cache"
    return response


# ---------------------------------------------------------------- shared layout

LAYOUT: dict[str, dict[str, Any]] = {
    "en": {
        "org": "Canada Border Services Agency",
        "breadcrumbs": [
            ("Canada Border Services Agency", "https://www.cbsa-asfc.gc.ca/menu-eng.html"),
            ("Security", "https://www.cbsa-asfc.gc.ca/security-securite/menu-eng.html"),
        ],
        "footer_links": {
            "Contact the CBSA": "https://www.cbsa-asfc.gc.ca/contact/menu-eng.html",
            "About the CBSA": "https://www.cbsa-asfc.gc.ca/agency-agence/menu-eng.html",
        },
        "modified": "Date modified:",
    },
    "fr": {
        "org": "Agence des services frontaliers du Canada",
        "breadcrumbs": [
            ("Agence des services frontaliers du Canada", "https://www.cbsa-asfc.gc.ca/menu-fra.html"),
            ("Sécurité", "https://www.cbsa-asfc.gc.ca/security-securite/menu-fra.html"),
        ],
        "footer_links": {
            "Contactez l'ASFC": "https://www.cbsa-asfc.gc.ca/contact/menu-fra.html",
            "À propos de l'ASFC": "https://www.cbsa-asfc.gc.ca/agency-agence/menu-fra.html",
        },
        "modified": "Date de modification :",
    },
}


def layout(
    lang: str, title: str, other_path: str, stylesheets: tuple[str, ...], version: str, description: str = ""
) -> dict[str, Any]:
    """What base.html needs: the page's language, title, the other language's address, and the
    versions that keep browsers from using stale static files."""
    texts = LAYOUT[lang]
    return {
        "lang": lang,
        "other_lang": "fr" if lang == "en" else "en",
        "other_path": other_path,
        "title": title,
        "description": description,
        "layout": texts,
        "footer_links": json.dumps(texts["footer_links"], ensure_ascii=False),
        "stylesheets": stylesheets,
        "version": version,
        "vendor_version": asset_version(["vendor/gcds/gcds.css", "vendor/gcds/gcds.esm.js"]),
        "content_date": CONTENT_DATE,
    }


# ---------------------------------------------------------------- program page

PROGRAM = {
    "en": {
        "title": "Partners in Protection (PIP)",
        "description": "Partners in Protection is the CBSA's free, voluntary trusted trader program for "
        "businesses that move goods across the border.",
    },
    "fr": {
        "title": "Partenaires en protection (PEP)",
        "description": "Partenaires en protection est le programme gratuit et volontaire de négociants "
        "dignes de confiance de l'ASFC pour les entreprises du commerce transfrontalier.",
    },
}


def program_context(lang: str) -> dict[str, Any]:
    """program.html: the page's text is in the templates program_en.html and program_fr.html."""
    content = PROGRAM[lang]
    other = PROGRAM_PATHS["fr" if lang == "en" else "en"]
    return layout(lang, content["title"], other, ("site.css",), asset_version(OWN_ASSETS), content["description"])


def program_page(lang: str) -> str:
    return render("program.html", program_context(lang))


# ---------------------------------------------------------------- agent console

AGENT = {
    "en": {
        "title": "PIP assistant: agent console",
        "signin": "Sign in",
        "signin_intro": "For CBSA contact-centre agents. Sign in with your agent account.",
        "username": "Username",
        "password": "Password",
        "signed_in_as": "Signed in as",
        "signout": "Sign out",
        "chat": "Ask the assistant (agent mode)",
        "chat_intro": "The same answers traders get, with their sources. Use Copy to paste an answer and its "
        "source into an e-mail.",
        "lookup": "Look up an application",
        "lookup_label": "Application reference or business number",
        "lookup_hint": "For example PIP-2026-00101 or 100000002 (9 digits).",
        "lookup_button": "Look up",
        "transcript": "A trader's conversation",
        "transcript_label": "Chat ID",
        "transcript_hint": "The trader reads it from the assistant, for example K7Q-4MZ2.",
        "transcript_button": "Show the conversation",
    },
    "fr": {
        "title": "Assistant PEP : console des agents",
        "signin": "Ouvrir une session",
        "signin_intro": "Pour les agents du centre de contact de l'ASFC. Ouvrez une session avec votre compte d'agent.",
        "username": "Nom d'utilisateur",
        "password": "Mot de passe",
        "signed_in_as": "Session ouverte :",
        "signout": "Fermer la session",
        "chat": "Poser une question à l'assistant (mode agent)",
        "chat_intro": "Les mêmes réponses que reçoivent les négociants, avec leurs sources. Utilisez Copier pour "
        "coller une réponse et sa source dans un courriel.",
        "lookup": "Consulter une demande",
        "lookup_label": "Numéro de référence de la demande ou numéro d'entreprise",
        "lookup_hint": "Par exemple PIP-2026-00101 ou 100000002 (9 chiffres).",
        "lookup_button": "Consulter",
        "transcript": "La conversation d'un négociant",
        "transcript_label": "Numéro de clavardage",
        "transcript_hint": "Le négociant le lit dans l'assistant, par exemple K7Q-4MZ2.",
        "transcript_button": "Afficher la conversation",
    },
}


def status_labels(lang: str) -> dict[str, str]:
    """Status labels as the assistant says them (domain/status.yml, one source for each text)."""
    from bot.core import status_text
    from bot.store.models import STATUSES

    responses = yaml.safe_load((ROOT / "domain" / "status.yml").read_text(encoding="utf-8"))["responses"]
    return {status: status_text.label(responses, status, lang) for status in STATUSES}


def agent_context(lang: str) -> dict[str, Any]:
    from bot.gateway.insights_pages import nav_links  # the pages of the console share one navigation

    t = AGENT[lang]
    other = AGENT_PATHS["fr" if lang == "en" else "en"]
    return {
        **layout(lang, t["title"], other, ("site.css", "widget.css", "agent.css"), asset_version(OWN_ASSETS)),
        "t": t,
        "status_labels": status_labels(lang),
        "nav": nav_links(lang, "console"),
    }


def agent_page(lang: str) -> str:
    return render("agent.html", agent_context(lang))


# ---------------------------------------------------------------- routes


def setup_pages(app: web.Application) -> None:
    """Adds the pages and /static/ to the gateway's application."""
    if not (VENDOR_DIR / "gcds" / "gcds.esm.js").exists():
        logger.warning(
            "GC Design System assets are missing from %s: run scripts/build-web "
            "(make run does). The pages will show without the Canada.ca header and footer.",
            VENDOR_DIR,
        )

    setup_templates(app)

    def handler(template: str, context: Callable[[str], dict[str, Any]], lang: str):
        async def serve(request: web.Request) -> web.Response:
            return html_response(request, template, context(lang))

        return serve

    for lang, path in PROGRAM_PATHS.items():
        app.router.add_get(path, handler("program.html", program_context, lang))
    for lang, path in AGENT_PATHS.items():
        app.router.add_get(path, handler("agent.html", agent_context, lang))
    app.router.add_get("/favicon.ico", _favicon)
    app.router.add_static("/static/", STATIC_DIR, show_index=False, follow_symlinks=False)


async def _favicon(request: web.Request) -> web.Response:
    raise web.HTTPMovedPermanently("/static/favicon.svg")
