"""Command line: set up, train and run the three processes.

python -m bot.ops.cli setup    # spaCy pipelines, local secrets, endpoints
python -m bot.ops.cli train    # trains unless a model for these inputs exists
python -m bot.ops.cli serve    # gateway + Rasa + action server, in the foreground; restarts any that dies
AGENT_PASSWORD=... python -m bot.ops.cli agent NAME   # create an agent or reset its password
python -m bot.ops.cli load-fixture FILE               # load (or replace) applications from a file
python -m bot.ops.cli purge-conversations [--days N]  # delete old conversations (run daily)
python -m bot.ops.cli export-examples [--out DIR]     # reviewed questions -> data/nlu/reviewed_*.yml
python -m bot.ops.cli report [--days N] [--out DIR]   # insights table, charts as SVG (results/report/)
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.database_url import database_url
from bot.core.paths import MODELS, ROOT, VAR
from bot.core.settings import ensure_secrets, env
from bot.ops.supervisor import Child, KeepsCrashing, RestartPolicy, Supervisor
from bot.rasa_ext.endpoints import redis_credentials, redis_url, write_endpoints

if TYPE_CHECKING:
    from bot.store.engine import Database

# What the trained model depends on: any change here means a new model.
# What a trained model depends on: its hash names the model file, so a change to any of these
# (and only these) means retraining. The code is what config.yml's custom components and
# policies are and import, and the spaCy pipelines the tokenizer loads; runtime-only modules
# (the tracker store, rasa_process.py's patches, the channel, the NLG) are not listed, so
# changing them does not force a retrain (tests/unit/test_model_inputs.py).
MODEL_INPUTS = [
    "config.yml",
    "domain",
    "data/nlu",
    "data/rules",
    "data/stories",
    "bot/rasa_ext/nlu.py",  # LanguageDetector, BilingualSpacyTokenizer, the two extractors
    "bot/rasa_ext/training_fingerprints.py",  # the tokens BilingualSpacyTokenizer makes
    "bot/rasa_ext/answer_selection.py",  # TopicAnswerSelector
    "bot/rasa_ext/cautious_intents.py",  # CautiousIntentFirst
    "bot/rasa_ext/sentence_embeddings.py",  # SentenceEmbeddingFeaturizer
    "bot/rasa_ext/linear_classifier.py",  # LinearTopicClassifier, LinearAnswerSelector
    "bot/rasa_ext/spacy_pipelines.py",  # builds the pipelines BilingualSpacyTokenizer loads
    "bot/core/language.py",
    "bot/core/business_types.py",
    "bot/core/paths.py",
    "bot/core/code_fingerprint.py",  # the components' key in Rasa's training cache
    "bot/core/answer_ids.py",
    "bot/core/machine.py",  # the cores training embeds on
    "policies",  # RepeatedMisunderstandingPolicy
]
TRAINING_DATA = ["data/nlu", "data/rules", "data/stories"]


def quiet_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for Rasa processes: no telemetry (no network), quiet TensorFlow."""
    values = dict(os.environ)
    values.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "PYTHONPATH": str(ROOT),
            "PYTHONHASHSEED": "0",
        }
    )
    values.update(extra or {})
    return values


def model_hash(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for name in MODEL_INPUTS:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.suffix in (".yml", ".yaml", ".py") and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(root)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def model_path() -> Path:
    return MODELS / f"tta-{model_hash()}.tar.gz"


def setup() -> None:
    from bot.rasa_ext.spacy_pipelines import build

    build()
    ensure_secrets()
    servers = local_servers()  # writes the endpoints files
    # Rasa's own commands run from the root (`rasa shell`, `rasa interactive`) read ./endpoints.yml:
    # the same as the first server's, generated from the environment (not in git).
    shutil.copyfile(servers[0].endpoints, ROOT / "endpoints.yml")
    prepare_database()


@contextmanager
def application_database() -> Iterator[Database]:
    """The application database of DATABASE_URL, closed afterwards."""
    from bot.store.engine import Database

    database = Database()
    try:
        yield database
    finally:
        database.dispose()


def prepare_database() -> None:
    """Migrates the schema, loads the demo applications into an empty database, and
    (outside production) creates the demo agent account of the README."""
    from bot.gateway.agent_api import DEMO_AGENT
    from bot.store.queries import agent_exists, set_agent_password
    from bot.store.schema import DEMO_APPLICATIONS, prepare

    production = env("TTA_ENV", "development") == "production"
    loaded = prepare(database_url(), demo=None if production else DEMO_APPLICATIONS)
    if loaded:
        print(f"Database ready: {loaded} demo applications loaded.")
    if not production:
        with application_database() as database:
            if not database.call(agent_exists, DEMO_AGENT[0]):  # never undo a password reset
                database.call(set_agent_password, *DEMO_AGENT)


def create_agent(username: str) -> int:
    from bot.store.queries import set_agent_password

    password = os.environ.get("AGENT_PASSWORD", "")
    if not username or len(password) < 12:
        print("Usage: AGENT_PASSWORD=<12+ characters> make agent USER=<name>", file=sys.stderr)
        return 2
    with application_database() as database:
        created = database.call(set_agent_password, username, password)
    print(f"Agent '{username}' {'created' if created else 'password reset'}.")
    return 0


def load_fixture(path: Path) -> int:
    from bot.store.queries import load_applications
    from bot.store.schema import migrate

    with application_database() as database:
        migrate(database.url)
        count = database.call(load_applications, path)
    print(f"{count} applications loaded from {path}.")
    return 0


def purge_conversations(days: int) -> int:
    from bot.store.queries import delete_conversations_older_than
    from bot.store.review_queries import delete_unreviewed_older_than
    from bot.store.tracker_retention import clear_abandoned_slots, delete_tracker_events_older_than

    with application_database() as database:
        deleted = database.call(delete_conversations_older_than, days)
        unreviewed = database.call(delete_unreviewed_older_than, days)
    events = delete_tracker_events_older_than(days)
    cleared = clear_abandoned_slots()
    print(
        f"{deleted} conversations and {events} dialogue events older than {days} days deleted; "
        f"{cleared} business numbers removed from conversations abandoned mid-look-up; "
        f"{unreviewed} questions nobody reviewed removed from the review inbox."
    )
    return 0


def export_examples(out: Path) -> int:
    """The questions agents reviewed, as NLU training examples (bot/ops/export_examples.py)."""
    from bot.ops.export_examples import NLU_DATA, export, reviewed_files
    from bot.store.review_queries import reviewed_examples
    from bot.store.schema import migrate

    with application_database() as database:
        migrate(database.url)
        examples = database.call(reviewed_examples)
    added = export(examples, out, NLU_DATA)
    for lang, path in reviewed_files(out).items():
        print(f"{path}: {added[lang]} new examples" + ("" if path.exists() else " (no file: nothing reviewed yet)"))
    if any(added.values()):
        print("Run `make train` so that the assistant learns them.")
    return 0


def insights_report(days: int, out: Path, lang: str) -> int:
    from bot.ops.report import report
    from bot.store.schema import migrate

    if not 1 <= days <= 366:
        print("DAYS must be a whole number of days from 1 to 366.", file=sys.stderr)
        return 2
    migrate(database_url())
    print(report(days, out, lang), end="")
    return 0


@dataclass(frozen=True)
class LocalServer:
    """One Rasa server and the action server it calls, both on this machine's loopback."""

    number: int
    rasa_port: int
    actions_port: int
    endpoints: Path

    def name(self, process: str) -> str:
        return process if self.number == 1 else f"{process}-{self.number}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"


def local_servers(
    ports: list[tuple[int, int]] | None = None,
    folder: Path = VAR,
    database: str | None = None,
    redis: str | None = None,
) -> list[LocalServer]:
    """The Rasa/action server pairs to run here, each with its endpoints file. By default
    RASA_SERVERS pairs (1 unless scaling out) on consecutive ports from RASA_PORT/ACTIONS_PORT."""
    redis = redis if redis is not None else redis_url()
    if ports is None:
        count = int(env("RASA_SERVERS", "1"))
        rasa, actions = int(env("RASA_PORT", "5005")), int(env("ACTIONS_PORT", "5055"))
        ports = [(rasa + i, actions + i) for i in range(count)]
    if len(ports) > 1:
        check_scale_out(database or database_url())
    return [
        LocalServer(
            number,
            rasa_port,
            actions_port,
            write_endpoints(
                folder / ("endpoints.yml" if number == 1 else f"endpoints-{number}.yml"), actions_port, database, redis
            ),
        )
        for number, (rasa_port, actions_port) in enumerate(ports, start=1)
    ]


def check_scale_out(database: str) -> None:
    """Several Rasa servers must share the tracker store: PostgreSQL, or an SQLite file on this
    machine. The lock store may be Redis (REDIS_URL) or each server's own memory: the gateway's
    routing keeps a conversation on one server (bot/gateway/rasa_client.py), so without Redis only
    the moments around a fail-over could see two servers on one conversation."""
    from sqlalchemy.engine import make_url

    url = make_url(database)
    if url.get_backend_name() == "postgresql" or (
        url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    ):
        return
    raise SystemExit("RASA_SERVERS > 1 needs DATABASE_URL on PostgreSQL or an SQLite file (the shared tracker store).")


def train(force: bool = False) -> Path:
    from bot.rasa_ext.sentence_embeddings import KEEP_ENV
    from bot.rasa_ext.spacy_pipelines import build

    build()
    target = model_path()
    if target.exists() and not force:
        print(f"Model is up to date: {target.relative_to(ROOT)}")
        return target
    MODELS.mkdir(exist_ok=True)
    print(f"Training {target.name} (a few minutes on 2 cores)...", flush=True)
    command = [
        sys.executable,
        "-m",
        "rasa",
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain",
        "--data",
        *TRAINING_DATA,
        "--out",
        str(MODELS),
        "--fixed-model-name",
        target.name[: -len(".tar.gz")],
    ]
    started = time.monotonic()
    # Training keeps its examples' embeddings there: a data change embeds only what it adds.
    keep = {KEEP_ENV: str(VAR / "embeddings" / "training.npz")}
    subprocess.run(command, cwd=ROOT, env=quiet_env(keep), check=True)
    print(f"Trained in {time.monotonic() - started:.0f} s: {target.relative_to(ROOT)}")
    for old in MODELS.glob("tta-*.tar.gz"):
        if old != target:
            old.unlink()  # keep one model: the one these inputs produce
    return target


def process_commands(model: Path, servers: list[LocalServer]) -> dict[str, list[str]]:
    py = sys.executable
    commands: dict[str, list[str]] = {}
    for server in servers:
        commands[server.name("actions")] = [
            py,
            "-m",
            "rasa_sdk",
            "--actions",
            "actions",
            "--port",
            str(server.actions_port),
        ]
    for server in servers:
        commands[server.name("rasa")] = [
            py,
            "-m",
            "rasa",
            "run",
            "--model",
            str(model),
            "--endpoints",
            str(server.endpoints),
            "--credentials",
            "credentials.yml",
            "--interface",
            "127.0.0.1",
            "--port",
            str(server.rasa_port),
        ]
    commands["gateway"] = [py, "-m", "bot.gateway.web"]
    return commands


def start_processes(
    model: Path,
    servers: list[LocalServer],
    extra_env: dict[str, str] | None = None,
    only: list[str] | None = None,
    logs: Path | None = None,
) -> dict[str, subprocess.Popen]:
    """Starts the action servers, the Rasa servers and the gateway (or `only` some of them,
    e.g. to restart one). The gateway learns the Rasa servers from RASA_URLS.
    With `logs`, each process writes to logs/<name>.log instead of the terminal."""
    from bot.core.database_url import tracker_credentials

    # Generated secrets fill in what the environment does not set (as `env()` reads them).
    generated = {k: v for k, v in ensure_secrets().items() if not os.environ.get(k)}
    environment = quiet_env({"SANIC_HOST": "127.0.0.1", **generated, **(extra_env or {})})
    environment.update(tracker_credentials(environment.get("DATABASE_URL")))
    environment.update(redis_credentials(environment.get("REDIS_URL") or redis_url()))
    environment["RASA_URLS"] = ",".join(s.rasa_url for s in servers)
    # Start-up order: actions and Rasa first; the gateway last.
    processes = {}
    for name, command in process_commands(model, servers).items():
        if only is not None and name not in only:
            continue
        output = open(logs / f"{name}.log", "ab") if logs else None  # noqa: SIM115 - the child owns it
        processes[name] = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            start_new_session=True,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
        )
        if output:
            output.close()  # the child process has its own copy
    return processes


def stop_processes(processes: dict[str, subprocess.Popen], timeout: float = 15) -> None:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes.values():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_healthy(url: str, processes: dict[str, subprocess.Popen], timeout: float = 300) -> None:
    """Waits until `url` (the gateway's /healthz) answers 200; fails if a process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dead = {n: p.returncode for n, p in processes.items() if p.poll() is not None}
        if dead:
            raise RuntimeError(f"process stopped during start-up: {dead}")
        if healthy(url):
            return
        time.sleep(1)
    raise TimeoutError(f"{url} not healthy after {timeout} s")


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status == 200
    except Exception:  # noqa: BLE001 - any failure means "not yet"
        return False


def fully_working(url: str) -> bool:
    """`/healthz` says every part answers (with several Rasa servers, 200 may mean "degraded")."""
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status == 200 and json.loads(response.read()).get("status") == "ok"
    except Exception:  # noqa: BLE001 - any failure means "not yet"
        return False


def restart_policy() -> RestartPolicy:
    """How `serve` restarts a process that dies (README, "Configuration")."""
    try:
        policy = RestartPolicy(
            limit=int(env("RESTART_LIMIT", "5")),
            window=float(env("RESTART_WINDOW", "600")),
            first_delay=float(env("RESTART_DELAY", "1")),
        )
    except ValueError:
        policy = None
    if policy is None or policy.limit < 0 or policy.window <= 0 or policy.first_delay < 0:
        raise SystemExit(
            "RESTART_LIMIT must be a whole number (0 or more); RESTART_WINDOW and "
            "RESTART_DELAY a number of seconds (e.g. RESTART_LIMIT=5 RESTART_WINDOW=600)."
        )
    return policy


def describe(name: str, servers: list[LocalServer]) -> tuple[str, str]:
    """A process's name in plain language, and what people notice while it is down."""
    kind, _, number = name.partition("-")
    several = len(servers) > 1
    which = f" {number or 1}" if several else ""
    if kind == "actions":
        if several:
            return (
                f"the action server{which}",
                f"status look-ups in the conversations Rasa server"
                f"{which} serves are unavailable; knowledge questions are still answered",
            )
        return (
            "the action server",
            "status look-ups are unavailable (people are asked to try again); "
            "knowledge questions and follow-ups are still answered",
        )
    if kind == "rasa":
        if several:
            return f"Rasa server{which}", "its conversations go to the other Rasa servers"
        return (
            "Rasa",
            "the chat cannot answer (people are asked to try again in a few minutes); the web pages stay up",
        )
    return "the gateway", "the web pages and the chat cannot be reached"


def model_for_serving() -> Path | None:
    """The trained model for the current inputs. Training, when needed, runs in a child
    process: it imports spaCy and TensorFlow (about 450 MB), which the supervisor would
    otherwise keep in memory for as long as it runs."""
    from bot.rasa_ext.spacy_pipelines import built

    target = model_path()
    if target.exists() and built():
        return target
    if subprocess.run([sys.executable, "-m", "bot.ops.cli", "train"], cwd=ROOT).returncode != 0:
        print("Training failed (its messages are above): the assistant cannot start.", file=sys.stderr)
        return None
    return target


def serve(endpoints_dir: Path = VAR) -> int:
    """Runs the action server(s), Rasa server(s) and the gateway until Ctrl-C, restarting
    any that dies (bot/ops/supervisor.py). Exits non-zero only if one keeps crashing."""
    policy = restart_policy()  # before training: a typo in the settings should not wait minutes
    model = model_for_serving()
    if model is None:
        return 1
    servers = local_servers(folder=endpoints_dir)
    port = env("PORT", "8000")
    url = f"http://{env('HOST', '127.0.0.1')}:{port}"
    health = f"http://127.0.0.1:{port}/healthz"

    def starter(name: str) -> Callable[[], subprocess.Popen]:
        return lambda: start_processes(model, servers, only=[name])[name]

    supervisor = Supervisor(
        [Child(name, *describe(name, servers), start=starter(name)) for name in process_commands(model, servers)],
        policy,
    )
    stopping = False

    def on_signal(signum, frame):  # noqa: ARG001
        nonlocal stopping
        stopping = True

    # SIGHUP too: the children run in sessions of their own, so a closed terminal reaches
    # only us, and we must stop them rather than leave them holding the ports.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, on_signal)
    what = (
        "the action server, Rasa"
        if len(servers) == 1
        else f"{len(servers)} action servers, {len(servers)} Rasa servers"
    )
    print(f"Starting {what} and the gateway (Rasa takes 15-30 seconds, longer on a busy machine)...", flush=True)
    announced = recovering = False
    try:
        supervisor.start_all()
        while not stopping:
            recovering = bool(supervisor.check()) or recovering
            if not announced and healthy(health):
                print(f"\nTrusted Trader Assistant is ready: {url}/  (Ctrl-C stops it)\n", flush=True)
                announced, recovering = True, False
            elif announced and recovering and fully_working(health):
                supervisor.say("Every part answers again: the assistant is fully working.")
                recovering = False
            time.sleep(0.5)
        return 0
    except KeepsCrashing as failure:
        supervisor.give_up(failure)
        return 1
    finally:
        # Stop first: after a hang-up, writing to the closed terminal raises OSError.
        supervisor.stop_all()
        with contextlib.suppress(OSError):
            print("Stopped.", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.ops.cli", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="build spaCy pipelines, create local secrets and endpoints")
    train_parser = sub.add_parser("train", help="train unless an up-to-date model exists")
    train_parser.add_argument("--force", action="store_true")
    sub.add_parser("model-path", help="print the model file these inputs produce")
    serve_parser = sub.add_parser(
        "serve", help="run gateway, Rasa and action server until Ctrl-C, restarting any that dies"
    )
    serve_parser.add_argument(
        "--endpoints-dir",
        type=Path,
        default=VAR,
        help="where to write Rasa's endpoints files (default var/; tests use their own)",
    )
    agent_parser = sub.add_parser("agent", help="create an agent (AGENT_PASSWORD) or reset its password")
    agent_parser.add_argument("username")
    fixture_parser = sub.add_parser("load-fixture", help="load applications from a YAML file")
    fixture_parser.add_argument("path", type=Path)
    purge_parser = sub.add_parser("purge-conversations", help="delete conversations older than N days")
    purge_parser.add_argument("--days", type=int, default=int(env("RETENTION_DAYS", "30")))
    export_parser = sub.add_parser("export-examples", help="write reviewed questions as NLU training examples")
    export_parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "data" / "nlu",
        help="folder of reviewed_en.yml and reviewed_fr.yml (default data/nlu)",
    )
    report_parser = sub.add_parser("report", help="print the insights of the last N days, write the charts")
    report_parser.add_argument("--days", type=int, default=7)
    report_parser.add_argument("--out", type=Path, default=ROOT / "results" / "report")
    report_parser.add_argument("--lang", choices=("en", "fr"), default="en")
    args = parser.parse_args(argv)
    if args.command == "setup":
        setup()
    elif args.command == "train":
        train(args.force)
    elif args.command == "model-path":
        print(model_path())
    elif args.command == "serve":
        try:
            return serve(args.endpoints_dir)
        except KeyboardInterrupt:  # Ctrl-C while the model was training
            return 130
    elif args.command == "agent":
        return create_agent(args.username)
    elif args.command == "load-fixture":
        return load_fixture(args.path)
    elif args.command == "purge-conversations":
        return purge_conversations(args.days)
    elif args.command == "export-examples":
        return export_examples(args.out)
    elif args.command == "report":
        return insights_report(args.days, args.out, args.lang)
    return 0


if __name__ == "__main__":
    sys.exit(main())
