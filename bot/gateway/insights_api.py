"""The console's insights and review inbox (design.md, "Insights and review"):

    GET  /api/agent/insights?days=N   counts for the last N days
    GET  /api/agent/inbox             questions to review, newest first
    POST /api/agent/inbox/{id}        {"topic": "<topic id>" | "out_of_scope" | "ignore"}

Agents only, with the same session and CSRF token as the rest of the agent API
(bot/gateway/agent_api.py decides who may); a trader gets 401, a request without the token 403.
Errors are JSON with an English or French message, like the rest of the agent API.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.core.bilingual import json_error
from bot.gateway.agent_api import AgentApi
from bot.gateway.request_body import json_object
from bot.store.engine import Database, DatabaseUnavailable
from bot.store.insights_queries import collect
from bot.store.review_queries import DECISIONS, decide, inbox, sync_inbox
from bot.store.tracker_events import TrackerEvents

logger = logging.getLogger("bot.insights")

DEFAULT_DAYS, MAX_DAYS = 7, 366
WORK_TIMEOUT = 15.0  # seconds for one insights document or inbox read (two databases)
_ITEM_ID = re.compile(r"^[1-9][0-9]{0,17}$")

MESSAGES = {
    "days": (
        "Give the period as a whole number of days from 1 to 366, for example ?days=30.",
        "Indiquez la période en nombre entier de jours, de 1 à 366, par exemple ?days=30.",
    ),
    "insights_unavailable": (
        "The insights are unavailable right now. Try again in a few minutes.",
        "Les statistiques ne sont pas disponibles pour le moment. Réessayez dans quelques minutes.",
    ),
    "inbox_unavailable": (
        "The review inbox is unavailable right now. Try again in a few minutes.",
        "La boîte de révision n'est pas disponible pour le moment. Réessayez dans quelques minutes.",
    ),
    "no_item": (
        "There is no question with this number in the review inbox.",
        "Il n'y a aucune question portant ce numéro dans la boîte de révision.",
    ),
    # (messages are format strings: braces doubled)
    "decision": (
        'Send {{"topic": "<topic id>"}}: a topic of the assistant\'s answers, "out_of_scope" or "ignore".',
        'Envoyez {{"topic": "<sujet>"}} : un sujet des réponses de l\'assistant, « out_of_scope » ou « ignore ».',
    ),
}


def _error(request: web.Request, status: int, code: str, key: str) -> web.Response:
    return json_error(request, status, code, MESSAGES[key])


def parse_days(raw: str | None) -> int | None:
    """The period asked for, or None when it is not a whole number of days in range."""
    if raw is None or raw == "":
        return DEFAULT_DAYS
    if not re.fullmatch(r"[0-9]{1,3}", raw.strip()):
        return None
    days = int(raw)
    return days if 1 <= days <= MAX_DAYS else None


class InsightsApi:
    def __init__(self, agents: AgentApi, database: Database, tracker: TrackerEvents) -> None:
        self.agents, self.database, self.tracker = agents, database, tracker

    async def _work(self, function, *args):
        return await asyncio.wait_for(asyncio.to_thread(function, *args), WORK_TIMEOUT)

    async def insights(self, request: web.Request) -> web.Response:
        refused = self.agents.refusal(request)
        if refused is not None:  # (a Response with an empty body is falsy)
            return refused
        days = parse_days(request.query.get("days"))
        if days is None:
            return _error(request, 400, "invalid_request", "days")
        try:
            body = await self._work(collect, self.database, self.tracker, days, dt.datetime.utcnow().date())
        except (DatabaseUnavailable, SQLAlchemyError, asyncio.TimeoutError) as failure:
            logger.warning("insights unavailable: %s", type(failure).__name__)
            return _error(request, 503, "unavailable", "insights_unavailable")
        return web.json_response(body)

    async def inbox(self, request: web.Request) -> web.Response:
        refused = self.agents.refusal(request)
        if refused is not None:
            return refused
        try:
            added = await self._work(sync_inbox, self.database, self.tracker)
            if added:
                logger.info("review inbox: %d new questions", added)  # a count, never the text
        except (SQLAlchemyError, asyncio.TimeoutError) as failure:
            # Rasa's tracker could not be read: the questions already in the inbox still are.
            logger.warning("review inbox not refreshed from the tracker: %s", type(failure).__name__)
        except DatabaseUnavailable:
            return _error(request, 503, "unavailable", "inbox_unavailable")
        try:
            items = await self.database.run(inbox)
        except DatabaseUnavailable:
            return _error(request, 503, "unavailable", "inbox_unavailable")
        return web.json_response({"items": items})

    async def review(self, request: web.Request) -> web.Response:
        refused = self.agents.refusal(request)
        if refused is not None:
            return refused
        session = self.agents.signed_in(request)
        assert session is not None  # refusal() answered everyone else
        raw_id = request.match_info.get("item_id", "")
        if not _ITEM_ID.match(raw_id):
            return _error(request, 404, "not_found", "no_item")
        body = await json_object(request)  # malformed bodies: a 4xx from the gateway's error middleware
        decision = body.get("topic")
        if not isinstance(decision, str) or decision not in DECISIONS:
            return _error(request, 400, "invalid_request", "decision")
        try:
            found = await self.database.run(decide, int(raw_id), decision, session.username)
        except DatabaseUnavailable:
            return _error(request, 503, "unavailable", "inbox_unavailable")
        if not found:
            return _error(request, 404, "not_found", "no_item")
        return web.json_response({"id": int(raw_id), "topic": decision})

    async def close(self, app: web.Application) -> None:
        self.tracker.dispose()

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/api/agent/insights", self.insights)
        app.router.add_get("/api/agent/inbox", self.inbox)
        app.router.add_post("/api/agent/inbox/{item_id}", self.review)
        app.on_cleanup.append(self.close)  # type: ignore[arg-type]  # aiosignal 1.4 vs aiohttp 3.9 stubs


def add_insights(app: web.Application, agents: AgentApi, database: Database, database_url: str) -> InsightsApi:
    """The insights and review API and their console pages (bot/gateway/insights_pages.py).
    `database_url` is the gateway's DATABASE_URL: Rasa's tracker store is beside it."""
    from bot.gateway.insights_pages import add_pages

    api = InsightsApi(agents, database, TrackerEvents(database_url))
    api.add_routes(app)
    add_pages(app, agents)
    return api
