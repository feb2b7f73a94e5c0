"""The console's Insights and Review pages, in English and French.

Both are shells: the numbers and the questions come from the agent API
(bot/gateway/insights_api.py) once the page has the session's CSRF token. Without an agent
session the gateway does not serve them at all (401 and a link to sign in), so a trader
never sees even the empty page. Charts are drawn by static/insights.js as inline SVG, each
with its data as a table and a CSV download; nothing is loaded from outside.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.core.topics import title
from bot.gateway.agent_api import AgentApi
from bot.gateway.pages import AGENT_PATHS, asset_version, html_response, layout, render, setup_templates
from bot.store.review_queries import INTENT_OF_DECISION

INSIGHTS_PATHS = {"en": "/agent/insights", "fr": "/fr/agent/statistiques"}
REVIEW_PATHS = {"en": "/agent/review", "fr": "/fr/agent/revision"}
ASSETS = ["console-api.js", "insights.js", "review.js", "agent.css", "insights.css", "site.css"]

NAV = {
    "en": {
        "label": "Agent console",
        "console": "Look-ups and chat",
        "insights": "Insights",
        "review": "Review questions",
    },
    "fr": {
        "label": "Console des agents",
        "console": "Recherches et clavardage",
        "insights": "Statistiques",
        "review": "Réviser les questions",
    },
}

INSIGHTS = {
    "en": {
        "title": "PIP assistant: insights",
        "intro": "What traders asked the assistant, how it answered and what they thought of the answers. "
        "Days are in Coordinated Universal Time (UTC). Conversations are kept for {retention} days, so "
        "longer periods show only what is still kept.",
        "period": "Period",
        "days_7": "Last 7 days",
        "days_30": "Last 30 days",
        "days_90": "Last 90 days",
        "show": "Show",
        "summary": "Summary",
    },
    "fr": {
        "title": "Assistant PEP : statistiques",
        "intro": "Ce que les négociants ont demandé à l'assistant, comment il a répondu et ce qu'ils ont pensé "
        "des réponses. Les jours sont en temps universel coordonné (UTC). Les conversations sont "
        "conservées {retention} jours : une période plus longue ne montre que ce qui est encore conservé.",
        "period": "Période",
        "days_7": "7 derniers jours",
        "days_30": "30 derniers jours",
        "days_90": "90 derniers jours",
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
    "en": (
        "Sign in to the agent console",
        "This page is for CBSA contact-centre agents.",
        "Sign in to the agent console",
    ),
    "fr": (
        "Ouvrez une session dans la console des agents",
        "Cette page est réservée aux agents du centre de contact de l'ASFC.",
        "Ouvrir une session dans la console des agents",
    ),
}


def _other(lang: str) -> str:
    return "fr" if lang == "en" else "en"


def nav_links(lang: str, current: str) -> dict[str, Any]:
    """The console's navigation (macros.html), shared by the console and these pages."""
    t = NAV[lang]
    links = [("console", AGENT_PATHS[lang]), ("insights", INSIGHTS_PATHS[lang]), ("review", REVIEW_PATHS[lang])]
    return {
        "label": t["label"],
        "links": [{"path": path, "text": t[key], "current": key == current} for key, path in links],
    }


def topic_titles(lang: str) -> dict[str, str]:
    from bot.core.topics import all_topics

    return {topic: title(topic, lang) for topic in all_topics()}


def agent_page_context(lang: str, t: dict[str, str], paths: dict[str, str], current: str) -> dict[str, Any]:
    """What the insights and review pages share: layout, their texts, the agents' navigation."""
    return {
        **layout(
            lang, t["title"], paths[_other(lang)], ("site.css", "agent.css", "insights.css"), asset_version(ASSETS)
        ),
        "t": t,
        "nav": nav_links(lang, current),
        "topic_titles": topic_titles(lang),
    }


def insights_context(lang: str) -> dict[str, Any]:
    # The same setting as `purge-conversations` (RETENTION_DAYS), which deletes older ones.
    retention = int(os.environ.get("RETENTION_DAYS", "30") or 30)
    t = {k: v.replace("{retention}", str(retention)) for k, v in INSIGHTS[lang].items()}
    return agent_page_context(lang, t, INSIGHTS_PATHS, "insights")


def review_context(lang: str) -> dict[str, Any]:
    t = REVIEW[lang]
    choices: list[str] = [topic for topic in INTENT_OF_DECISION if topic != "out_of_scope"]
    return {**agent_page_context(lang, t, REVIEW_PATHS, "review"), "review_topics": choices}


def sign_in_first_context(lang: str, other_path: str) -> dict[str, Any]:
    heading, text, link = SIGN_IN_FIRST[lang]
    return {
        **layout(lang, heading, other_path, ("site.css",), asset_version(ASSETS)),
        "heading": heading,
        "text": text,
        "link": link,
        "sign_in_path": AGENT_PATHS[lang],
    }


def insights_page(lang: str) -> str:
    return render("insights.html", insights_context(lang))


def review_page(lang: str) -> str:
    return render("review.html", review_context(lang))


def add_pages(app: web.Application, agents: AgentApi) -> None:
    setup_templates(app)

    def handler(template: str, context: Callable[[str], dict[str, Any]], lang: str, paths: dict[str, str]):
        async def serve(request: web.Request) -> web.Response:
            if agents.sessions.get(request) is None:
                return html_response(
                    request, "sign_in_first.html", sign_in_first_context(lang, paths[_other(lang)]), status=401
                )
            return html_response(request, template, context(lang))

        return serve

    for lang in ("en", "fr"):
        app.router.add_get(INSIGHTS_PATHS[lang], handler("insights.html", insights_context, lang, INSIGHTS_PATHS))
        app.router.add_get(REVIEW_PATHS[lang], handler("review.html", review_context, lang, REVIEW_PATHS))
