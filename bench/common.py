"""What the benchmarks share: a fresh, migrated database (a temp SQLite file, or a private PostgreSQL schema)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import make_url

from data.db import make_engine, upgrade


def fresh_engine(url: str, schema: str):
    """A migrated, empty database; on PostgreSQL in its own schema, so tests sharing the server are unharmed."""
    if make_url(url).get_backend_name() == "postgresql":
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"))
        admin.dispose()
        url = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    return engine


def drop_pg_schema(url: str, schema: str) -> None:
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()
