"""Alembic environment: migrates the database named by the configured URL."""

from alembic import context
from sqlalchemy import create_engine

from bot.store.models import Base

engine = create_engine(context.config.get_main_option("sqlalchemy.url"), future=True)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
