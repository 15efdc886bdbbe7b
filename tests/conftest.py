"""Shared fixtures: every engine test runs on a real SQLite file and, when TEST_DATABASE_URL is set, on PostgreSQL."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from data.content import Content
from data.db import make_engine, upgrade
from handlers.types import Clinic, FixedClock, Runtime
from tests.chat import Chat

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgres"]
# 2026-03-02 10:00 in Hong Kong.
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def content() -> Content:
    return Content()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "schema.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_engine():
    if not PG_URL:
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not")
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


def _truncate(engine) -> None:
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"))]
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path, sqlite_template):
    if request.param == "sqlite":
        path = tmp_path / "recovery.db"
        shutil.copy(sqlite_template, path)
        eng = make_engine(f"sqlite:///{path}")
        yield eng
        eng.dispose()
    else:
        eng = request.getfixturevalue("pg_engine")
        _truncate(eng)
        yield eng


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def rt(engine, content, clock) -> Runtime:
    return Runtime(db=engine, content=content, clock=clock, clinic=Clinic("Harbour Clinic", "Dr Chan"))


@pytest.fixture
def chat(rt) -> Chat:
    return Chat(rt, address="client-1")


@pytest.fixture
def client(chat) -> Chat:
    """A client who has finished onboarding (sober for 30 days, check-in at 21:00 HK) and declined the network."""
    chat.onboard()
    return chat
