"""Engines, sessions and schema migrations for the embedded SQLite file or a PostgreSQL server."""

from __future__ import annotations

import asyncio
import functools
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, *, echo: bool = False, busy_timeout_ms: int = 5000) -> Engine:
    """Build an engine; SQLite gets WAL, a busy timeout, foreign keys and write-locking transactions."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, echo=echo, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000}
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        # Let SQLAlchemy own transactions so BEGIN IMMEDIATE below takes the write lock up front:
        # two writers then queue on the busy timeout instead of failing on lock upgrade.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, never corrupt
        cur.execute("PRAGMA cache_size=-32768")  # 32 MiB of page cache per connection
        cur.execute("PRAGMA mmap_size=268435456")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # Straight to the driver: this runs once per transaction, on the hot path of every message.
        conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE")

    return engine


_WRITERS: weakref.WeakKeyDictionary[Engine, ThreadPoolExecutor] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()
POSTGRES_WRITERS = 8


def writer(engine: Engine) -> ThreadPoolExecutor:
    """The threads that run a message's database work for this engine, off the event loop.

    SQLite has a single writer. More threads than one only queue on its lock (its busy handler
    sleeps up to 100 ms at a time) and take turns with the GIL, which costs more CPU than the work
    itself; one thread runs the transactions back to back instead. PostgreSQL locks rows, not the
    database, so several run side by side.
    """
    with _WRITERS_LOCK:
        pool = _WRITERS.get(engine)
        if pool is None:
            workers = 1 if engine.dialect.name == "sqlite" else POSTGRES_WRITERS
            pool = _WRITERS[engine] = ThreadPoolExecutor(workers, thread_name_prefix="db-writer")
        return pool


async def in_writer(engine: Engine, fn, /, *args, **kwargs):
    """Run blocking database work `fn(*args, **kwargs)` on the engine's writer threads and await it."""
    return await asyncio.get_running_loop().run_in_executor(writer(engine), functools.partial(fn, *args, **kwargs))


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to date (idempotent)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
