"""`make bench`: our assistant beside a stock Rasa bot, under the same load.

Both sides run on this machine, one after the other, never at the same time:

* ours: `python -m bot.ops.cli serve` (the supervisor of `make run`, with its action server,
  Rasa server and gateway; trained model, temporary SQLite database), conversations in both
  languages (questions, follow-ups, status look-ups) through the gateway's /api/chat;
* stock: the bot `rasa init` creates (Rasa's moodbot; same Rasa, same venv; trained once and
  kept in var/bench-stock/rasa-<version>/), `rasa run --enable-api`, its own kind of
  conversations ("hi", "I am sad", "yes", "bye", ...) through the REST channel.

Load: a warm-up conversation (not counted), then conversations of 10 messages one at a time,
then 50 conversations of 10 messages at once (each a new visitor: a fresh conversation).
Prints and writes docs/benchmarks.md: messages/s, latency percentiles, errors, the first
message of a conversation against the others, the slowest conversation's p95, each process's
peak memory, the time to ready, the load average, and ours/stock ratios beside the targets
of issue #13. Numbers, not pass/fail.

    python -m bot.ops.bench [--sequential 10] [--concurrency 50] [--servers 1]
    python -m bot.ops.bench --only ours --profile results/profile   # py-spy during the concurrent run
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version as package_version
from pathlib import Path

import aiohttp

from bot.core.paths import ROOT, VAR
from bot.ops.cli import fully_working, healthy, quiet_env

MESSAGES_PER_CONVERSATION = 10

# Ours: (kind of turn, message, page language); each conversation 10 messages, as a visitor would.
CONVERSATIONS: list[list[tuple[str, str, str]]] = [
    [
        ("greeting", "Hello", "en"),
        ("question", "Who can apply to Partners in Protection?", "en"),
        ("follow-up", "and for customs brokers?", "en"),
        ("question", "How long does it take?", "en"),
        ("status", "What is the status of my application?", "en"),
        ("status", "PIP-2026-00103", "en"),
        ("status", "100000003", "en"),
        ("question", "Do we need PIP for FAST lanes?", "en"),
        ("out of scope", "How do I renew my NEXUS card?", "en"),
        ("small talk", "thanks", "en"),
    ],
    [
        ("greeting", "Bonjour", "fr"),
        ("question", "Combien coûte l'adhésion au PEP?", "fr"),
        ("question", "Quelles sont les exigences de sécurité?", "fr"),
        ("follow-up", "et pour un transporteur américain?", "fr"),
        ("status", "Où en est ma demande?", "fr"),
        ("status", "PIP-2026-00104 et NE 100000004", "fr"),
        ("question", "C'est quoi les voies EXPRES?", "fr"),
        ("not understood", "qwzx blorp", "fr"),
        ("question", "Combien de temps prend le traitement?", "fr"),
        ("small talk", "merci", "fr"),
    ],
    [
        ("status", "What is the status of my application?", "en"),
        ("status", "PIP-2026-00103", "en"),
        ("status", "100000003", "en"),
        ("question", "What are the security requirements?", "en"),
        ("follow-up", "and for a US carrier?", "en"),
        ("question", "How much does it cost to join PIP?", "en"),
        ("not understood", "qwzx blorp", "en"),
        ("question", "Who can apply to Partners in Protection?", "en"),
        ("out of scope", "How do I renew my NEXUS card?", "en"),
        ("small talk", "bye", "en"),
    ],
]

# Stock (moodbot): what its domain understands, 10 messages a conversation.
STOCK_CONVERSATIONS: list[list[str]] = [
    ["hi", "I am sad", "yes", "are you a bot?", "I am feeling great", "bye", "hello", "I am unhappy", "no", "goodbye"],
    [
        "hello there",
        "I am great",
        "are you a human?",
        "I am sad",
        "not really",
        "hey",
        "perfect",
        "thanks, bye",
        "good morning",
        "see you later",
    ],
]

# Replies that mean "could not answer, try again" (the gateway's when Rasa gives nothing, and
# the status look-up's when the action server does not answer): a failure for the person.
TRY_AGAIN = (
    "Sorry, I could not answer that right now",
    "Désolé, je ne peux pas répondre pour le moment",
    "I can't look up applications right now",
    "Je ne peux pas vérifier l'état des demandes",
)

# Issue #13, item 4: (what, target, how the ratio or value is read).
TARGETS = {
    "p95_one": 1.2,
    "throughput_50": 1.5,
    "p95_50": 1.0,
    "rasa_mb": 1200,
    "supervisor_mb": 60,
    "ready_s": 45,
}


@dataclass
class Turn:
    conversation: int
    index: int  # 0: the first message of the conversation
    kind: str
    seconds: float
    ok: bool
    degraded: bool = False  # answered, but with "try again" instead of an answer


@dataclass
class Run:
    turns: list[Turn]
    elapsed: float


@dataclass
class Side:
    name: str
    ready_s: float = 0.0
    warmup: Run | None = None
    sequential: Run | None = None
    concurrent: Run | None = None
    memory_mb: dict[str, float] = field(default_factory=dict)
    # CPU seconds each process spent during the concurrent run ("load generator": this one).
    cpu_s: dict[str, float] = field(default_factory=dict)
    load: dict[str, tuple[float, float, float]] = field(default_factory=dict)


# ---- statistics (pure) -------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of a non-empty sequence."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(run: Run | None) -> dict[str, float]:
    """Messages/s, latency percentiles (ms), errors, first message against the others, and
    the slowest conversation's p95 (ms)."""
    run = measured(run)
    times = [t.seconds for t in run.turns]
    first = [t.seconds for t in run.turns if t.index == 0]
    rest = [t.seconds for t in run.turns if t.index > 0]
    by_conversation: dict[int, list[float]] = {}
    for t in run.turns:
        by_conversation.setdefault(t.conversation, []).append(t.seconds)
    ms = 1000.0
    return {
        "messages": len(times),
        "elapsed_s": run.elapsed,
        "rate": len(times) / run.elapsed if run.elapsed > 0 else 0.0,
        "p50": percentile(times, 0.50) * ms,
        "p95": percentile(times, 0.95) * ms,
        "p99": percentile(times, 0.99) * ms,
        "errors": sum(not t.ok for t in run.turns),
        "try_again": sum(t.ok and t.degraded for t in run.turns),
        "first_p50": percentile(first, 0.50) * ms if first else float("nan"),
        "first_p95": percentile(first, 0.95) * ms if first else float("nan"),
        "rest_p50": percentile(rest, 0.50) * ms if rest else float("nan"),
        "rest_p95": percentile(rest, 0.95) * ms if rest else float("nan"),
        "slowest_conversation_p95": max(percentile(v, 0.95) for v in by_conversation.values()) * ms,
    }


def measured(run: Run | None) -> Run:
    if run is None:
        raise ValueError("this part of the benchmark has not run yet")
    return run


def by_kind(run: Run | None) -> dict[str, dict[str, float]]:
    run = measured(run)
    kinds: dict[str, list[Turn]] = {}
    for t in run.turns:
        kinds.setdefault(t.kind, []).append(t)
    return {
        kind: {
            "n": len(ts),
            "p50": percentile([t.seconds for t in ts], 0.5) * 1000,
            "p95": percentile([t.seconds for t in ts], 0.95) * 1000,
            "errors": sum(not t.ok for t in ts),
            "try_again": sum(t.ok and t.degraded for t in ts),
        }
        for kind, ts in sorted(kinds.items())
    }


def is_try_again(texts: Sequence[str]) -> bool:
    return any(text.startswith(p) for text in texts for p in TRY_AGAIN)


def ratio(ours: float, stock: float) -> float:
    return ours / stock if stock else float("inf")


def verdict(value: float, limit: float, at_least: bool = False) -> str:
    met = value >= limit if at_least else value <= limit
    return "met" if met else "**not met**"


# ---- load ----------------------------------------------------------------------------------

Send = Callable[[aiohttp.ClientSession, int, int], "asyncio.Future"]


async def play(conversation: int, messages: Sequence[tuple[str, str, str]], post, turns: list[Turn]) -> None:
    """One visitor with its own cookie jar (so its own conversation) sends its messages in turn."""
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True), timeout=aiohttp.ClientTimeout(total=120)
    ) as session:
        for index, (kind, text, lang) in enumerate(messages):
            started = time.perf_counter()
            try:
                ok, degraded = await post(session, conversation, text, lang)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                ok, degraded = False, False
            turns.append(Turn(conversation, index, kind, time.perf_counter() - started, ok, degraded))


async def run_load(
    conversations: Sequence[Sequence[tuple[str, str, str]]], post, concurrency: int, first_id: int
) -> Run:
    turns: list[Turn] = []
    semaphore = asyncio.Semaphore(concurrency)

    async def one(number: int, messages):
        async with semaphore:
            await play(number, messages, post, turns)

    started = time.perf_counter()
    await asyncio.gather(*(one(first_id + i, c) for i, c in enumerate(conversations)))
    return Run(turns, time.perf_counter() - started)


def our_post(base: str):
    async def post(session: aiohttp.ClientSession, conversation: int, text: str, lang: str) -> tuple[bool, bool]:
        async with session.post(f"{base}/api/chat", json={"message": text, "lang": lang}) as response:
            body = await response.read()
            if response.status != 200:
                return False, False
            messages = json.loads(body).get("messages") or []
            return bool(messages), is_try_again([m.get("text", "") for m in messages])

    return post


def stock_post(base: str, run_id: str):
    async def post(session: aiohttp.ClientSession, conversation: int, text: str, lang: str) -> tuple[bool, bool]:
        body = {"sender": f"bench-{run_id}-{conversation}", "message": text}
        async with session.post(f"{base}/webhooks/rest/webhook", json=body) as response:
            data = await response.read()
            return response.status == 200 and bool(json.loads(data)), False

    return post


def play_all(
    side: Side,
    post,
    ours: bool,
    sequential: int,
    concurrency: int,
    during_concurrent: Callable[[], Callable[[], None]] = lambda: lambda: None,
) -> None:
    def conversations(count: int):
        if ours:
            return [CONVERSATIONS[i % len(CONVERSATIONS)] for i in range(count)]
        return [
            [("message", text, "en") for text in STOCK_CONVERSATIONS[i % len(STOCK_CONVERSATIONS)]]
            for i in range(count)
        ]

    side.warmup = asyncio.run(run_load(conversations(1), post, 1, 0))
    side.sequential = asyncio.run(run_load(conversations(sequential), post, 1, 1000))
    stop = during_concurrent()
    try:
        side.concurrent = asyncio.run(run_load(conversations(concurrency), post, concurrency, 2000))
    finally:
        stop()


# ---- processes -----------------------------------------------------------------------------


def free_port(count: int = 1, taken: Sequence[int] = ()) -> int:
    """A free port on loopback, followed by count - 1 free ones (several servers take consecutive
    ports), none of them in `taken`."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        wanted = range(first, first + count)
        if not set(wanted) & set(taken) and all(port_free(p) for p in wanted[1:]):
            return first


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def peak_memory_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of one process, in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(p) for p in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def command_line(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def process_name(argv: Sequence[str]) -> str:
    """Which of our processes a command line is (as bot/ops/cli.py starts them)."""
    if "rasa_sdk" in argv:
        return "actions"
    if "bot.gateway.web" in argv:
        return "gateway"
    if "rasa" in argv and "run" in argv:
        return "rasa"
    return "other"


def cpu_seconds(pid: int) -> tuple[float, int] | None:
    """CPU time (user + system, all threads) a process has used so far, and when it started (to tell
    a restarted process that got the same number); None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), int(fields[19])  # utime, stime; starttime


class CpuMeter:
    """The CPU each process uses while a phase runs (into `side.cpu_s`): unlike py-spy's samples,
    not inflated when the processes wait for each other or for the cores."""

    def __init__(self, side: Side, pids: Callable[[], dict[str, int]]) -> None:
        self.side, self.pids = side, pids

    def __call__(self) -> Callable[[], None]:
        pids = {**self.pids(), "load generator": os.getpid()}
        started = {name: cpu_seconds(pid) for name, pid in pids.items()}

        def finish() -> None:
            # A process that stopped or restarted during the run is left out rather than misread.
            ended = {name: cpu_seconds(pid) for name, pid in pids.items()}
            self.side.cpu_s = {
                name: end[0] - start[0]
                for name, start in started.items()
                if start and (end := ended[name]) and end[1] == start[1]
            }

        return finish


def during(*hooks: Callable[[], Callable[[], None]]) -> Callable[[], Callable[[], None]]:
    """Several `during_concurrent` hooks as one."""

    def start() -> Callable[[], None]:
        with contextlib.ExitStack() as stack:  # a hook that fails to start finishes those started
            for hook in hooks:
                stack.callback(hook())
            return stack.pop_all().close

    return start


def our_processes(supervisor: int) -> dict[str, int]:
    """The supervisor's children by name: rasa, actions, gateway (-2, -3 if several)."""
    named: dict[str, int] = {}
    for pid in children(supervisor):
        name = process_name(command_line(pid))
        key, n = name, 2
        while key in named:
            key, n = f"{name}-{n}", n + 1
        named[key] = pid
    return named


def wait_until(check: Callable[[], bool], process: subprocess.Popen, timeout: float = 600) -> float:
    """Seconds until `check()` holds; fails if the process stops first."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"process stopped during start-up (exit {process.returncode})")
        if check():
            return time.monotonic() - started
        time.sleep(0.25)
    raise TimeoutError(f"not ready after {timeout} s")


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def py_spy() -> str:
    """py-spy's executable: on the PATH or beside this Python (a development tool, not a
    dependency: `pip install py-spy`)."""
    return shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")


class Profiler:
    """py-spy on some processes while a phase runs (raw collapsed stacks and an SVG each)."""

    def __init__(self, folder: Path | None, pids: Callable[[], dict[str, int]]) -> None:
        self.folder, self.pids = folder, pids

    def __call__(self) -> Callable[[], None]:
        if not self.folder:
            return lambda: None
        spy = py_spy()
        self.folder.mkdir(parents=True, exist_ok=True)
        running = []
        for name, pid in self.pids().items():
            for fmt, suffix in (("raw", "txt"), ("flamegraph", "svg")):
                running.append(
                    subprocess.Popen(
                        [
                            spy,
                            "record",
                            "--nonblocking",
                            "--rate",
                            "100",
                            "--format",
                            fmt,
                            "-o",
                            str(self.folder / f"{name}.{suffix}"),
                            "--pid",
                            str(pid),
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )
        time.sleep(1.0)  # py-spy attaches

        def finish() -> None:
            for p in running:
                p.send_signal(signal.SIGINT)
            for p in running:
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()

        return finish


def measure_ours(sequential: int, concurrency: int, profile: Path | None, servers: int = 1) -> Side:
    """`bot.ops.cli serve` (the supervisor of `make run`) on free ports, a temporary database,
    with `servers` Rasa servers (each with its action server)."""
    from bot.store.schema import prepare

    side = Side("ours")
    workdir = Path(tempfile.mkdtemp(prefix="tta-bench-"))
    database = f"sqlite:///{workdir / 'tta.db'}"
    prepare(database)
    port = free_port()
    rasa_port = free_port(servers, taken=[port])
    actions_port = free_port(servers, taken=[port, *range(rasa_port, rasa_port + servers)])
    environment = quiet_env(
        {
            "PORT": str(port),
            "RASA_PORT": str(rasa_port),
            "ACTIONS_PORT": str(actions_port),
            "GATEWAY_SECRET": secrets.token_urlsafe(32),
            "DATABASE_URL": database,
            "REDIS_URL": "",
            "RASA_SERVERS": str(servers),
            "RATE_LIMIT_SESSION": "100000/60",
            "RATE_LIMIT_ADDRESS": "1000000/60",
            "PYTHONPATH": str(ROOT),
        }
    )
    side.load["start"] = os.getloadavg()
    log = open(workdir / "serve.log", "wb")  # noqa: SIM115 - closed below
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "bot.ops.cli", "serve", "--endpoints-dir", str(workdir)],
        cwd=ROOT,
        env=environment,
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        side.ready_s = wait_until(lambda: fully_working(base + "/healthz"), supervisor)
        play_all(
            side,
            our_post(base),
            True,
            sequential,
            concurrency,
            during(
                Profiler(
                    profile,
                    lambda: {
                        k: v
                        for k, v in our_processes(supervisor.pid).items()
                        if k.split("-")[0] in ("rasa", "gateway", "actions")
                    },
                ),
                CpuMeter(side, lambda: our_processes(supervisor.pid)),
            ),
        )
        side.memory_mb = {name: peak_memory_mb(pid) for name, pid in our_processes(supervisor.pid).items()}
        side.memory_mb["supervisor (serve)"] = peak_memory_mb(supervisor.pid)
    finally:
        side.load["end"] = os.getloadavg()
        stop(supervisor)
        log.close()
    print(f"ours: serve log in {workdir / 'serve.log'}")
    return side


def stock_bot() -> Path:
    """The `rasa init` bot, trained once per Rasa version and kept in var/bench-stock/."""
    folder = VAR / "bench-stock" / f"rasa-{package_version('rasa')}"
    if list((folder / "models").glob("*.tar.gz")):
        return folder
    print(f"Creating and training the stock Rasa bot (once) in {folder} ...", flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="stock-rasa-"))
    subprocess.run(
        [sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(scratch)],
        cwd=scratch,
        env=quiet_env(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    if not list((scratch / "models").glob("*.tar.gz")):
        raise RuntimeError("rasa init trained no model")
    folder.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    shutil.move(str(scratch), str(folder))
    return folder


def measure_stock(sequential: int, concurrency: int, profile: Path | None) -> Side:
    folder = stock_bot()
    model = sorted((folder / "models").glob("*.tar.gz"))[-1]
    side = Side("stock")
    port = free_port()
    side.load["start"] = os.getloadavg()
    log = open(folder / "bench-run.log", "wb")  # noqa: SIM115 - closed below
    rasa = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rasa",
            "run",
            "--enable-api",
            "-p",
            str(port),
            "-i",
            "127.0.0.1",
            "--model",
            str(model),
            "--credentials",
            "credentials.yml",
            "--endpoints",
            "endpoints.yml",
        ],
        cwd=folder,
        env=quiet_env(),
        start_new_session=True,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        side.ready_s = wait_until(lambda: healthy(base + "/status"), rasa)
        play_all(
            side,
            stock_post(base, secrets.token_hex(4)),
            False,
            sequential,
            concurrency,
            during(Profiler(profile, lambda: {"stock-rasa": rasa.pid}), CpuMeter(side, lambda: {"rasa": rasa.pid})),
        )
        side.memory_mb = {"rasa": peak_memory_mb(rasa.pid)}
    finally:
        side.load["end"] = os.getloadavg()
        stop(rasa)
        log.close()
    return side


# ---- report ------------------------------------------------------------------------------


def fmt_load(load: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.2f}" for x in load)


def side_section(side: Side, concurrency: int) -> str:
    seq, con = summary(side.sequential), summary(side.concurrent)
    warm = summary(side.warmup)
    rows = [
        ("messages", seq["messages"], con["messages"]),
        ("messages/s", f"{seq['rate']:.1f}", f"{con['rate']:.1f}"),
        (
            "p50 / p95 / p99 ms",
            f"{seq['p50']:.0f} / {seq['p95']:.0f} / {seq['p99']:.0f}",
            f"{con['p50']:.0f} / {con['p95']:.0f} / {con['p99']:.0f}",
        ),
        ("errors (HTTP, timeouts)", seq["errors"], con["errors"]),
        ('"try again" replies', seq["try_again"], con["try_again"]),
        (
            "first message p50 / p95 ms",
            f"{seq['first_p50']:.0f} / {seq['first_p95']:.0f}",
            f"{con['first_p50']:.0f} / {con['first_p95']:.0f}",
        ),
        (
            "other messages p50 / p95 ms",
            f"{seq['rest_p50']:.0f} / {seq['rest_p95']:.0f}",
            f"{con['rest_p50']:.0f} / {con['rest_p95']:.0f}",
        ),
        (
            "slowest conversation's p95 ms",
            f"{seq['slowest_conversation_p95']:.0f}",
            f"{con['slowest_conversation_p95']:.0f}",
        ),
    ]
    lines = [
        f"### {side.name.capitalize()}",
        "",
        f"Ready {side.ready_s:.1f} s after start. First message after ready (warm-up, not counted): "
        f"{warm['first_p50']:.0f} ms. Load average (1/5/15 min) at start {fmt_load(side.load['start'])}, "
        f"at end {fmt_load(side.load['end'])}.",
        "",
        f"| | one at a time | {concurrency} at once |",
        "|---|---|---|",
    ]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    lines += [
        "",
        "Peak memory (resident, MB): " + ", ".join(f"{name} {mb:.0f}" for name, mb in side.memory_mb.items()) + ".",
    ]
    if side.cpu_s and con["messages"]:
        per_message = {name: 1000 * seconds / con["messages"] for name, seconds in side.cpu_s.items()}
        served = sum(ms for name, ms in per_message.items() if name != "load generator")
        lines += [
            "",
            f"CPU per message during the {concurrency}-at-once run (ms, from /proc, every thread): "
            + ", ".join(f"{name} {ms:.1f}" for name, ms in per_message.items())
            + f"; the assistant's processes together {served:.1f}.",
        ]
    if side.name == "ours":
        # one at a time, a kind of turn's p95 shows which turns make the whole p95
        one, many = by_kind(side.sequential), by_kind(side.concurrent)
        lines += [
            "",
            f"By kind of turn (one at a time; {concurrency} at once):",
            "",
            '| kind of turn | n | p50 ms | p95 ms | errors | "try again" |',
            "|---|---|---|---|---|---|",
        ]

        def cell(run: dict[str, dict[str, float]], kind: str, key: str) -> str:
            value = run.get(kind, {}).get(key)
            return "–" if value is None else (f"{value:.0f}" if isinstance(value, float) else str(value))

        for k in sorted(set(one) | set(many)):
            lines.append(
                "| "
                + k
                + " | "
                + " | ".join(
                    f"{cell(one, k, key)}; {cell(many, k, key)}" for key in ("n", "p50", "p95", "errors", "try_again")
                )
                + " |"
            )
    return "\n".join(lines)


def ratios_table(ours: Side, stock: Side, concurrency: int) -> str:
    o_seq, s_seq = summary(ours.sequential), summary(stock.sequential)
    o_con, s_con = summary(ours.concurrent), summary(stock.concurrent)
    rasa_mb = ours.memory_mb.get("rasa", 0.0)
    supervisor_mb = ours.memory_mb.get("supervisor (serve)", 0.0)
    p95_one = ratio(o_seq["p95"], s_seq["p95"])
    thr = ratio(o_con["rate"], s_con["rate"])
    p95_con = ratio(o_con["p95"], s_con["p95"])
    first = ratio(o_seq["first_p50"], o_seq["rest_p50"])
    first_95 = ratio(o_seq["first_p95"], o_seq["rest_p95"])
    rows = [
        (
            "One at a time: p95, ours/stock",
            f"{p95_one:.2f} ({o_seq['p95']:.0f} / {s_seq['p95']:.0f} ms)",
            "≤ 1.2",
            verdict(p95_one, 1.2),
        ),
        (
            "One at a time: first message / other messages, p50 and p95 (ours)",
            f"{first:.2f} ({o_seq['first_p50']:.0f} / {o_seq['rest_p50']:.0f} ms) and "
            f"{first_95:.2f} ({o_seq['first_p95']:.0f} / {o_seq['rest_p95']:.0f} ms)",
            "≤ 1.0",
            verdict(max(first, first_95), 1.0),
        ),
        (
            f"{concurrency} at once: throughput, ours/stock",
            f"{thr:.2f} ({o_con['rate']:.1f} / {s_con['rate']:.1f} msg/s)",
            "≥ 1.5",
            verdict(thr, 1.5, at_least=True),
        ),
        (
            f'{concurrency} at once: errors + "try again" replies (ours; stock)',
            f"{o_con['errors']} + {o_con['try_again']} of {o_con['messages']}; {s_con['errors']} of {s_con['messages']}",
            "0",
            verdict(o_con["errors"] + o_con["try_again"], 0),
        ),
        (
            f"{concurrency} at once: p95, ours/stock",
            f"{p95_con:.2f} ({o_con['p95']:.0f} / {s_con['p95']:.0f} ms)",
            "≤ 1.0",
            verdict(p95_con, 1.0),
        ),
        (
            f"{concurrency} at once: slowest conversation's p95 (ours; stock)",
            f"{o_con['slowest_conversation_p95']:.0f} ms; {s_con['slowest_conversation_p95']:.0f} ms",
            "not starved",
            "see value",
        ),
        (
            "Rasa peak memory (ours)",
            f"{rasa_mb:.0f} MB (stock {stock.memory_mb.get('rasa', 0):.0f} MB)",
            "≤ 1200 MB",
            verdict(rasa_mb, TARGETS["rasa_mb"]),
        ),
        (
            "Supervisor `serve` peak memory",
            f"{supervisor_mb:.0f} MB",
            "< 60 MB",
            verdict(supervisor_mb, TARGETS["supervisor_mb"] - 1e-9),
        ),
        (
            "Ready after start (ours; stock)",
            f"{ours.ready_s:.1f} s; {stock.ready_s:.1f} s",
            "< 45 s",
            verdict(ours.ready_s, TARGETS["ready_s"] - 1e-9),
        ),
    ]
    return "\n".join(
        ["| measure | value | target | |", "|---|---|---|---|"] + [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    )


def machine_line() -> str:
    return (
        f"{platform.node()}: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"{platform.platform()}, Python {platform.python_version()}, Rasa {package_version('rasa')}"
    )


def loaded(sides: Sequence[Side], threshold: float = 1.5) -> bool:
    return any(max(s.load["start"][0], s.load["end"][0]) > threshold for s in sides)


def report(sides: Sequence[Side], concurrency: int, sequential: int, extra: str = "") -> str:
    by_name = {s.name: s for s in sides}
    parts = [
        "# Benchmarks (make bench)",
        f"Machine: {machine_line()}. Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. "
        "Every process on this one machine; the load generator too. The two sides run one after "
        "the other, never together.",
        f"Load, each side: one warm-up conversation (not counted), then {sequential} conversations "
        f"of {MESSAGES_PER_CONVERSATION} messages one at a time, then {concurrency} conversations of "
        f"{MESSAGES_PER_CONVERSATION} messages at once; every conversation is a new visitor. Ours: "
        "`python -m bot.ops.cli serve` (gateway, Rasa with the SQLite tracker store, action server), "
        "bilingual questions, follow-ups and status look-ups through /api/chat. Stock: the bot of "
        "`rasa init` (moodbot, in-memory tracker store, no action server), `rasa run --enable-api`, "
        'its own messages ("hi", "I am sad", "yes", "bye", ...) through /webhooks/rest/webhook.',
    ]
    if loaded(sides):
        parts.append(
            "**Taken under load**: other jobs were running on the machine (the 1-minute load "
            "average was above 1.5 during the run, see each side): absolute figures are "
            "pessimistic and noisy; the ratios are only indicative."
        )
    if "ours" in by_name and "stock" in by_name:
        parts += [
            "## Ours against stock Rasa (issue #13, item 4)",
            ratios_table(by_name["ours"], by_name["stock"], concurrency),
        ]
    parts += ["## Each side"] + [side_section(s, concurrency) for s in sides]
    if extra:
        parts.append(extra.strip())
    return "\n\n".join(parts)


ANALYSIS = "## Where the time goes"


def kept_analysis(path: Path) -> str:
    """The profile analysis of docs/benchmarks.md (written from `--profile` runs by hand, with
    its own date), kept when the measured sections are rewritten."""
    text = path.read_text() if path.exists() else ""
    start = text.find("\n" + ANALYSIS)
    return text[start:] if start >= 0 else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sequential",
        type=int,
        default=int(os.environ.get("BENCH_SEQUENTIAL", "10")),
        help="conversations one at a time (default 10)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=int(os.environ.get("BENCH_CONCURRENCY", "50")),
        help="conversations at once (default 50)",
    )
    parser.add_argument("--only", choices=("ours", "stock"), help="measure one side only (no ratios)")
    parser.add_argument(
        "--servers",
        type=int,
        default=int(os.environ.get("BENCH_SERVERS", "1")),
        help="Rasa servers on our side (RASA_SERVERS, default 1)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="py-spy the processes during the concurrent run, into this folder (slows them: not for the report)",
    )
    parser.add_argument("--no-write", action="store_true", help="print, do not write docs/benchmarks.md")
    parser.add_argument("--append", type=Path, help="a Markdown file appended to the report (e.g. a profile)")
    args = parser.parse_args()
    if args.profile and not os.access(py_spy(), os.X_OK):
        # Said now, not after training and the first phase.
        parser.error("--profile needs py-spy: .venv/bin/pip install py-spy")

    sides: list[Side] = []
    if args.only != "stock":
        from bot.ops.cli import train

        train()  # only if no model exists for these inputs; `serve` then uses that model
        sides.append(
            measure_ours(
                args.sequential, args.concurrency, args.profile / "ours" if args.profile else None, args.servers
            )
        )
    if args.only != "ours":
        sides.append(measure_stock(args.sequential, args.concurrency, args.profile / "stock" if args.profile else None))
    extra = args.append.read_text() if args.append else kept_analysis(ROOT / "docs" / "benchmarks.md")
    if args.profile:
        from bot.ops.bench_profile import summarize

        extra = f"\n\n{ANALYSIS} (py-spy, {args.concurrency} at once)\n\n" + "\n".join(
            f"### {s.name.capitalize()}\n\n" + summarize(args.profile / s.name, len(measured(s.concurrent).turns))
            for s in sides
        )
    text = report(sides, args.concurrency, args.sequential, extra)
    print(text)
    if not args.no_write and not args.profile and not args.only:
        (ROOT / "docs").mkdir(exist_ok=True)
        (ROOT / "docs" / "benchmarks.md").write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
