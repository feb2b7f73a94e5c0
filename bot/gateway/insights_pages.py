"""The console's Insights and Review pages, in English and French.

Both are shells: the numbers and the questions come from the agent API
(bot/gateway/insights_api.py) once the page has the session's CSRF token. Without an agent
session the gateway does not serve them at all (401 and a link to sign in), so a trader
never sees even the empty page. Charts are drawn by static/insights.js as inline SVG, each
with its data as a table and a CSV download; nothing is loaded from outside.
"""
from __future__ import annotations

import json
import os
from typing import Dict

from aiohttp import web

from bot.core.topics import title
from bot.gateway.agent_api import AgentApi
from bot.gateway.pages import AGENT_PATHS, _escape, _html, _url, asset_version, page
from bot.store.review_queries import INTENT_OF_DECISION

INSIGHTS_PATHS = {"en": "/agent/insights", "fr": "/fr/agent/statistiques"}
REVIEW_PATHS = {"en": "/agent/review", "fr": "/fr/agent/revision"}
ASSETS = ["console-api.js", "insights.js", "review.js", "agent.css", "insights.css", "site.css"]

NAV = {
    "en": {"label": "Agent console", "console": "Look-ups and chat", "insights": "Insights",
           "review": "Review questions"},
    "fr": {"label": "Console des agents", "console": "Recherches et clavardage", "insights": "Statistiques",
           "review": "Réviser les questions"},
}

INSIGHTS = {
    "en": {
        "title": "PIP assistant: insights",
        "intro": "What traders asked the assistant, how it answered and what they thought of the answers. "
                 "Days are in Coordinated Universal Time (UTC). Conversations are kept for {retention} days, so "
                 "longer periods show only what is still kept.",
        "period": "Period",
        "days_7": "Last 7 days", "days_30": "Last 30 days", "days_90": "Last 90 days",
        "show": "Show",
        "summary": "Summary",
    },
    "fr": {
        "title": "Assistant PEP : statistiques",
        "intro": "Ce que les négociants ont demandé à l'assistant, comment il a répondu et ce qu'ils ont pensé "
                 "des réponses. Les jours sont en temps universel coordonné (UTC). Les conversations sont "
                 "conservées {retention} jours : une période plus longue ne montre que ce qui est encore conservé.",
        "period": "Période",
        "days_7": "7 derniers jours", "days_30": "30 derniers jours", "days_90": "90 derniers jours",
        "show": "Afficher",
        "summary": "Sommaire",
    },
}

REVIEW = {
    "en": {
        "title": "PIP assistant: review questions",
        "intro": "Questions the assistant declined (not understood, or outside the program) or answered "
                 "without being sure, newest first. Personal numbers and addresses are masked. Give each "
                 "one the topic it should have been answered with: reviewed questions become training "
                 "examples, and the assistant learns them at the next training.",
        "keys": "Keyboard: Tab to a question, then press A to assign the selected topic, O for out of "
                "scope or I to ignore it. Focus then moves to the next question.",
        "refresh": "Check for new questions",
    },
    "fr": {
        "title": "Assistant PEP : réviser les questions",
        "intro": "Les questions que l'assistant a refusées (non comprises ou hors du programme) ou auxquelles "
                 "il a répondu sans en être sûr, les plus récentes d'abord. Les numéros et adresses "
                 "personnels sont masqués. Attribuez à chacune le sujet de la réponse qu'elle aurait dû "
                 "recevoir : les questions révisées deviennent des exemples d'entraînement, que l'assistant "
                 "apprend au prochain entraînement.",
        "keys": "Clavier : placez-vous sur une question avec Tab, puis appuyez sur A pour attribuer le sujet "
                "choisi, sur H pour hors du champ ou sur I pour l'ignorer. Le focus passe ensuite à la "
                "question suivante.",
        "refresh": "Vérifier s'il y a de nouvelles questions",
    },
}

SIGN_IN_FIRST = {
    "en": ("Sign in to the agent console", "This page is for CBSA contact-centre agents.",
           "Sign in to the agent console"),
    "fr": ("Ouvrez une session dans la console des agents", "Cette page est réservée aux agents du centre "
           "de contact de l'ASFC.", "Ouvrir une session dans la console des agents"),
}


def _other(lang: str) -> str:
    return "fr" if lang == "en" else "en"


def nav(lang: str, current: str) -> str:
    """The console's navigation, shared by the console and these pages."""
    t = NAV[lang]
    links = [("console", AGENT_PATHS[lang]), ("insights", INSIGHTS_PATHS[lang]), ("review", REVIEW_PATHS[lang])]
    current_mark = ' aria-current="page"'
    items = "".join(
        f'<li><a href="{path}"{current_mark if key == current else ""}>{_escape(t[key])}</a></li>'
        for key, path in links)
    return f'<nav class="agent-nav" aria-label="{_escape(t["label"])}"><ul>{items}</ul></nav>'


def _json_script(element_id: str, data) -> str:
    payload = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return f'<script type="application/json" id="{element_id}">{payload}</script>'


def topic_titles(lang: str) -> Dict[str, str]:
    from bot.core.topics import all_topics

    return {topic: title(topic, lang) for topic in all_topics()}


def insights_page(lang: str) -> str:
    # The same setting as `purge-conversations` (RETENTION_DAYS), which deletes older ones.
    retention = int(os.environ.get("RETENTION_DAYS", "30") or 30)
    t = {k: _escape(v.replace("{retention}", str(retention))) for k, v in INSIGHTS[lang].items()}
    version = asset_version(ASSETS)
    scripts = "\n".join(f'  <script src="{_url(name, version)}" defer></script>'
                        for name in ("console-api.js", "insights.js"))
    options = "".join(f'<option value="{d}"{" selected" if d == 7 else ""}>{t[f"days_{d}"]}</option>'
                      for d in (7, 30, 90))
    main = f"""
    <h1>{t["title"]}</h1>
    {nav(lang, "insights")}
    {_json_script("topic-titles", topic_titles(lang))}
    <p>{t["intro"]}</p>
    <form id="period-form" class="agent-form insights-period" novalidate>
      <div class="agent-field">
        <label for="period">{t["period"]}</label>
        <select id="period" name="days">{options}</select>
      </div>
      <button type="submit" class="agent-button agent-button--primary">{t["show"]}</button>
    </form>
    <p id="insights-status" class="agent-status" role="status"></p>
    <div id="insights" class="insights" hidden>
      <section class="agent-card" aria-labelledby="summary-heading">
        <h2 id="summary-heading">{t["summary"]}</h2>
        <dl id="summary" class="insights-summary"></dl>
      </section>
      <div id="charts"></div>
    </div>
"""
    return page(lang, INSIGHTS[lang]["title"], INSIGHTS_PATHS[_other(lang)], main, scripts,
                ("site.css", "agent.css", "insights.css"), version)


def review_page(lang: str) -> str:
    t = {k: _escape(v) for k, v in REVIEW[lang].items()}
    version = asset_version(ASSETS)
    scripts = "\n".join(f'  <script src="{_url(name, version)}" defer></script>'
                        for name in ("console-api.js", "review.js"))
    choices = [topic for topic in INTENT_OF_DECISION if topic != "out_of_scope"]
    main = f"""
    <h1>{t["title"]}</h1>
    {nav(lang, "review")}
    {_json_script("topic-titles", topic_titles(lang))}
    {_json_script("review-topics", choices)}
    <p>{t["intro"]}</p>
    <p id="review-keys">{t["keys"]}</p>
    <p><button type="button" id="review-refresh" class="agent-button">{t["refresh"]}</button></p>
    <p id="review-status" class="agent-status" role="status" tabindex="-1"></p>
    <ol id="review-items" class="review-items"></ol>
"""
    return page(lang, REVIEW[lang]["title"], REVIEW_PATHS[_other(lang)], main, scripts,
                ("site.css", "agent.css", "insights.css"), version)


def sign_in_first(lang: str, path: str) -> web.Response:
    heading, text, link = (_escape(part) for part in SIGN_IN_FIRST[lang])
    main = f"""
    <h1>{heading}</h1>
    <p>{text}</p>
    <p><a href="{AGENT_PATHS[lang]}">{link}</a></p>
"""
    body = page(lang, SIGN_IN_FIRST[lang][0], path, main, "", ("site.css",), asset_version(ASSETS))
    response = _html(body)
    response.set_status(401)
    return response


def add_pages(app: web.Application, agents: AgentApi) -> None:
    def handler(render, lang: str, paths: Dict[str, str]):
        async def serve(request: web.Request) -> web.Response:
            if agents.sessions.get(request) is None:
                return sign_in_first(lang, paths[_other(lang)])
            return _html(render(lang))
        return serve

    for lang in ("en", "fr"):
        app.router.add_get(INSIGHTS_PATHS[lang], handler(insights_page, lang, INSIGHTS_PATHS))
        app.router.add_get(REVIEW_PATHS[lang], handler(review_page, lang, REVIEW_PATHS))
