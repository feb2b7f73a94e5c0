"""Session fixtures: one trained model per test session, and the three real processes."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.core.paths import ROOT
from bot.ops.cli import local_servers, model_path, start_processes, stop_processes, wait_healthy
from bot.store.engine import Database
from bot.store.queries import set_agent_password
from bot.store.schema import prepare

STARTUP_TIMEOUT = 300  # seconds: Rasa loads TensorFlow and the model
ACTION_COOLDOWN = 3  # seconds Rasa skips a hung action server (bot/rasa_ext/rasa_process.py); short for tests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """Trains once per session; reused across sessions while config, domain and data are unchanged."""
    subprocess.run([sys.executable, "-m", "bot.ops.cli", "train"], cwd=ROOT, check=True)
    path = model_path()
    assert path.exists()
    return path


class Assistant:
    """The running assistant, reached only through the gateway like a browser would."""

    def __init__(
        self, base_url: str, ports: dict, secret: str, processes: dict, database: str, agent_credentials: tuple, restart
    ) -> None:
        self.base_url, self.ports, self.secret, self.processes = base_url, ports, secret, processes
        self.database, self.agent_credentials = database, agent_credentials
        self._restart = restart

    def stop(self, name: str) -> None:
        stop_processes({name: self.processes[name]})

    def start(self, name: str, **environment: str) -> None:
        """Starts a stopped process again (with `environment` over the usual) and waits until the
        whole assistant is healthy."""
        self.processes.update(self._restart(name, environment))
        wait_healthy(self.base_url + "/healthz", self.processes, STARTUP_TIMEOUT)

    def request(self, method: str, path: str, body=None, headers=None, cookie: str = ""):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if cookie:
            request.add_header("Cookie", cookie)
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null"), response.headers
        except urllib.error.HTTPError as failure:
            return failure.code, json.loads(failure.read() or b"null"), failure.headers

    def conversation(self, lang: str | None = None) -> Conversation:
        return Conversation(self, lang)


class Conversation:
    """One visitor: keeps the session cookie the gateway issued."""

    def __init__(self, assistant: Assistant, lang: str | None) -> None:
        self.assistant, self.lang, self.cookie, self.chat_id = assistant, lang, "", None

    def say(self, text: str, lang: str | None = None) -> list:
        body = {"message": text}
        if lang or self.lang:
            body["lang"] = lang or self.lang
        status, reply, headers = self.assistant.request("POST", "/api/chat", body, cookie=self.cookie)
        assert status == 200, (status, reply)
        set_cookie = headers.get("Set-Cookie")
        if set_cookie:
            self.cookie = set_cookie.split(";", 1)[0]
        self.chat_id = reply["chat_id"]
        return reply["messages"]


def texts(messages: list) -> str:
    """All the text of the assistant's reply."""
    return " ".join(m["text"] for m in messages)


def agent_session(assistant) -> tuple:
    """Signs the test agent in through the gateway: its username, session cookie and CSRF header."""
    username, password = assistant.agent_credentials
    status, body, headers = assistant.request("POST", "/api/agent/login", {"username": username, "password": password})
    assert status == 200
    cookie = headers.get("Set-Cookie").split(";", 1)[0]
    return username, cookie, {"X-CSRF-Token": body["csrf_token"]}


@pytest.fixture(scope="session")
def assistant(trained_model, tmp_path_factory) -> Assistant:
    workdir = tmp_path_factory.mktemp("assistant")
    ports = {"PORT": free_port(), "RASA_PORT": free_port(), "ACTIONS_PORT": free_port()}
    database = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{workdir / 'tta.db'}"
    secret = secrets.token_urlsafe(32)
    agent = ("test-agent", secrets.token_urlsafe(16))
    prepare(database)
    db = Database(database)
    db.call(set_agent_password, *agent)
    db.dispose()
    servers = local_servers([(ports["RASA_PORT"], ports["ACTIONS_PORT"])], workdir, database, redis="")
    extra = {k: str(v) for k, v in ports.items()}
    extra.update(
        {
            "GATEWAY_SECRET": secret,
            "DATABASE_URL": database,
            "HOST": "127.0.0.1",
            "RATE_LIMIT_SESSION": "1000/60",
            "RATE_LIMIT_ADDRESS": "10000/60",
            "ACTION_COOLDOWN": str(ACTION_COOLDOWN),
        }
    )
    processes = start_processes(trained_model, servers, extra)
    base_url = f"http://127.0.0.1:{ports['PORT']}"
    try:
        wait_healthy(base_url + "/healthz", processes, STARTUP_TIMEOUT)
        yield Assistant(
            base_url,
            ports,
            secret,
            processes,
            database,
            agent,
            lambda name, environment: start_processes(trained_model, servers, {**extra, **environment}, only=[name]),
        )
    finally:
        stop_processes(processes)
