"""Engine and sessions, with timeouts, for SQLite (default) and PostgreSQL.

Every unit of work opens a short session and closes it; no session is shared between
conversations. Async callers use `Database.run`, which runs the (blocking) driver in a
worker thread with a deadline so that the event loop never waits on the database.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.core.database_url import database_url

T = TypeVar("T")
logger = logging.getLogger(__name__)
QUERY_TIMEOUT = 3.0  # seconds, for connecting and for each statement
# A write-ahead log keeps the size its largest transaction gave it (a purge of old transcripts,
# say) until the last connection closes; this is what it is cut back to after a checkpoint.
WAL_SIZE_LIMIT = 32 * 1024 * 1024  # bytes


class DatabaseUnavailable(Exception):
    """The database did not answer, or not in time."""


def make_engine(url: str | None = None, timeout: float = QUERY_TIMEOUT) -> Engine:
    url = url or database_url()
    backend = make_url(url).get_backend_name()
    options: dict = {"future": True, "pool_pre_ping": True}
    if is_sqlite_file(url):
        return sqlite_file_engine(url, timeout, **options)
    if backend == "sqlite":
        options["connect_args"] = {"timeout": timeout, "check_same_thread": False}
    elif backend == "postgresql":
        options["connect_args"] = {
            "connect_timeout": max(1, int(timeout)),
            "options": f"-c statement_timeout={int(timeout * 1000)}",
        }
        options.update(pool_size=5, max_overflow=5, pool_timeout=timeout)
    engine = create_engine(url, **options)
    if backend == "sqlite":
        tune_sqlite(engine)
    return engine


def is_sqlite_file(url: str | URL) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")


def sqlite_file_engine(url: str | URL, timeout: float, synchronous: str = "FULL", **options: Any) -> Engine:
    """An engine for an SQLite file: pooled (SQLAlchemy 1.4 would open a file per unit of work)
    and tuned by `tune_sqlite`; `timeout` is how long a writer waits for the file's lock and for a
    pooled connection. The application database and Rasa's tracker store both open theirs here.
    `synchronous` is SQLite's: FULL syncs every commit to disk; NORMAL, with the write-ahead log,
    syncs at checkpoints only: a commit survives a crash of the process, but the last ones may be
    lost if the machine itself loses power (the file is never corrupted)."""
    engine = create_engine(
        url,
        poolclass=QueuePool,
        pool_timeout=timeout,
        connect_args={"timeout": timeout, "check_same_thread": False},
        **options,
    )
    tune_sqlite(engine, synchronous)
    return engine


def tune_sqlite(engine: Engine, synchronous: str = "FULL") -> None:
    """Foreign keys on (SQLite leaves them off by default), and a file database in write-ahead-log
    mode: one sync per commit rather than three (none with `synchronous` NORMAL), and readers never wait
    for the writer. A unit of work (connect, insert, commit) took 4.2 ms with
    SQLAlchemy 1.4's default for SQLite files (no pool, rollback journal) and 1.3 ms with a pool
    and the log (docs/benchmarks.md, session 15). The mode is kept in the file; every engine of
    ours (the gateway's, the action server's, Rasa's tracker store, the insights reader and the
    daily purge) opens its file here, so each also bounds the log."""

    write_ahead_log = is_sqlite_file(engine.url)  # not for an in-memory database

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        if write_ahead_log:
            dbapi_connection.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
            try:
                dbapi_connection.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError:  # another process held a lock: as correct, only slower
                logger.warning("SQLite %s stays in its journal mode for now (locked).", engine.url.database)
            dbapi_connection.execute(f"PRAGMA synchronous={synchronous}")


class Database:
    def __init__(self, url: str | None = None, timeout: float = QUERY_TIMEOUT) -> None:
        self.url = url or database_url()
        self.timeout = timeout
        self.engine = make_engine(self.url, timeout)
        self._sessions = sessionmaker(self.engine, future=True, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One short transaction: committed on success, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def call(self, work: Callable[..., T], *args: Any) -> T:
        """Runs `work(session, *args)` in its own transaction (blocking)."""
        try:
            with self.session() as session:
                return work(session, *args)
        except SQLAlchemyError as failure:
            raise DatabaseUnavailable(type(failure).__name__) from failure

    async def run(self, work: Callable[..., T], *args: Any) -> T:
        """Runs `work(session, *args)` in a worker thread, within the deadline."""
        try:
            return await asyncio.wait_for(asyncio.to_thread(self.call, work, *args), self.timeout + 1)
        except asyncio.TimeoutError as failure:
            raise DatabaseUnavailable("timeout") from failure

    def dispose(self) -> None:
        self.engine.dispose()
