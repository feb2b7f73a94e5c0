"""Creates and upgrades the schema with Alembic, and loads the demo data once."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from bot.core.paths import ROOT
from bot.store.engine import Database
from bot.store.queries import count_applications, load_applications

DEMO_APPLICATIONS = ROOT / "data" / "demo" / "applications.yml"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parent / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def prepare(url: str | None = None, demo: Path | None = DEMO_APPLICATIONS) -> int:
    """Migrates, then loads the demo applications (if given) into an empty database."""
    database = Database(url)
    try:
        migrate(database.url)
        if demo and database.call(count_applications) == 0:
            return database.call(load_applications, demo)
        return 0
    finally:
        database.dispose()
