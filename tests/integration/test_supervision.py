"""`make run` under faults: the real `python -m bot.ops.cli serve` (the supervisor) with the real
action server, Rasa and gateway. Each is killed (SIGKILL) in turn in the middle of
conversations: the others keep serving, knowledge questions are answered while the action
server is down, and everything comes back by itself. A process that keeps crashing stops
`serve` with a loud message and a non-zero exit.

Waits poll with generous deadlines (Rasa takes about a minute to load on 2 busy cores);
nothing sleeps for a guessed time. To check what happens while a process is down, the test
pauses the supervisor (SIGSTOP) once it has noticed the death, so that the restart cannot
come early however slow the machine is."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.core.paths import ROOT
from bot.store.schema import prepare
from tests.conftest import STARTUP_TIMEOUT, Assistant, free_port, texts

pytestmark = pytest.mark.integration

SUPERVISOR_MEMORY_LIMIT_MB = 60


def wait_for(condition: Callable[[], bool], what: str, timeout: float = STARTUP_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


def child_processes(parent: int) -> dict[str, int]:
    """The supervisor's live children by name (from /proc: the test needs no help from the
    supervisor to find what to kill)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            args = [a.decode() for a in (entry / "cmdline").read_bytes().split(b"\0") if a]
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) != parent or state == "Z" or not args:
            continue
        name = (
            "actions"
            if "rasa_sdk" in args
            else "rasa"
            if "rasa" in args
            else "gateway"
            if "bot.gateway.web" in args
            else None
        )
        if name:
            found[name] = int(entry.name)
    return found


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


class Serve:
    """`python -m bot.ops.cli serve` in a folder of its own, with its output in serve.log."""

    def __init__(self, workdir: Path, port: int = 0, **settings: str) -> None:
        self.workdir, self.log_path = workdir, workdir / "serve.log"
        self.port = port or free_port()
        database = f"sqlite:///{workdir / 'tta.db'}"
        prepare(database)
        environment = dict(
            os.environ,
            PORT=str(self.port),
            RASA_PORT=str(free_port()),
            ACTIONS_PORT=str(free_port()),
            HOST="127.0.0.1",
            DATABASE_URL=database,
            GATEWAY_SECRET=secrets.token_urlsafe(32),
            REDIS_URL="",
            RASA_SERVERS="1",
            RATE_LIMIT_SESSION="1000/60",
            RATE_LIMIT_ADDRESS="10000/60",
            **settings,
        )
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.ops.cli", "serve", "--endpoints-dir", str(workdir)],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.assistant = Assistant(
            self.base_url, {}, environment["GATEWAY_SECRET"], {}, database, ("", ""), restart=None
        )
        self.seen: set = set()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def children(self) -> dict[str, int]:
        found = child_processes(self.process.pid)
        self.seen.update(found.values())
        return found

    def healthy(self) -> bool:
        assert self.process.poll() is None, (
            f"serve stopped (exit code {self.process.returncode}):\n{self.log()[-3000:]}"
        )
        try:
            with urllib.request.urlopen(self.base_url + "/healthz", timeout=5) as response:
                return response.status == 200
        except Exception:  # noqa: BLE001 - any failure means "not yet"
            return False

    def wait_until_healthy(self) -> None:
        wait_for(self.healthy, "the assistant answers /healthz with 200")

    def wait_for_log(self, text: str, timeout: float = 60) -> None:
        def logged() -> bool:
            if text in self.log():
                return True
            assert self.process.poll() is None, (
                f"serve stopped (exit code {self.process.returncode}) before saying {text!r}:\n{self.log()[-3000:]}"
            )
            return False

        wait_for(logged, f"serve's log says {text!r}", timeout)

    @contextmanager
    def paused(self):
        """The supervisor cannot restart anything meanwhile: what is down stays down."""
        os.kill(self.process.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        """Ctrl-C's SIGTERM equivalent; then makes sure no child is left, whatever happened."""
        self.children()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in self.seen:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_a_process_that_keeps_crashing_stops_serve_with_a_loud_message(trained_model, tmp_path):
    """The gateway's port is taken by another program: the gateway crashes at each start."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        serve = Serve(
            tmp_path, port=taken.getsockname()[1], RESTART_LIMIT="2", RESTART_DELAY="0.5", RESTART_WINDOW="600"
        )
        try:
            returncode = serve.process.wait(timeout=240)
        finally:
            serve.stop()
    log = serve.log()
    assert returncode == 1, log[-3000:]
    assert log.count("Restarted the gateway") == 2
    assert "STOPPING THE ASSISTANT: the gateway keeps crashing." in log
    assert "3 crashes within 10 minutes" in log
    assert "Trusted Trader Assistant is ready" not in log
    # The other processes were stopped, not left behind.
    started = [int(line.rsplit("(process ", 1)[1].rstrip(").")) for line in log.splitlines() if "(process " in line]
    assert len(started) == 5  # action server, Rasa, the gateway three times
    assert not [
        pid
        for pid in started
        if Path(f"/proc/{pid}").exists() and (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z")
    ]


@pytest.fixture(scope="module")
def supervised(trained_model, tmp_path_factory):
    serve = Serve(
        tmp_path_factory.mktemp("supervised"),
        RESTART_DELAY="1",
        RESTART_LIMIT="5",
        RESTART_WINDOW="600",
        ACTION_COOLDOWN="3",
    )
    try:
        serve.wait_until_healthy()
        serve.wait_for_log("Trusted Trader Assistant is ready")
        yield serve
    finally:
        serve.stop()


def test_the_supervisor_stays_small_in_memory(supervised):
    """It imports neither Rasa nor spaCy/TensorFlow (it was 487 MB when it did)."""
    assert resident_mb(supervised.process.pid) < SUPERVISOR_MEMORY_LIMIT_MB


def test_action_server_killed_knowledge_keeps_working_and_lookups_come_back(supervised):
    assistant = supervised.assistant
    chat, chat_fr = assistant.conversation("en"), assistant.conversation("fr")
    assert chat.say("What are the benefits of PIP?")[0]["topic"] == "benefits"
    waiting = assistant.conversation("en")  # a look-up that waits for its reference when the server dies
    assert "reference" in texts(waiting.say("check my application status"))
    cancelled_fr = assistant.conversation("fr")  # another, which the person cancels while the server is down
    assert "référence" in texts(cancelled_fr.say("je veux vérifier l'état de ma demande"))
    before = supervised.children()
    os.kill(before["actions"], signal.SIGKILL)
    supervised.wait_for_log("The action server was killed (SIGKILL).")

    # While it is down: knowledge answers in both languages, and look-ups get a clear reply.
    with supervised.paused():
        assert chat.say("How much does it cost to join PIP?")[0]["topic"] == "cost"
        assert chat_fr.say("Qui peut adhérer au programme PEP?")[0]["topic"] == "eligibility"
        # follow-ups about the last answer (the action server's work): Rasa says them itself
        assert chat.say("how long does that take?")[0]["topic"] == "processing_time"
        repeated = chat_fr.say("can you answer in English?")
        assert repeated[-1]["topic"] == "eligibility" and repeated[-1]["lang"] == "en"
        reply = texts(chat.say("check my application status"))
        assert "try again" in reply.lower() and "pip-pep@cbsa-asfc.gc.ca" in reply
        reply_fr = texts(chat_fr.say("je veux vérifier l'état de ma demande"))
        assert "Réessayez" in reply_fr and "pip-pep@cbsa-asfc.gc.ca" in reply_fr
        # asked with another question: its answer, then the look-up says it cannot run (it said nothing)
        both = chat.say("Where is our application at, and how long do these usually take?")
        assert both[0]["topic"] == "processing_time"
        assert both[-1]["topic"] == "application_status" and "can't look up" in both[-1]["text"]
        both_fr = chat_fr.say("Où en est rendue notre demande, pis ça prend combien de temps d'habitude?")
        assert both_fr[0]["topic"] == "processing_time"
        assert both_fr[-1]["topic"] == "application_status" and "Je ne peux pas vérifier" in both_fr[-1]["text"]
        # the look-up that was waiting still answers a question, then asks again; a reference waits
        asked = waiting.say("How much does it cost to join PIP?")
        assert asked[0]["topic"] == "cost" and "reference" in asked[-1]["text"]
        assert "can't look up" in texts(waiting.say("PIP-2026-00103 100000003"))
        # "cancel" still ends a look-up (it was silent): the next question gets its answer alone
        assert "j'ai arrêté la vérification" in texts(cancelled_fr.say("annuler"))
        after_cancel = cancelled_fr.say("Combien coûte l'adhésion au PEP?")
        assert after_cancel[0]["topic"] == "cost" and "référence" not in texts(after_cancel)
        status, health, _ = assistant.request("GET", "/healthz")
        assert status == 503 and health["parts"]["actions"] == "down"
        assert "Restarted the action server" not in supervised.log()

    # It comes back by itself; the others were never restarted.
    supervised.wait_until_healthy()
    after = supervised.children()
    assert after["actions"] != before["actions"]
    assert (after["rasa"], after["gateway"]) == (before["rasa"], before["gateway"])
    assert "Restarted the action server" in supervised.log()
    supervised.wait_for_log("Every part answers again")

    # Status look-ups work again, in the same conversations.
    assert "More information requested" in texts(waiting.say("PIP-2026-00103 100000003"))
    chat.say("check my application status")
    assert "More information requested" in texts(chat.say("PIP-2026-00103 100000003"))
    chat_fr.say("je veux vérifier l'état de ma demande")
    assert "Renseignements supplémentaires demandés" in texts(chat_fr.say("PIP-2026-00103 100000003"))


def test_rasa_killed_mid_lookup_the_gateway_keeps_serving_and_the_conversation_resumes(supervised):
    assistant = supervised.assistant
    chat = assistant.conversation("fr")
    chat.say("Quels sont les avantages du PEP?")
    chat.say("je veux vérifier l'état de ma demande")
    chat.say("PIP-2026-00103")  # the form now waits for the business number
    before = supervised.children()
    os.kill(before["rasa"], signal.SIGKILL)
    supervised.wait_for_log("Rasa was killed (SIGKILL).")

    # The gateway still answers: a clear bilingual "unavailable", never a 500; pages stay up.
    with supervised.paused():
        status, body, _ = assistant.request(
            "POST", "/api/chat", {"message": "Combien ça coûte?", "lang": "fr"}, cookie=chat.cookie
        )
        assert status == 503 and body["error"] == "unavailable" and "n'est pas disponible" in body["message"]
        with urllib.request.urlopen(supervised.base_url + "/fr", timeout=30) as page:
            assert page.status == 200

    supervised.wait_until_healthy()
    after = supervised.children()
    assert after["rasa"] != before["rasa"]
    assert (after["actions"], after["gateway"]) == (before["actions"], before["gateway"])
    # The tracker store kept the form and the reference given before the loss.
    assert "Renseignements supplémentaires demandés" in texts(chat.say("100000003"))


def test_gateway_killed_the_others_keep_running_and_the_session_continues(supervised):
    assistant = supervised.assistant
    chat = assistant.conversation("en")
    assert chat.say("What are the benefits of PIP?")[0]["topic"] == "benefits"
    chat_id = chat.chat_id
    before = supervised.children()
    os.kill(before["gateway"], signal.SIGKILL)
    supervised.wait_for_log("The gateway was killed (SIGKILL).")

    supervised.wait_until_healthy()
    after = supervised.children()
    assert after["gateway"] != before["gateway"]
    assert (after["rasa"], after["actions"]) == (before["rasa"], before["actions"])
    assert chat.say("and for couriers?")[0]["topic"] == "benefits"
    assert chat.chat_id == chat_id


def test_ctrl_c_stops_every_process_and_exits_zero(supervised):
    """Last in this file: it ends the supervised assistant."""
    children = supervised.children()
    supervised.process.send_signal(signal.SIGINT)
    assert supervised.process.wait(timeout=60) == 0
    still_running = [name for name, pid in children.items() if Path(f"/proc/{pid}").exists()]
    assert not still_running, f"left running: {still_running}"
