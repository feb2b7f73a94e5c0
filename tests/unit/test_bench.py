"""The benchmark's arithmetic (bot/ops/bench.py): percentiles, the first message against the
others, the slowest conversation, and which process a command line is."""

from bot.ops.bench import (
    CONVERSATIONS,
    MESSAGES_PER_CONVERSATION,
    STOCK_CONVERSATIONS,
    Run,
    Turn,
    by_kind,
    percentile,
    process_name,
    summary,
    verdict,
)


def test_percentile_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 51.0  # round(49.5) = 50 -> the 51st value
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([3.0], 0.99) == 3.0


def test_summary_separates_first_messages_and_finds_the_slowest_conversation():
    turns = []
    for conversation in range(4):
        for index in range(10):
            slow = conversation == 3  # one starved conversation
            turns.append(
                Turn(
                    conversation,
                    index,
                    "q",
                    (0.5 if slow else 0.1) + (0.2 if index == 0 else 0),
                    ok=not (conversation == 0 and index == 9),
                )
            )
    s = summary(Run(turns, elapsed=4.0))
    assert s["messages"] == 40 and s["rate"] == 10.0 and s["errors"] == 1
    assert round(s["first_p50"]) == 300 and round(s["rest_p50"]) == 100
    assert round(s["slowest_conversation_p95"]) == 700
    assert by_kind(Run(turns, 4.0))["q"]["n"] == 40


def test_process_names_as_the_cli_starts_them():
    assert process_name(["python", "-m", "rasa", "run", "--model", "m"]) == "rasa"
    assert process_name(["python", "-m", "rasa_sdk", "--actions", "actions"]) == "actions"
    assert process_name(["python", "-m", "bot.gateway.web"]) == "gateway"


def test_verdict_direction():
    assert verdict(1.1, 1.2) == "met" and verdict(1.3, 1.2) != "met"
    assert verdict(1.6, 1.5, at_least=True) == "met" and verdict(1.4, 1.5, at_least=True) != "met"


def test_conversations_have_the_same_length_on_both_sides():
    assert all(len(c) == MESSAGES_PER_CONVERSATION for c in CONVERSATIONS)
    assert all(len(c) == MESSAGES_PER_CONVERSATION for c in STOCK_CONVERSATIONS)


def test_profile_samples_go_to_the_most_specific_category():
    from bot.ops.bench_profile import RASA, categorize, leaves, parse

    raw = [
        "main (rasa/__main__.py:1);predict (rasa/core/policies/ted_policy.py:834);"
        "_featurize (rasa/core/featurizers/tracker_featurizers.py:489) 7",
        "main (rasa/__main__.py:1);predict (rasa/core/policies/ted_policy.py:834);"
        "quick_execute (tensorflow/python/eager/execute.py:52) 5",
        "main (rasa/__main__.py:1);save (rasa/core/tracker_store.py:1) 2",
        "main (rasa/__main__.py:1);poll (selectors.py:1) 1",
        "",
    ]
    stacks = parse(raw)
    totals = categorize(stacks, RASA)
    assert totals["policies: tracker featurization (states -> features)"] == 7
    assert totals["policies: TED (TensorFlow)"] == 5
    assert totals["tracker store (save/retrieve, SQL)"] == 2 and totals["other"] == 1
    assert leaves(stacks, 1) == [("_featurize (rasa/core/featurizers/tracker_featurizers.py:489)", 7)]


def test_try_again_replies_are_recognised():
    from bot.ops.bench import is_try_again

    assert is_try_again(["Sorry, I could not answer that right now. Please try again, or e-mail x."])
    assert is_try_again(["Je ne peux pas vérifier l'état des demandes pour le moment. Réessayez."])
    assert not is_try_again(["Partners in Protection is free to join."])


def test_report_puts_ratios_beside_the_targets():
    from bot.ops.bench import Side, report

    def run(seconds, first, elapsed):
        return Run([Turn(c, i, "q", first if i == 0 else seconds, True) for c in range(5) for i in range(10)], elapsed)

    ours = Side(
        "ours",
        ready_s=30.0,
        warmup=run(0.1, 0.1, 1),
        sequential=run(0.1, 0.1, 5.0),
        concurrent=run(1.0, 1.0, 2.0),
        memory_mb={"rasa": 1100, "supervisor (serve)": 30},
        load={"start": (0.5, 0.5, 0.5), "end": (0.7, 0.6, 0.5)},
        cpu_s={"rasa": 2.0, "gateway": 0.5, "load generator": 0.25},
    )
    stock = Side(
        "stock",
        ready_s=40.0,
        warmup=run(0.1, 0.1, 1),
        sequential=run(0.1, 0.1, 5.0),
        concurrent=run(2.0, 2.0, 4.0),
        memory_mb={"rasa": 1000},
        load={"start": (0.5, 0.5, 0.5), "end": (0.6, 0.6, 0.5)},
    )
    text = report([ours, stock], concurrency=5, sequential=5)
    assert "Taken under load" not in text
    assert "| 5 at once: throughput, ours/stock | 2.00 (25.0 / 12.5 msg/s) | ≥ 1.5 | met |" in text
    assert "| One at a time: p95, ours/stock | 1.00 (100 / 100 ms) | ≤ 1.2 | met |" in text
    assert "**not met**" not in text
    # 50 messages at once: CPU per message, and the assistant's own share without the load generator's.
    assert "rasa 40.0, gateway 10.0, load generator 5.0; the assistant's processes together 50.0." in text


def test_cpu_meter_counts_the_cpu_a_process_uses_during_a_phase():
    import os
    import time

    from bot.ops.bench import CpuMeter, Side, cpu_seconds, during

    side = Side("ours")
    finish = during(CpuMeter(side, lambda: {"this": os.getpid()}))()
    started = time.process_time()
    while time.process_time() - started < 0.3:  # busy, so the CPU is this process's
        pass
    finish()
    assert 0.25 <= side.cpu_s["this"] <= 1.0
    assert (
        side.cpu_s["load generator"] == side.cpu_s["this"]
        or abs(side.cpu_s["load generator"] - side.cpu_s["this"]) < 0.05
    )
    assert cpu_seconds(2**22 + 12345) is None  # a process that is gone: nothing, not an error


def test_cpu_meter_leaves_out_a_process_that_is_gone_by_the_end() -> None:
    import subprocess
    import sys

    from bot.ops.bench import CpuMeter, Side, during

    short = subprocess.Popen([sys.executable, "-c", "pass"])
    side = Side("ours")
    finish = during(CpuMeter(side, lambda: {"short": short.pid}))()
    short.wait()
    finish()
    assert "short" not in side.cpu_s and "load generator" in side.cpu_s  # not a negative or made-up figure
