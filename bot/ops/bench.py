"""`make bench`: realistic conversations through the gateway, one at a time and concurrent.

Starts its own assistant (trained model, temporary database), plays conversations in both
languages (questions, follow-ups, status look-ups), and prints messages per second, latency
percentiles per kind of turn, errors, and each process's peak memory. Writes the table to
docs/benchmarks.md with the machine it ran on. Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import socket
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import aiohttp

from bot.core.paths import ROOT

# (kind of turn, message, page language)
CONVERSATIONS: list[list[tuple[str, str, str]]] = [
    [
        ("greeting", "Hello", "en"),
        ("question", "Who can apply to Partners in Protection?", "en"),
        ("follow-up", "and for customs brokers?", "en"),
        ("question", "How long does it take?", "en"),
    ],
    [
        ("greeting", "Bonjour", "fr"),
        ("question", "Combien coûte l'adhésion au PEP?", "fr"),
        ("question", "Quelles sont les exigences de sécurité?", "fr"),
        ("follow-up", "et pour un transporteur américain?", "fr"),
    ],
    [
        ("status", "What is the status of my application?", "en"),
        ("status", "PIP-2026-00103", "en"),
        ("status", "100000003", "en"),
    ],
    [
        ("status", "Où en est ma demande?", "fr"),
        ("status", "PIP-2026-00104 et NE 100000004", "fr"),
        ("question", "C'est quoi les voies EXPRES?", "fr"),
    ],
    [
        ("question", "Do we need PIP for FAST lanes?", "en"),
        ("out of scope", "How do I renew my NEXUS card?", "en"),
        ("not understood", "qwzx blorp", "en"),
    ],
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_memory_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its children."""
    total = 0.0
    pids = [pid]
    try:
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


async def play(base: str, conversation, timings, errors) -> None:
    """One visitor: its own cookie jar, so its own session."""
    jar_session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    try:
        for kind, text, lang in conversation:
            started = time.perf_counter()
            try:
                async with jar_session.post(
                    f"{base}/api/chat", json={"message": text, "lang": lang}, timeout=aiohttp.ClientTimeout(total=60)
                ) as response:
                    await response.read()
                    ok = response.status == 200
            except (aiohttp.ClientError, asyncio.TimeoutError):
                ok = False
            timings[kind].append(time.perf_counter() - started)
            if not ok:
                errors[kind] += 1
    finally:
        await jar_session.close()


async def run_load(base: str, concurrency: int, rounds: int):
    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    queue = [CONVERSATIONS[i % len(CONVERSATIONS)] for i in range(concurrency * rounds)]
    semaphore = asyncio.Semaphore(concurrency)
    started = time.perf_counter()

    async def one(conversation):
        async with semaphore:
            await play(base, conversation, timings, errors)

    await asyncio.gather(*(one(c) for c in queue))
    elapsed = time.perf_counter() - started
    return timings, errors, elapsed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def table(title: str, timings, errors, elapsed) -> str:
    count = sum(len(v) for v in timings.values())
    lines = [
        f"### {title}",
        "",
        f"{count} messages in {elapsed:.1f} s: **{count / elapsed:.1f} messages/s**",
        "",
        "| kind of turn | n | median ms | p95 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|",
    ]
    for kind in sorted(timings):
        values = timings[kind]
        lines.append(
            f"| {kind} | {len(values)} | {statistics.median(values) * 1000:.0f} | "
            f"{percentile(values, 0.95) * 1000:.0f} | {percentile(values, 0.99) * 1000:.0f} | {errors[kind]} |"
        )
    return "\n".join(lines)


def measure(model: Path, servers: int, database: str, redis: str, concurrency: int, rounds: int):
    """Starts an assistant with `servers` Rasa servers, plays the load, stops it."""
    from bot.ops.cli import local_servers, start_processes, stop_processes, wait_healthy
    from bot.store.schema import prepare

    workdir = Path(tempfile.mkdtemp(prefix="tta-bench-"))
    database = database or f"sqlite:///{workdir / 'tta.db'}"
    prepare(database)
    port = free_port()
    pairs = [(free_port(), free_port()) for _ in range(servers)]
    extra = {
        "PORT": str(port),
        "GATEWAY_SECRET": secrets.token_urlsafe(32),
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "RATE_LIMIT_SESSION": "100000/60",
        "RATE_LIMIT_ADDRESS": "1000000/60",
    }
    processes = start_processes(model, local_servers(pairs, workdir, database, redis), extra)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base + "/healthz", processes)
        asyncio.run(run_load(base, 1, 1))  # warm-up
        sequential = asyncio.run(run_load(base, 1, len(CONVERSATIONS)))  # each conversation once
        concurrent = asyncio.run(run_load(base, concurrency, rounds))
        memory = {name: peak_memory_mb(p.pid) for name, p in processes.items()}
    finally:
        stop_processes(processes)
    return sequential, concurrent, memory


def section(title: str, concurrency: int, sequential, concurrent, memory) -> str:
    return "\n\n".join(
        [
            f"## {title}",
            table("One conversation at a time", *sequential),
            table(f"{concurrency} concurrent conversations", *concurrent),
            "### Peak memory (resident)\n\n| process | MB |\n|---|---|\n"
            + "\n".join(f"| {name} | {mb:.0f} |" for name, mb in memory.items()),
        ]
    )


def main() -> int:
    from bot.ops.cli import train

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--concurrency", type=int, default=int(os.environ.get("BENCH_CONCURRENCY", "10")))
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "4")))
    args = parser.parse_args()

    model = train()
    sections = [
        section("One Rasa server, SQLite", args.concurrency, *measure(model, 1, "", "", args.concurrency, args.rounds))
    ]
    postgres, redis = os.environ.get("BENCH_POSTGRES_URL", ""), os.environ.get("BENCH_REDIS_URL", "")
    if postgres and redis:
        sections.append(
            section(
                "Scale-out profile: two Rasa servers, PostgreSQL and Redis",
                args.concurrency,
                *measure(model, 2, postgres, redis, args.concurrency, args.rounds),
            )
        )
    else:
        print("BENCH_POSTGRES_URL and BENCH_REDIS_URL not set: the scale-out profile is not measured.")

    machine = (
        f"{platform.node()}: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"{platform.platform()}, Python {platform.python_version()}"
    )
    report = "\n\n".join(
        [
            "# Benchmarks (make bench)",
            f"Machine: {machine}. Run: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. "
            "Every process on this one machine.",
            *sections,
        ]
    )
    print(report)
    (ROOT / "docs").mkdir(exist_ok=True)
    (ROOT / "docs" / "benchmarks.md").write_text(report + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
