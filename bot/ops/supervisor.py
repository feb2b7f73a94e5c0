"""Keeps a few named child processes running.

A process that dies is started again after a pause that doubles with each recent crash
(1, 2, 4 ... up to 30 seconds), while the others keep running. A process that keeps
crashing (more than `limit` restarts within `window` seconds) ends the supervision, loudly:
restarting it forever would hide a fault that needs a person (a port taken by another
program, a broken model, a database that refuses us).

This module knows nothing of Rasa or the gateway: `bot.ops.cli serve` says what to run and
what each process's absence means to the people using the assistant. It imports only the
standard library, so that the supervisor stays small in memory.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

PREFIX = "[supervisor]"


@dataclass(frozen=True)
class RestartPolicy:
    limit: int = 5  # restarts allowed within `window`; one more crash and we give up
    window: float = 600.0  # seconds
    first_delay: float = 1.0  # seconds before the first restart; doubles with each recent crash
    max_delay: float = 30.0

    def delay(self, recent_crashes: int) -> float:
        return min(self.max_delay, self.first_delay * 2 ** max(0, recent_crashes - 1))


@dataclass
class Child:
    """One supervised process."""

    name: str  # short id, e.g. "actions"
    title: str  # in plain language, e.g. "the action server"
    impact: str  # what people notice while it is down, e.g. "status look-ups are unavailable"
    start: Callable[[], subprocess.Popen]
    process: subprocess.Popen | None = None
    crashes: deque[float] = field(default_factory=deque)  # times of recent crashes
    restart_at: float | None = None  # set while waiting to restart


class KeepsCrashing(Exception):
    """A process crashed more often than the restart policy allows."""

    def __init__(self, child: Child, how: str) -> None:
        super().__init__(f"{child.name} keeps crashing")
        self.child, self.how = child, how


def how_it_ended(returncode: int) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed ({name})"
    return f"stopped (exit code {returncode})"


def minutes(seconds: float) -> str:
    return f"{seconds / 60:g} minutes" if seconds >= 120 else f"{seconds:g} seconds"


class Supervisor:
    def __init__(
        self,
        children: list[Child],
        policy: RestartPolicy = RestartPolicy(),
        out: TextIO = sys.stderr,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.children = {child.name: child for child in children}
        self.policy, self.out, self.clock = policy, out, clock

    def say(self, *lines: str) -> None:
        for line in lines:
            try:
                print(f"{PREFIX} {line}", file=self.out, flush=True)
            except OSError:  # the terminal was closed (SIGHUP): keep supervising, silently
                pass

    @property
    def processes(self) -> dict[str, subprocess.Popen]:
        """The processes running now (or that died and are not yet noticed)."""
        return {name: c.process for name, c in self.children.items() if c.process is not None}

    def start_all(self) -> None:
        for child in self.children.values():
            self._start(child)

    def check(self) -> list[str]:
        """One round: notices processes that died, schedules their restart, and starts those
        whose pause is over. Returns the names restarted in this round. Raises KeepsCrashing
        when a process crashed more often than the policy allows."""
        now = self.clock()
        restarted = []
        for child in self.children.values():
            if child.process is not None and child.process.poll() is not None:
                self._crashed(child, how_it_ended(child.process.returncode), now)
            if child.restart_at is not None and now >= child.restart_at:
                child.restart_at = None
                self._start(child, restart=True)
                restarted.append(child.name)
        return restarted

    def _start(self, child: Child, restart: bool = False) -> None:
        try:
            child.process = child.start()
        except OSError as failure:  # e.g. the Python interpreter is gone: count it as a crash
            child.process = None
            self._crashed(child, f"could not be started ({failure})", self.clock())
            return
        self.say(f"{'Restarted' if restart else 'Started'} {child.title} (process {child.process.pid}).")

    def _crashed(self, child: Child, how: str, now: float) -> None:
        if child.process is not None:
            leftovers(child.process.pid)
        child.process = None
        while child.crashes and now - child.crashes[0] > self.policy.window:
            child.crashes.popleft()
        child.crashes.append(now)
        restarts = len(child.crashes)
        if restarts > self.policy.limit:
            raise KeepsCrashing(child, how)
        delay = self.policy.delay(restarts)
        child.restart_at = now + delay
        self.say(
            f"{child.title[0].upper()}{child.title[1:]} {how}. Until it is back, {child.impact}.",
            f"Restarting it in {delay:g} s (restart {restarts} of at most {self.policy.limit} "
            f"within {minutes(self.policy.window)}); the other parts keep running.",
        )

    def give_up(self, failure: KeepsCrashing) -> None:
        """The loud message: the assistant stops because one process keeps crashing."""
        child, rule = failure.child, "=" * 72
        self.say(
            rule,
            f"STOPPING THE ASSISTANT: {child.title} keeps crashing.",
            f"It {failure.how}, and that is {len(child.crashes)} crashes within "
            f"{minutes(self.policy.window)} (at most {self.policy.limit} restarts are tried).",
            "Its own messages above say why. Fix the cause, then start the assistant again.",
            rule,
        )

    def stop_all(self, timeout: float = 15) -> None:
        """SIGTERM to every process group, then SIGKILL to those still running after `timeout`."""
        running = [c.process for c in self.children.values() if c.process is not None]
        for child in self.children.values():
            child.restart_at = None
        for process in running:
            if process.poll() is None:
                signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                signal_group(process.pid, signal.SIGKILL)
                process.wait()
            leftovers(process.pid)


def signal_group(pid: int, signum: int) -> None:
    """Each child runs in a session of its own (its group id is its pid), so that Ctrl-C in
    the terminal reaches only the supervisor, which then stops the children in order."""
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def leftovers(pid: int) -> None:
    """Kills what a dead process left behind in its group (e.g. a worker still holding the
    port), so that its restart can listen again."""
    signal_group(pid, signal.SIGKILL)
