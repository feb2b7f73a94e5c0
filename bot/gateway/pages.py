"""The web pages the gateway serves: the program page (English and French) with the chat widget, the
agent console, and the static files under /static/.

The pages use the GC Design System web components and fonts (installed from the npm registry and copied
into bot/gateway/static/vendor/ by scripts/build-web) for the Canada.ca header, footer and signature; the widget
itself (static/widget.js) depends on nothing and can be embedded in any Government of Canada page.

Everything is served from this origin: the gateway's Content-Security-Policy allows no inline script or
style and nothing external, so the pages have neither.
"""
from __future__ import annotations

import hashlib
import html
import json
import logging
from pathlib import Path
from typing import Any, Dict, Iterable, Tuple

import yaml
from aiohttp import web

from bot.core.paths import ROOT

logger = logging.getLogger("bot.gateway.pages")

STATIC_DIR = Path(__file__).resolve().parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
CONTENT_DATE = "2026-11-27"  # "Date modified" of the program page text

PROGRAM_PATHS = {"en": "/", "fr": "/fr"}
AGENT_PATHS = {"en": "/agent", "fr": "/fr/agent"}


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def asset_version(names: Iterable[str]) -> str:
    """Changes when any of these static files changes, so browsers never keep a stale copy."""
    digest = hashlib.sha256()
    for name in names:
        path = STATIC_DIR / name
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


OWN_ASSETS = ["widget.js", "widget.css", "site.css", "agent.js", "agent.css"]


def _url(name: str, version: str) -> str:
    return f"/static/{name}?v={version}"


# ---------------------------------------------------------------- shared layout

LAYOUT: Dict[str, Dict[str, Any]] = {
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


def page(lang: str, title: str, other_path: str, main: str, scripts: str, stylesheets: Tuple[str, ...],
         version: str, description: str = "") -> str:
    layout = LAYOUT[lang]
    other = "fr" if lang == "en" else "en"
    crumbs = "\n".join(
        f'      <gcds-breadcrumbs-item href="{_escape(href)}">{_escape(label)}</gcds-breadcrumbs-item>'
        for label, href in layout["breadcrumbs"]
    )
    links = "\n".join(f'  <link rel="stylesheet" href="{_url(name, version)}">' for name in stylesheets)
    vendor_version = asset_version(["vendor/gcds/gcds.css", "vendor/gcds/gcds.esm.js"])
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{_escape(title)} - {_escape(layout["org"])}</title>
  <meta name="description" content="{_escape(description or title)}">
  <link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
  <link rel="alternate" hreflang="{other}" href="{_escape(other_path)}">
  <link rel="stylesheet" href="/static/fonts.css?v={version}">
  <link rel="stylesheet" href="/static/vendor/gcds/gcds.css?v={vendor_version}">
{links}
  <script type="module" src="/static/vendor/gcds/gcds.esm.js?v={vendor_version}"></script>
{scripts}
</head>
<body>
  <gcds-header lang-href="{_escape(other_path)}" skip-to-href="#main-content">
    <gcds-breadcrumbs slot="breadcrumb">
{crumbs}
    </gcds-breadcrumbs>
  </gcds-header>
  <main id="main-content" class="page-main" tabindex="-1">
{main}
    <gcds-date-modified>{CONTENT_DATE}</gcds-date-modified>
  </main>
  <gcds-footer display="full" contextual-heading="{_escape(layout["org"])}"
    contextual-links="{_escape(json.dumps(layout["footer_links"], ensure_ascii=False))}"></gcds-footer>
</body>
</html>
"""


# ---------------------------------------------------------------- program page

PROGRAM = {
    "en": {
        "title": "Partners in Protection (PIP)",
        "description": "Partners in Protection is the CBSA's free, voluntary trusted trader program for "
                       "businesses that move goods across the border.",
        "body": """
    <h1>Partners in Protection (PIP)</h1>
    <p class="page-lead">Partners in Protection is a free, voluntary program of the Canada Border Services
      Agency (CBSA). Businesses that move goods across the border work with the CBSA to make the trade chain
      more secure. In return, the CBSA recognizes them as trusted, low-risk traders.</p>

    <h2>Who can apply</h2>
    <p>Canadian businesses in cross-border trade can apply, and so can some carriers and importers in the
      United States. This includes:</p>
    <ul>
      <li>importers and exporters</li>
      <li>highway, rail, marine and air carriers</li>
      <li>customs brokers, freight forwarders and shipping agents</li>
      <li>warehouse and marine terminal operators</li>
    </ul>

    <h2>Benefits of membership</h2>
    <ul>
      <li>Recognition as a trusted, low-risk business by the CBSA and by countries with a mutual
        recognition arrangement, such as the United States (C-TPAT)</li>
      <li>Access to FAST lanes into Canada for eligible highway carriers and importers</li>
      <li>A lower risk score, which can mean fewer examinations at the border</li>
      <li>Security advice and awareness sessions from the CBSA</li>
    </ul>

    <h2>How to apply</h2>
    <ol>
      <li>Check that your business meets the eligibility and security requirements.</li>
      <li>Submit your application and security profile through the Trusted Trader Portal.</li>
      <li>The CBSA reviews your application; its officers may visit your site to validate your security
        measures.</li>
      <li>The CBSA tells you its decision. Members accept the program's terms and conditions and keep their
        profile up to date.</li>
    </ol>
    <p>Read the <a href="https://www.cbsa-asfc.gc.ca/services/security-securite/business-affaires/ttp-pndc/pip-pep/apply-demander-eng.html">full
      application instructions</a>.</p>

    <h2>Ask the PIP assistant</h2>
    <p>The PIP assistant is an automated assistant, not a person. It answers questions about the program and
      gives you the official source of each answer. It can also tell you the status of your application if
      you give it your application reference and business number.</p>
    <p><button type="button" class="page-button" data-tta-open>Ask the PIP assistant (automated)</button></p>
    <p>When you chat, the assistant shows a chat ID. Quote it if you contact the CBSA about your question:
      the agent can then see your conversation.</p>

    <h2>Contact the program</h2>
    <p>E-mail: <a href="mailto:pip-pep@cbsa-asfc.gc.ca">pip-pep@cbsa-asfc.gc.ca</a></p>
""",
    },
    "fr": {
        "title": "Partenaires en protection (PEP)",
        "description": "Partenaires en protection est le programme gratuit et volontaire de négociants "
                       "dignes de confiance de l'ASFC pour les entreprises du commerce transfrontalier.",
        "body": """
    <h1>Partenaires en protection (PEP)</h1>
    <p class="page-lead">Partenaires en protection est un programme gratuit et volontaire de l'Agence des
      services frontaliers du Canada (ASFC). Les entreprises qui font passer des marchandises à la frontière
      collaborent avec l'ASFC pour rendre la chaîne commerciale plus sûre. En retour, l'ASFC les reconnaît
      comme des négociants dignes de confiance et à faible risque.</p>

    <h2>Qui peut présenter une demande</h2>
    <p>Les entreprises canadiennes du commerce transfrontalier peuvent présenter une demande, de même que
      certains transporteurs et importateurs des États-Unis, notamment :</p>
    <ul>
      <li>les importateurs et les exportateurs</li>
      <li>les transporteurs routiers, ferroviaires, maritimes et aériens</li>
      <li>les courtiers en douane, les transitaires et les agents maritimes</li>
      <li>les exploitants d'entrepôt et de terminal maritime</li>
    </ul>

    <h2>Avantages de l'adhésion</h2>
    <ul>
      <li>La reconnaissance comme entreprise digne de confiance et à faible risque par l'ASFC et par les pays
        avec lesquels existe un arrangement de reconnaissance mutuelle, comme les États-Unis (C-TPAT)</li>
      <li>L'accès aux voies EXPRES vers le Canada pour les transporteurs routiers et les importateurs
        admissibles</li>
      <li>Une cote de risque plus faible, qui peut signifier moins d'examens à la frontière</li>
      <li>Des conseils de sécurité et des séances de sensibilisation de l'ASFC</li>
    </ul>

    <h2>Comment présenter une demande</h2>
    <ol>
      <li>Vérifiez que votre entreprise respecte les critères d'admissibilité et les exigences de
        sécurité.</li>
      <li>Présentez votre demande et votre profil de sécurité dans le Portail des négociants dignes de
        confiance.</li>
      <li>L'ASFC examine votre demande; ses agents peuvent visiter vos installations pour valider vos mesures
        de sécurité (validation des lieux).</li>
      <li>L'ASFC vous communique sa décision. Les membres acceptent les modalités du programme et tiennent leur
        profil à jour.</li>
    </ol>
    <p>Lisez les <a href="https://www.cbsa-asfc.gc.ca/services/security-securite/business-affaires/ttp-pndc/pip-pep/apply-demander-fra.html">instructions
      complètes pour présenter une demande</a>.</p>

    <h2>Poser une question à l'assistant PEP</h2>
    <p>L'assistant PEP est un assistant automatisé, pas une personne. Il répond aux questions sur le
      programme et donne la source officielle de chaque réponse. Il peut aussi vous donner l'état de votre
      demande si vous lui fournissez le numéro de référence de la demande et votre numéro d'entreprise.</p>
    <p><button type="button" class="page-button" data-tta-open>Poser une question à l'assistant PEP
      (automatisé)</button></p>
    <p>Pendant la conversation, l'assistant affiche un numéro de clavardage. Mentionnez-le si vous
      communiquez avec l'ASFC au sujet de votre question : l'agent pourra alors consulter votre
      conversation.</p>

    <h2>Joindre le programme</h2>
    <p>Courriel : <a href="mailto:pip-pep@cbsa-asfc.gc.ca">pip-pep@cbsa-asfc.gc.ca</a></p>
""",
    },
}


def program_page(lang: str) -> str:
    content = PROGRAM[lang]
    version = asset_version(OWN_ASSETS)
    other = PROGRAM_PATHS["fr" if lang == "en" else "en"]
    scripts = f'  <script src="{_url("widget.js", version)}" defer></script>'
    return page(lang, content["title"], other, content["body"], scripts, ("site.css",), version,
                content["description"])


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
        "signin_intro": "Pour les agents du centre de contact de l'ASFC. Ouvrez une session avec votre compte "
                        "d'agent.",
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


def status_labels(lang: str) -> Dict[str, str]:
    """Status labels as the assistant says them (domain/status.yml, one source for each text)."""
    from bot.core import status_text
    from bot.store.models import STATUSES

    responses = yaml.safe_load((ROOT / "domain" / "status.yml").read_text(encoding="utf-8"))["responses"]
    return {status: status_text.label(responses, status, lang) for status in STATUSES}


def console_nav(lang: str) -> str:
    from bot.gateway.insights_pages import nav  # the pages of the console share one navigation

    return nav(lang, "console")


def agent_page(lang: str) -> str:
    t = AGENT[lang]
    version = asset_version(OWN_ASSETS)
    other = AGENT_PATHS["fr" if lang == "en" else "en"]
    labels = json.dumps(status_labels(lang), ensure_ascii=False).replace("<", "\\u003c")
    scripts = "\n".join([
        f'  <script src="{_url("widget.js", version)}" defer data-mode="agent" data-container="agent-chat" '
        'data-idle-warning="0" data-idle-timeout="0"></script>',
        f'  <script src="{_url("agent.js", version)}" defer></script>',
    ])
    e = {key: _escape(value) for key, value in t.items()}
    main = f"""
    <h1>{e["title"]}</h1>
    <script type="application/json" id="status-labels">{labels}</script>
    <section id="signin" class="agent-signin" aria-labelledby="signin-heading">
      <h2 id="signin-heading">{e["signin"]}</h2>
      <p>{e["signin_intro"]}</p>
      <form id="signin-form" class="agent-form" novalidate>
        <div class="agent-field">
          <label for="agent-username">{e["username"]}</label>
          <input id="agent-username" name="username" type="text" autocomplete="username" required
            autocapitalize="none" spellcheck="false">
        </div>
        <div class="agent-field">
          <label for="agent-password">{e["password"]}</label>
          <input id="agent-password" name="password" type="password" autocomplete="current-password" required>
        </div>
        <p id="signin-error" class="agent-error" role="alert"></p>
        <button type="submit" class="agent-button agent-button--primary">{e["signin"]}</button>
      </form>
    </section>

    <div id="console" class="agent-console" hidden>
      {console_nav(lang)}
      <p class="agent-whoami">{e["signed_in_as"]} <strong id="agent-name"></strong>
        <button type="button" id="signout" class="agent-button">{e["signout"]}</button></p>
      <p id="console-status" class="agent-error" role="alert"></p>
      <div class="agent-grid">
        <section class="agent-card agent-card--chat" aria-labelledby="chat-heading">
          <h2 id="chat-heading">{e["chat"]}</h2>
          <p>{e["chat_intro"]}</p>
          <div id="agent-chat"></div>
        </section>
        <div class="agent-stack">
          <section class="agent-card" aria-labelledby="lookup-heading">
            <h2 id="lookup-heading">{e["lookup"]}</h2>
            <form id="lookup-form" class="agent-form" novalidate>
              <div class="agent-field">
                <label for="lookup-query">{e["lookup_label"]}</label>
                <p id="lookup-hint" class="agent-hint">{e["lookup_hint"]}</p>
                <input id="lookup-query" name="query" type="text" autocomplete="off" spellcheck="false"
                  aria-describedby="lookup-hint lookup-error">
                <p id="lookup-error" class="agent-error"></p>
              </div>
              <button type="submit" class="agent-button agent-button--primary">{e["lookup_button"]}</button>
            </form>
            <p id="lookup-status" class="agent-status" role="status"></p>
            <div id="lookup-results" class="agent-results"></div>
          </section>
          <section class="agent-card" aria-labelledby="transcript-heading">
            <h2 id="transcript-heading">{e["transcript"]}</h2>
            <form id="transcript-form" class="agent-form" novalidate>
              <div class="agent-field">
                <label for="transcript-chat-id">{e["transcript_label"]}</label>
                <p id="transcript-hint" class="agent-hint">{e["transcript_hint"]}</p>
                <input id="transcript-chat-id" name="chat_id" type="text" autocomplete="off" spellcheck="false"
                  autocapitalize="characters" aria-describedby="transcript-hint transcript-error">
                <p id="transcript-error" class="agent-error"></p>
              </div>
              <button type="submit" class="agent-button agent-button--primary">{e["transcript_button"]}</button>
            </form>
            <p id="transcript-status" class="agent-status" role="status"></p>
            <div id="transcript-results" class="agent-results"></div>
          </section>
        </div>
      </div>
    </div>
"""
    return page(lang, t["title"], other, main, scripts, ("site.css", "widget.css", "agent.css"), version)


# ---------------------------------------------------------------- routes

def _html(body: str) -> web.Response:
    response = web.Response(text=body, content_type="text/html", charset="utf-8")
    response.headers["Cache-Control"] = "no-cache"
    return response


def setup_pages(app: web.Application) -> None:
    """Adds the pages and /static/ to the gateway's application."""
    if not (VENDOR_DIR / "gcds" / "gcds.esm.js").exists():
        logger.warning("GC Design System assets are missing from %s: run scripts/build-web "
                       "(make run does). The pages will show without the Canada.ca header and footer.",
                       VENDOR_DIR)

    def handler(render, lang: str):
        async def serve(request: web.Request) -> web.Response:
            return _html(render(lang))
        return serve

    for lang, path in PROGRAM_PATHS.items():
        app.router.add_get(path, handler(program_page, lang))
    for lang, path in AGENT_PATHS.items():
        app.router.add_get(path, handler(agent_page, lang))
    app.router.add_get("/favicon.ico", _favicon)
    app.router.add_static("/static/", STATIC_DIR, show_index=False, follow_symlinks=False)


async def _favicon(request: web.Request) -> web.Response:
    raise web.HTTPMovedPermanently("/static/favicon.svg")
