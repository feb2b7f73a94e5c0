import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.store.engine import Database
from bot.store.schema import prepare


def _worker_postgres(url: str, worker: str) -> str:
    """With pytest-xdist (`make check` runs the unit tests in 2 processes) each worker gets a
    database of its own on the same server, created the first time: they cannot share one
    whose schema each test drops."""
    if worker in ("", "master"):
        return url
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    engine = create_engine(url, future=True, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def _fresh_postgres(url: str) -> None:
    engine = create_engine(url, future=True)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite database with the demo applications, made once per session (per
    worker): each test gets a copy, which takes milliseconds where migrating takes most of a second."""
    path = tmp_path_factory.mktemp("template") / "tta.db"
    prepare(f"sqlite:///{path}")
    return path


def fresh_postgres_url() -> str:
    """An empty PostgreSQL database of this test worker, or a skip (a failure with
    REQUIRE_POSTGRES=1) when TEST_POSTGRES_URL names no server."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set")
        pytest.skip("TEST_POSTGRES_URL not set: PostgreSQL tests need a server (.ci/run starts one)")
    url = _worker_postgres(url, os.environ.get("PYTEST_XDIST_WORKER", ""))
    _fresh_postgres(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """A migrated database with the demo applications: SQLite, and PostgreSQL when
    TEST_POSTGRES_URL names one (CI starts it; REQUIRE_POSTGRES=1 makes it mandatory)."""
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_template"), tmp_path / "tta.db")
        url = f"sqlite:///{tmp_path / 'tta.db'}"
    else:
        url = fresh_postgres_url()
        prepare(url)
    db = Database(url)
    yield db
    db.dispose()


@pytest.fixture(autouse=True)
def project_loggers_enabled(monkeypatch):
    """Some libraries configure logging with disable_existing_loggers (Rasa and Sanic via
    dictConfig): after a test that triggers it, our loggers would be silent and a test of what
    is logged would see nothing."""
    import logging

    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and name.split(".")[0] in ("bot", "actions"):
            monkeypatch.setattr(logger, "disabled", False)


@pytest.fixture
def logged():
    """The records our gateway loggers write, caught at the loggers themselves: what Rasa and
    other libraries do to logging earlier in the session (global disable, propagation) cannot
    hide them from the test."""
    import logging

    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler, previous_disable = Keep(logging.DEBUG), logging.root.manager.disable
    logging.disable(logging.NOTSET)
    loggers = [logging.getLogger(name) for name in ("bot.gateway.web", "bot.agent")]
    saved = [(logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.disabled = False
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    yield records
    for logger, (level, disabled) in zip(loggers, saved, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.disabled = disabled
    logging.disable(previous_disable)


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    """The real tokenizer, on the blank pipelines `make setup` builds (built here if missing)."""
    from bot.rasa_ext import nlu, spacy_pipelines

    folder = nlu.SPACY_DIR
    if not spacy_pipelines.built(folder):
        folder = tmp_path_factory.mktemp("spacy")
        spacy_pipelines.build(folder)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nlu, "SPACY_DIR", folder)
        yield nlu.BilingualSpacyTokenizer(nlu.BilingualSpacyTokenizer.get_default_config())
