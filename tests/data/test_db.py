"""The schema: migrations build it on SQLite and PostgreSQL, SQLite runs in WAL with a busy timeout."""

from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import bindparam, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

import data
from data.db import Rows, current_revision, fetch, make_engine, upgrade
from data.models import CheckIn, ClientProfile, InboundEvent, Person

# The newest migration file: an upgrade must reach it.
HEAD = max(p.name[:4] for p in (Path(data.__file__).parent / "migrations" / "versions").glob("0*.py"))
TABLES = {
    "person", "channel_address", "client_profile", "support_contact", "craving", "checkin", "slip",
    "conversation_state", "inbound_event", "outbox", "escalation", "escalation_step", "invitation",
}


def test_migrations_create_every_table_and_are_idempotent(engine):
    assert set(inspect(engine).get_table_names()) >= TABLES
    assert current_revision(engine) == HEAD
    upgrade(engine)  # a second run changes nothing and does not fail
    assert current_revision(engine) == HEAD


def test_sqlite_file_runs_in_wal_with_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/nested/dir/bot.db")
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_checkins_are_unique_per_client_and_local_date(engine):
    now = datetime(2026, 3, 2, tzinfo=UTC)
    with Session(engine) as session:
        person = Person(created_at=now)
        session.add(person)
        session.flush()
        session.add(CheckIn(client_id=person.id, local_date=date(2026, 3, 2)))
        session.flush()
        session.add(CheckIn(client_id=person.id, local_date=date(2026, 3, 2)))
        with pytest.raises(IntegrityError):
            session.flush()


def test_inbound_events_are_unique_per_channel_and_external_id(engine):
    now = datetime(2026, 3, 2, tzinfo=UTC)
    with Session(engine) as session:
        session.add(InboundEvent(channel="telegram", external_id="1", received_at=now))
        session.add(InboundEvent(channel="whatsapp", external_id="1", received_at=now))
        session.flush()
        session.add(InboundEvent(channel="telegram", external_id="1", received_at=now))
        with pytest.raises(IntegrityError):
            session.flush()


def test_instants_come_back_in_utc_whatever_zone_went_in(engine):
    hk = timezone(timedelta(hours=8))
    with Session(engine, expire_on_commit=True) as session:
        person = Person(created_at=datetime(2026, 3, 2, 9, 30, tzinfo=hk))
        session.add(person)
        session.commit()
        assert person.created_at == datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
        assert person.created_at.tzinfo is UTC


def test_naive_instants_are_refused(engine):
    with Session(engine) as session:
        session.add(Person(created_at=datetime(2026, 3, 2, 9, 30)))
        with pytest.raises(Exception, match="naive"):
            session.flush()


def test_upgrading_from_the_first_schema_keeps_data(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO person (role, locale, timezone, created_at) VALUES ('client','en','UTC','2026-01-01')"))
        conn.execute(text("INSERT INTO craving (client_id, logged_at, intensity, triggers) VALUES (1, '2026-01-01', 5, '[]')"))
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT followups_sent FROM craving")).scalar() == 0
    assert current_revision(engine) == HEAD


def test_outbox_ids_are_never_reused_after_rows_are_erased(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/ids.db")
    upgrade(engine)
    with engine.connect() as conn:
        assert "AUTOINCREMENT" in conn.execute(text("SELECT sql FROM sqlite_master WHERE name='outbox'")).scalar()


def test_migrations_build_exactly_the_schema_the_models_describe(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []


def test_fetch_reads_a_row_exactly_as_the_orm_does_and_changes_to_it_are_saved(engine):
    now = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)
    with Session(engine) as session:
        person = Person(created_at=now, display_name="Mei <&>", locale="zh-HK")
        session.add(person)
        session.flush()
        session.add(ClientProfile(person_id=person.id, checkin_time=time(21, 15), sobriety_start=date(2026, 1, 5),
                                  next_prompt_at=now + timedelta(hours=9), quiet_start=time(23, 0)))
        session.commit()
        pid = person.id
    with Session(engine) as session:
        expected = {c.name: getattr(session.get(ClientProfile, pid), c.name) for c in ClientProfile.__table__.c}
    with Session(engine) as session:
        profile = fetch(session, ClientProfile, pid)
        assert {c.name: getattr(profile, c.name) for c in ClientProfile.__table__.c} == expected
        assert profile.next_prompt_at.tzinfo is not None
        assert fetch(session, ClientProfile, pid) is profile  # the session's own object, not a second copy
        assert session.get(ClientProfile, pid) is profile
        assert fetch(session, ClientProfile, pid + 1) is None and fetch(session, Person, None) is None
        profile.banked_sober_days = 12
        session.commit()
    with Session(engine) as session:
        assert session.get(ClientProfile, pid).banked_sober_days == 12
        assert session.get(ClientProfile, pid).checkin_time == time(21, 15)


def test_fetch_hands_back_an_object_the_session_holds_and_rechecks_an_expired_one(engine):
    with Session(engine) as session:
        person = Person(created_at=datetime(2026, 3, 2, tzinfo=UTC), display_name="Ken")
        session.add(person)
        session.flush()
        pid = person.id
        session.commit()  # expires it (and reading it now would take SQLite's write lock)
        with engine.begin() as conn:  # meanwhile, elsewhere, the person erases their data
            conn.execute(text("DELETE FROM person WHERE id = :id"), {"id": pid})
        assert fetch(session, Person, pid) is None
        other = Person(created_at=datetime(2026, 3, 2, tzinfo=UTC), display_name="Mei")
        session.add(other)
        session.flush()
        other.display_name = "changed, not yet saved"
        assert fetch(session, Person, other.id) is other


def test_fetch_and_rows_see_changes_still_waiting_in_the_session_as_the_orm_does(engine):
    """Autoflush: a profile added in this transaction but not yet written is found, not missed."""
    with Session(engine) as session:
        person = Person(created_at=datetime(2026, 3, 2, tzinfo=UTC), display_name="Ken")
        session.add(person)
        session.flush()
        session.add(ClientProfile(person_id=person.id, checkin_time=time(7, 30)))
        assert fetch(session, ClientProfile, person.id).checkin_time == time(7, 30)
        session.add(CheckIn(client_id=person.id, local_date=date(2026, 3, 2)))
        today = Rows(CheckIn, CheckIn.__table__.c.client_id == bindparam("client"))
        (row,) = today.all(session, client=person.id)
        assert row.local_date == date(2026, 3, 2)
        assert today.first(session, client=person.id) is row  # the session's own object again


def test_a_failing_write_never_carries_the_values_into_errors_or_logs(engine, caplog):
    """A message text, name or address must not reach a log line through a database error."""
    import logging

    from sqlalchemy.exc import IntegrityError
    from sqlmodel import Session

    from data.models import ChannelAddress, JournalNote

    secret_address, secret_text = "+852 9999 0000 secret-address", "a private note only she wrote"
    for row in (ChannelAddress(person_id=987654, channel="whatsapp", address=secret_address),
                JournalNote(client_id=987654, text=secret_text)):
        with Session(engine) as session, caplog.at_level(logging.DEBUG):
            session.add(row)
            with pytest.raises(IntegrityError) as failed:
                session.commit()
            logging.getLogger("recovery-bot").exception("write failed")
        for secret in (secret_address, secret_text):
            assert secret not in str(failed.value) and secret not in caplog.text
