"""One update that fails is retried, then kept as a dead letter with an apology: it never blocks anyone else."""

from __future__ import annotations

import asyncio

import pytest
import telegram
from sqlmodel import Session, select

from bot.channels.telegram import TelegramChannel
from data.models import FailedUpdate, InboundEvent
from handlers import dispatch as dispatch_module
from handlers.types import Inbound
from scheduler import failures
from scheduler.reception import Reception
from tests.fakes.telegram_api import FakeTelegram

POISON = "this message breaks something"


@pytest.fixture
def fake():
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def poison(monkeypatch):
    """The engine raises on one particular text (standing in for any bug one message can trigger)."""
    real = dispatch_module.handle
    calls = []

    def handle(turn, inbound):
        if inbound.text == POISON:
            calls.append(inbound.external_id)
            raise KeyError(f"profile for {inbound.text}")  # the message quotes the text: never logged
        return real(turn, inbound)

    monkeypatch.setattr(dispatch_module, "handle", handle)
    monkeypatch.setattr(failures, "BACKOFF_SECONDS", (0.0, 0.0))
    return calls


def test_a_failing_message_is_tried_three_times_then_dead_lettered_with_an_apology(rt, poison, caplog):
    reception = Reception(rt)
    asyncio.run(reception.receive(Inbound("console", "ken-1", "u-1", text=POISON)))
    assert poison == ["u-1"] * 3
    with Session(rt.db) as session:
        (row,) = session.exec(select(FailedUpdate)).all()
        assert (row.attempts, row.dead, row.error.startswith("KeyError at")) == (3, True, True)
        assert session.exec(select(InboundEvent)).all() == []  # rolled back each time
    assert POISON not in caplog.text and "profile for" not in caplog.text
    (apology,) = [m for m in _all_outbox(rt) if m.address == "ken-1"]
    assert "something went wrong on my side" in apology.text
    # The next message from the same person, and anyone else's, is handled as usual.
    asyncio.run(reception.receive(Inbound("console", "ken-1", "u-2", text="hi")))
    asyncio.run(reception.receive(Inbound("console", "mei-1", "u-3", text="hi")))
    assert {m.address for m in _all_outbox(rt) if "recovery companion" in m.text} == {"ken-1", "mei-1"}


def _all_outbox(rt):
    from data.models import Outbox

    with Session(rt.db) as session:
        return list(session.exec(select(Outbox)))


def test_polling_moves_past_a_poison_update_and_answers_the_next_one(rt, fake, poison):
    async def scenario():
        async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
            channel = TelegramChannel(rt, bot)
            fake.queue_update(fake.make_message_update(1001, POISON))
            fake.queue_update(fake.make_message_update(1002, "hi"))
            task = asyncio.ensure_future(channel.poll(timeout=0))
            for _ in range(100):
                await asyncio.sleep(0.05)
                if len(poison) == 3 and _handled(rt) >= 1:
                    break
            channel._stopping.set()
            await asyncio.wait_for(task, 5)

    asyncio.run(scenario())
    assert len(poison) == 3  # retried, not fetched forever
    assert _handled(rt) == 1  # the other person's message went through


def _handled(rt) -> int:
    with Session(rt.db) as session:
        return len(session.exec(select(InboundEvent)).all())


def test_the_cli_lists_dead_letters_without_text_or_address(rt, poison, tmp_path):
    asyncio.run(Reception(rt).receive(Inbound("console", "+852 9123 4567", "u-9", text=POISON)))
    from typer.testing import CliRunner

    from bot.cli import app

    url = rt.db.url.render_as_string(hide_password=False)
    out = CliRunner().invoke(app, ["failed-updates", "--db", url]).output
    assert "u-9" in out and "KeyError" in out and "yes" in out
    assert POISON not in out and "9123" not in out
