"""Alembic environment: runs migrations on the engine the app hands over (never reads the environment)."""

from alembic import context
from sqlmodel import SQLModel

from data import models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # `alembic` CLI use: fall back to the URL in the config
    from data.db import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url"))

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
