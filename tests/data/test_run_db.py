"""run_db and Prepared: how the message path reaches the database from the event loop."""

import asyncio
import sqlite3
import threading
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import bindparam, select, text, update
from sqlmodel import Session

from data.db import Prepared, make_engine, run_db, upgrade
from data.models import ConversationState, Outbox, Person, UTCDateTime


def _write(engine, marker: list) -> int:
    """One write transaction; records the thread it ran on."""
    marker.append(threading.get_ident())
    with Session(engine) as session:
        person = Person(created_at=datetime(2026, 3, 2, tzinfo=UTC))
        session.add(person)
        session.commit()
        return person.id


def test_sqlite_work_runs_on_the_loop_when_the_write_lock_is_free(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/bot.db")
    upgrade(engine)
    ran_on: list[int] = []

    async def scenario():
        return threading.get_ident(), await run_db(engine, _write, engine, ran_on)

    loop_thread, person_id = asyncio.run(scenario())
    assert ran_on == [loop_thread] and person_id == 1



def test_after_a_first_try_on_the_loop_other_work_on_that_connection_still_waits_for_the_lock(tmp_path):
    """run_db's first try never waits for the lock; a scheduler pass on the same pooled connection
    afterwards must wait its turn as usual, not fail with 'database is locked'."""
    path = tmp_path / "bot.db"
    engine = make_engine(f"sqlite:///{path}", busy_timeout_ms=3000)
    upgrade(engine)
    asyncio.run(run_db(engine, _write, engine, []))  # on the loop, with no wait
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, other.execute, ("COMMIT",))
    release.start()
    assert _write(engine, []) == 2  # waited for the lock, then wrote
    release.join()

def test_a_held_sqlite_lock_never_stalls_the_loop_and_the_work_runs_once(tmp_path):
    """Another process (or a scheduler pass) holds the write lock: the loop keeps serving, and the
    message's transaction waits on the writer thread, then runs exactly once."""
    path = tmp_path / "bot.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the lock, held elsewhere
    ran_on: list[int] = []

    async def scenario():
        loop_thread = threading.get_ident()
        work = asyncio.ensure_future(run_db(engine, _write, engine, ran_on))
        ticks = 0
        for _ in range(20):  # the loop is free while the lock is held
            await asyncio.sleep(0.01)
            ticks += 1
        assert not work.done()
        other.execute("COMMIT")
        person_id = await asyncio.wait_for(work, 5)
        return loop_thread, ticks, person_id

    loop_thread, ticks, person_id = asyncio.run(scenario())
    assert ticks == 20 and person_id == 1
    assert len(ran_on) == 2 and ran_on[0] == loop_thread and ran_on[1] != loop_thread  # tried, then handed over
    with Session(engine) as session:
        assert len(session.exec(select(Person)).all()) == 1  # the refused first try wrote nothing
    with engine.connect() as conn:  # and the connection went back to waiting normally
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_prepared_statements_store_and_read_values_as_the_orm_does(engine):
    hk = timezone(timedelta(hours=8))
    at = datetime(2026, 3, 2, 18, 30, 15, 123456, tzinfo=hk)
    with Session(engine) as session:
        person = Person(created_at=at)
        session.add(person)
        session.flush()
        session.add(ConversationState(person_id=person.id, flow="craving", step="where",
                                      data={"n": 1, "名": "梅"}, suspended=[{"flow": "checkin"}], updated_at=at))
        session.commit()
        person_id = person.id
    state = ConversationState.__table__
    read = Prepared(select(state.c.data, state.c.suspended, state.c.updated_at).where(state.c.person_id == bindparam("p")))
    write = Prepared(update(state).where(state.c.person_id == bindparam("p")).values(
        data=bindparam("d", type_=state.c.data.type), updated_at=bindparam("u", type_=UTCDateTime())))
    with engine.begin() as conn:
        assert read.first(conn, {"p": person_id}) == ({"n": 1, "名": "梅"}, [{"flow": "checkin"}], at)
        write.execute(conn, {"p": person_id, "d": {"k": [1, 2]}, "u": at + timedelta(days=1)}).close()
        assert read.first(conn, {"p": person_id - 1}) is None
    with Session(engine) as session:  # what the ORM reads back is what was written
        stored = session.get(ConversationState, person_id)
        assert stored.data == {"k": [1, 2]} and stored.updated_at == at + timedelta(days=1)
        assert stored.updated_at.tzinfo is not None


def test_prepared_runs_many_rows_in_one_call(engine):
    table = Outbox.__table__
    now = datetime(2026, 3, 2, tzinfo=UTC)
    with Session(engine) as session:
        for n in range(3):
            session.add(Outbox(channel="telegram", address="1", text=f"m{n}", idempotency_key=f"k{n}", due_at=now,
                               created_at=now))
        session.commit()
    mark = Prepared(update(table).where(table.c.id == bindparam("rid")).values(provider_id=bindparam("pid")))
    with engine.begin() as conn:
        mark.executemany(conn, [{"rid": 1, "pid": "a"}, {"rid": 3, "pid": "c"}])
    with Session(engine) as session:
        assert [r.provider_id for r in session.exec(select(Outbox).order_by(Outbox.id)).scalars()] == ["a", None, "c"]


def test_a_recipients_claim_reads_their_queue_not_their_history(tmp_path):
    """Leasing a chat's replies looks only at its unsent messages (a partial index), so it costs the
    same after a year of messages as on the first day."""
    from sqlalchemy.dialects import sqlite as sqlite_dialect

    from data.outbox import _claim_queue_statement

    engine = make_engine(f"sqlite:///{tmp_path}/bot.db")
    upgrade(engine)
    sql = str(_claim_queue_statement("sqlite").compile(dialect=sqlite_dialect.dialect()))
    with engine.connect() as conn:
        plan = [row[3] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, tuple([None] * sql.count("?")))]
    searches = [step for step in plan if step.startswith("SEARCH")]
    assert len(searches) == 2 and all("ix_outbox_unsent" in step for step in searches), plan
