"""DATABASE_URL: SQLite file by default, PostgreSQL in production.

The application data and Rasa's tracker store share the database server; Rasa's tracker
store wants the URL split into parts, which this module does. Credentials reach Rasa
through the environment, never through a file.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from bot.core.paths import VAR
from bot.core.settings import env

# Rasa's SQL tracker store, masking personal data before it is written.
TRACKER_STORE = "bot.rasa_ext.tracker_store.MaskingSQLTrackerStore"


def database_url() -> str:
    return env("DATABASE_URL", f"sqlite:///{VAR / 'tta.db'}")


def tracker_store_yaml(database: str | None = None) -> str:
    url = make_url(database or database_url())
    if url.get_backend_name() == "sqlite":
        # Rasa's tracker gets its own SQLite file beside ours: SQLite locks a file per writer.
        folder = Path(url.database).parent if url.database else VAR
        return f"tracker_store:\n  type: {TRACKER_STORE}\n  dialect: sqlite\n  db: {folder / 'tracker.db'}\n"
    fields = {
        "dialect": "postgresql",
        "url": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "db": url.database,
        "username": "${TRACKER_DB_USER}",
        "password": "${TRACKER_DB_PASSWORD}",
    }
    # Rasa expands ${...} only in plain (unquoted) YAML scalars.
    return f"tracker_store:\n  type: {TRACKER_STORE}\n" + "".join(
        f"  {k}: {v}\n" if str(v).startswith("${") else f'  {k}: "{v}"\n' for k, v in fields.items()
    )


def tracker_database_url(database: str | None = None) -> str:
    """Where Rasa's tracker store is: the SQLite file beside ours, or the same PostgreSQL."""
    url = make_url(database or database_url())
    if url.get_backend_name() == "sqlite":
        folder = Path(url.database).parent if url.database else VAR
        return f"sqlite:///{folder / 'tracker.db'}"
    return url.render_as_string(hide_password=False)


def tracker_credentials(database: str | None = None) -> dict[str, str]:
    url = make_url(database or database_url())
    if url.get_backend_name() == "sqlite":
        return {}
    return {"TRACKER_DB_USER": url.username or "", "TRACKER_DB_PASSWORD": url.password or ""}
