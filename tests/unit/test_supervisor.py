"""The supervisor's restart rules (bot/ops/supervisor.py), with small real processes and a
clock the test moves. The real assistant under supervision: tests/integration/test_supervision.py."""

from __future__ import annotations

import io
import signal
import subprocess
import sys

import pytest

from bot.ops.cli import describe, local_servers, restart_policy
from bot.ops.supervisor import Child, KeepsCrashing, RestartPolicy, Supervisor, how_it_ended

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
CRASHER = [sys.executable, "-c", "import sys; sys.exit(3)"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def child(name: str, command, impact: str = "something is unavailable") -> Child:
    return Child(name, f"the {name} server", impact, start=lambda: subprocess.Popen(command, start_new_session=True))


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def make_supervisor(clock):
    made = []

    def make(*children: Child, **policy) -> Supervisor:
        supervisor = Supervisor(list(children), RestartPolicy(**policy), out=io.StringIO(), clock=clock)
        made.append(supervisor)
        return supervisor

    yield make
    for supervisor in made:
        supervisor.stop_all(timeout=5)


def log(supervisor: Supervisor) -> str:
    return supervisor.out.getvalue()


def wait_dead(supervisor: Supervisor, name: str) -> None:
    supervisor.children[name].process.wait(timeout=30)


def test_a_dead_process_is_restarted_after_a_pause_and_the_others_keep_running(make_supervisor, clock):
    supervisor = make_supervisor(child("steady", SLEEPER), child("flaky", CRASHER, "look-ups are unavailable"))
    supervisor.start_all()
    steady = supervisor.children["steady"].process
    wait_dead(supervisor, "flaky")

    assert supervisor.check() == []  # noticed, but the pause is not over
    assert "flaky" not in supervisor.processes
    assert "The flaky server stopped (exit code 3). Until it is back, look-ups are unavailable." in log(supervisor)
    assert "Restarting it in 1 s (restart 1 of at most 5 within 10 minutes)" in log(supervisor)

    clock.now += 1
    assert supervisor.check() == ["flaky"]
    assert supervisor.processes["steady"] is steady and steady.poll() is None
    assert f"Restarted the flaky server (process {supervisor.processes['flaky'].pid})" in log(supervisor)


def test_the_pause_doubles_with_each_recent_crash_up_to_the_maximum(make_supervisor, clock):
    supervisor = make_supervisor(child("flaky", CRASHER), limit=10, first_delay=1, max_delay=5)
    supervisor.start_all()
    pauses = []
    for _ in range(5):
        wait_dead(supervisor, "flaky")
        supervisor.check()
        pauses.append(supervisor.children["flaky"].restart_at - clock.now)
        clock.now += pauses[-1]
        assert supervisor.check() == ["flaky"]
    assert pauses == [1, 2, 4, 5, 5]


def test_a_process_that_keeps_crashing_ends_supervision_loudly(make_supervisor, clock):
    supervisor = make_supervisor(child("steady", SLEEPER), child("flaky", CRASHER), limit=2, window=60)
    supervisor.start_all()
    for _ in range(2):  # two restarts are allowed
        wait_dead(supervisor, "flaky")
        supervisor.check()
        clock.now += 10
        assert supervisor.check() == ["flaky"]
    wait_dead(supervisor, "flaky")
    with pytest.raises(KeepsCrashing) as failure:
        supervisor.check()
    assert failure.value.child.name == "flaky"
    supervisor.give_up(failure.value)
    assert "STOPPING THE ASSISTANT: the flaky server keeps crashing." in log(supervisor)
    assert "It stopped (exit code 3), and that is 3 crashes within 60 seconds" in log(supervisor)


def test_crashes_older_than_the_window_are_forgotten(make_supervisor, clock):
    supervisor = make_supervisor(child("flaky", CRASHER), limit=1, window=60)
    supervisor.start_all()
    for _ in range(4):  # one crash a minute and a bit: never two within the window
        wait_dead(supervisor, "flaky")
        supervisor.check()
        assert supervisor.children["flaky"].restart_at == clock.now + 1  # the pause starts over too
        clock.now += 61
        assert supervisor.check() == ["flaky"]


def test_a_process_that_cannot_be_started_counts_as_a_crash(make_supervisor, clock):
    missing = child("missing", ["/nonexistent/python"])
    supervisor = make_supervisor(missing, limit=1)
    supervisor.start_all()
    assert "The missing server could not be started" in log(supervisor)
    clock.now += 1
    with pytest.raises(KeepsCrashing):
        supervisor.check()


def test_stop_all_stops_every_process_even_one_that_ignores_sigterm(make_supervisor):
    stubborn = [
        sys.executable,
        "-c",
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); time.sleep(120)",
    ]
    supervisor = make_supervisor(child("steady", SLEEPER))
    supervisor.children["stubborn"] = Child(
        "stubborn",
        "the stubborn server",
        "-",
        start=lambda: subprocess.Popen(stubborn, start_new_session=True, stdout=subprocess.PIPE),
    )
    supervisor.start_all()
    supervisor.children["stubborn"].process.stdout.readline()  # its SIGTERM handler is in place
    processes = list(supervisor.processes.values())
    supervisor.stop_all(timeout=1)
    assert all(process.poll() is not None for process in processes)


def test_how_a_process_ended_in_plain_words():
    assert how_it_ended(1) == "stopped (exit code 1)"
    assert how_it_ended(-signal.SIGKILL) == "was killed (SIGKILL)"
    assert how_it_ended(-200) == "was killed (signal 200)"


def test_restart_settings_come_from_the_environment_and_bad_values_get_a_clear_message(monkeypatch):
    monkeypatch.setenv("RESTART_LIMIT", "3")
    monkeypatch.setenv("RESTART_WINDOW", "120")
    monkeypatch.setenv("RESTART_DELAY", "2")
    assert restart_policy() == RestartPolicy(limit=3, window=120, first_delay=2)
    for name, value in (("RESTART_LIMIT", "five"), ("RESTART_LIMIT", "-1"), ("RESTART_WINDOW", "0")):
        monkeypatch.setenv(name, value)
        with pytest.raises(SystemExit, match="RESTART_LIMIT must be a whole number"):
            restart_policy()
        monkeypatch.setenv(name, "3" if name == "RESTART_LIMIT" else "120")


def test_each_process_is_described_by_what_people_notice_while_it_is_down(tmp_path):
    one = local_servers([(5005, 5055)], tmp_path, "sqlite:///x.db", redis="")
    assert describe("actions", one)[0] == "the action server"
    assert "knowledge questions and follow-ups are still answered" in describe("actions", one)[1]
    assert "web pages stay up" in describe("rasa", one)[1]
    assert describe("gateway", one) == ("the gateway", "the web pages and the chat cannot be reached")
    two = one + [one[0].__class__(2, 5006, 5056, tmp_path / "endpoints-2.yml")]
    assert describe("rasa-2", two) == ("Rasa server 2", "its conversations go to the other Rasa servers")
    assert describe("actions", two)[0] == "the action server 1"


def test_a_closed_terminal_does_not_stop_supervision_or_the_stopping(clock):
    """After a hang-up, writing to the terminal raises OSError: the processes must still be stopped."""

    class ClosedTerminal(io.StringIO):
        def write(self, text):
            raise OSError(5, "Input/output error")

    sleeper = child("rasa", [sys.executable, "-c", "import time; time.sleep(60)"])
    supervisor = Supervisor([sleeper], RestartPolicy(), out=ClosedTerminal(), clock=clock)
    supervisor.start_all()
    process = supervisor.children["rasa"].process
    supervisor.say("a line nobody can read")
    supervisor.stop_all(timeout=5)
    assert process.poll() is not None
