"""Engines, sessions and schema migrations for the embedded SQLite file or a PostgreSQL server."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import sqlite3
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import Engine, bindparam, create_engine, event, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.instrumentation import manager_of_class

MIGRATIONS = Path(__file__).parent / "migrations"


def _without_row_values(context) -> None:
    """PostgreSQL puts the failing row's values in an error's DETAIL ("Failing row contains (...)"): keep
    only the first line, so no log line or traceback carries a message, a name or an address."""
    orig = context.original_exception
    text = str(orig)
    first = text.split("\n", 1)[0]
    if first == text:
        return
    try:
        orig.args = (first,)
    except (AttributeError, TypeError):  # pragma: no cover - a driver error that will not take new args
        return
    wrapped = context.sqlalchemy_exception
    if wrapped is not None and wrapped.args:
        wrapped.args = (wrapped.args[0].replace(text, first),) + tuple(wrapped.args[1:])


def make_engine(url: str, *, echo: bool = False, busy_timeout_ms: int = 5000) -> Engine:
    """Build an engine; SQLite gets WAL, a busy timeout, foreign keys and write-locking transactions."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10,
                               hide_parameters=True)
        event.listen(engine, "handle_error", _without_row_values)
        return engine

    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url, echo=echo, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        # The connection used last goes out first: its page cache and prepared statements are warm.
        pool_use_lifo=True,
        # A failed statement's error (and so any log line or traceback) never carries the values: they are
        # people's messages, names and addresses.
        hide_parameters=True,
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
        fairy = conn.connection
        driver = fairy.dbapi_connection
        attempt = _AT_ONCE.get()
        first = attempt is not None and attempt.first
        # run_db's first try on the event loop takes the write lock now or says it is busy, never
        # waits; everything else waits up to the busy timeout. The setting stays on the connection,
        # so it is only changed when this transaction needs the other one.
        wait = 0 if first else int(busy_timeout_ms)
        if fairy.info.get("busy_timeout", busy_timeout_ms) != wait:
            driver.execute(f"PRAGMA busy_timeout={wait}")
            fairy.info["busy_timeout"] = wait
        if not first:
            driver.execute("BEGIN IMMEDIATE")
            return
        attempt.first = False
        try:
            driver.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise Busy("the SQLite write lock is held elsewhere") from exc

    return engine


_WRITERS: weakref.WeakKeyDictionary[Engine, ThreadPoolExecutor] = weakref.WeakKeyDictionary()
_WRITERS_LOCK = threading.Lock()
POSTGRES_WRITERS = 8


class Busy(Exception):
    """SQLite's write lock is held by another connection (raised instead of waiting; see run_db)."""


class _Attempt:
    first = True


_AT_ONCE: contextvars.ContextVar[_Attempt | None] = contextvars.ContextVar("sqlite_at_once", default=None)


def writer(engine: Engine) -> ThreadPoolExecutor:
    """The threads that run a message's database work for this engine when it cannot run at once.

    One for SQLite (it has a single writer: more threads would only queue on its lock), several for
    PostgreSQL, which locks rows, not the database.
    """
    with _WRITERS_LOCK:
        pool = _WRITERS.get(engine)
        if pool is None:
            workers = 1 if engine.dialect.name == "sqlite" else POSTGRES_WRITERS
            pool = _WRITERS[engine] = ThreadPoolExecutor(workers, thread_name_prefix="db-writer")
        return pool


async def run_db(engine: Engine, fn, /, *args, **kwargs):
    """Run blocking database work `fn(*args, **kwargs)` from the event loop and return its result.

    PostgreSQL work goes to the writer threads: it waits on the network, and the loop must not.
    SQLite work runs right here, on the loop, when the write lock is free: a message's transaction
    is about a millisecond of CPU, and on another thread it would only take turns with the loop for
    the GIL, which measured a third more CPU for the same work (the caches of both go cold). If
    another connection holds the lock (a scheduler pass, a second process), the first BEGIN says so
    at once instead of waiting, and the work goes to the writer thread, which waits for it: the loop
    never sleeps on SQLite's lock. Only a first transaction that never began is handed over, so
    nothing is done twice.
    """
    if engine.dialect.name == "sqlite":
        token = _AT_ONCE.set(_Attempt())
        try:
            return fn(*args, **kwargs)
        except Busy:
            pass
        finally:
            _AT_ONCE.reset(token)
    return await run_db_aside(engine, fn, *args, **kwargs)


def dialect_insert(dialect: str):
    """The dialect's insert() (both have ON CONFLICT), for statements built per dialect."""
    from sqlalchemy.dialects import postgresql, sqlite

    return postgresql.insert if dialect == "postgresql" else sqlite.insert


class Prepared:
    """A Core statement compiled once per dialect and run straight on the driver's cursor.

    For the handful of statements every message runs, SQLAlchemy's per-call work (finding the
    compiled form, an execution context, wrapping the result) costs several times what the
    database does: about 45 µs against 6 µs on SQLite. This keeps what matters from it, taken once:
    the dialect's SQL, the parameter order, and SQLAlchemy's own bind and result processors, so
    values are written and read exactly as the ORM writes and reads them. It runs on the
    connection the caller's transaction already holds.
    """

    def __init__(self, build) -> None:
        """`build` is a Core statement, or a function of the dialect name that returns one."""
        self._build = build if callable(build) else (lambda _name: build)
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, conn) -> _Compiled:
        dialect = conn.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _Compiled(self._build(dialect.name), dialect)
        return compiled

    def execute(self, conn, params: dict | None = None):
        """Run once; returns the DB-API cursor."""
        compiled = self._for(conn)
        cursor = conn.connection.cursor()
        cursor.execute(compiled.sql, compiled.bind(params or {}))
        return cursor

    def executemany(self, conn, rows: list[dict]) -> None:
        compiled = self._for(conn)
        cursor = conn.connection.cursor()
        cursor.executemany(compiled.sql, [compiled.bind(row) for row in rows])
        cursor.close()

    def all(self, conn, params: dict | None = None) -> list[tuple]:
        """The rows a SELECT or RETURNING gives, each value as SQLAlchemy would give it."""
        compiled = self._for(conn)
        cursor = self.execute(conn, params)
        rows = cursor.fetchall()
        cursor.close()
        return [compiled.load(row) for row in rows]

    def first(self, conn, params: dict | None = None) -> tuple | None:
        rows = self.all(conn, params)
        return rows[0] if rows else None


class _Compiled:
    def __init__(self, statement, dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.positional = compiled.positiontup  # the order of ? parameters; None for named (psycopg)
        required = {bp.key for bp in compiled.binds.values() if bp.required}
        self.defaults = {k: v for k, v in compiled.construct_params(dict.fromkeys(required)).items()
                         if k not in required}
        self.binders = {}
        for name in compiled.construct_params(dict.fromkeys(required)):
            processor = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.binders[name] = processor
        columns = getattr(statement, "exported_columns", ())
        self.loaders = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]

    def bind(self, params: dict):
        values = {**self.defaults, **params}
        for name, processor in self.binders.items():
            values[name] = processor(values[name])
        return [values[name] for name in self.positional] if self.positional is not None else values

    def load(self, row) -> tuple:
        return tuple(value if load is None else load(value) for load, value in zip(self.loaders, row, strict=True))


def attach(session, model, values):
    """A row already read, as a loaded `model` instance in `session`, built the way the ORM's own
    loader builds one (an empty instance, then its column values), for a tenth of `model(**values)`.
    `values` pairs column names with values as SQLAlchemy reads them (Prepared.all/first give that)."""
    obj = manager_of_class(model).new_instance()
    obj.__dict__.update(values)
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


class Rows:
    """A prepared SELECT of whole rows of one model, handed back as the session's objects.

    For the queries every message makes, which the ORM would build, look up in its compile cache and
    load anew on each call. It keeps the ORM's rules: changes waiting in the session are flushed
    before the query (autoflush), and a row the session already holds comes back as that object.
    """

    def __init__(self, model, *where, order_by=()) -> None:
        table = model.__table__
        self.model = model
        self.columns = [c.name for c in table.c]
        self.key_at = [self.columns.index(c.name) for c in inspect(model).primary_key]
        self.statement = Prepared(select(*table.c).where(*where).order_by(*order_by))

    def all(self, session, **params) -> list:
        if session.autoflush:
            session.flush()
        return [self._held_or_attached(session, row) for row in self.statement.all(session.connection(), params)]

    def first(self, session, **params):
        found = self.all(session, **params)
        return found[0] if found else None

    def _held_or_attached(self, session, row):
        held = session.identity_map.get((self.model, tuple(row[i] for i in self.key_at), None))
        if held is None:
            return attach(session, self.model, zip(self.columns, row, strict=True))
        if held._sa_instance_state.expired:
            session.refresh(held)
        return held


_BY_KEY: dict[type, Rows] = {}


def fetch(session, model, key):
    """`session.get(model, key)` for the message path: an object the session already holds, or one
    prepared SELECT by primary key (see Rows). The ORM's get builds and runs a full query every
    time, which measured several times the cost of the row itself. None when absent."""
    if key is None:
        return None
    held = session.identity_map.get((model, (key,), None))
    if held is not None:
        # An expired object (after a rollback, say) is the ORM's to refresh, exactly as get() would.
        return session.get(model, key) if held._sa_instance_state.expired else held
    by_key = _BY_KEY.get(model)
    if by_key is None:
        (pk,) = inspect(model).primary_key
        by_key = _BY_KEY[model] = Rows(model, pk == bindparam("key"))
    return by_key.first(session, key=key)


async def run_db_aside(engine: Engine, fn, /, *args, **kwargs):
    """Run blocking database work on the writer threads, never on the loop, and return its result.

    For work off the message path (the outbox draining a backlog, recording sends): a claim over a
    backlog takes tens of milliseconds, and on the loop it would hold up webhooks and make the
    send pacing late, which a rate limit with no burst turns straight into lost throughput.
    """
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
