"""Replies leave as soon as a message is handled, in order, even when the next message arrives mid-send."""

import asyncio

from handlers.types import Inbound
from scheduler.outbox import Delivery, SendResult
from scheduler.reception import Reception
from tests.scheduler.conftest import outbox_for


class SlowSender:
    channel = "console"

    def __init__(self):
        self.sent = []

    async def send(self, message):
        await asyncio.sleep(0.02)
        self.sent.append(message.id)
        return SendResult(provider_id=f"p{message.id}")


def test_replies_go_out_at_once_and_in_order_when_messages_overlap(rt):
    sender = SlowSender()

    async def scenario():
        reception = Reception(rt, Delivery(rt, {"console": sender}, limits={}))
        await reception.receive(Inbound("console", "a", "m1", text="hi"))
        await reception.receive(Inbound("console", "a", "m2", text="1"))  # arrives while m1's replies are sending
        await reception.receive(Inbound("console", "a", "m3", text="Ken"))
        await reception.close()

    asyncio.run(scenario())
    rows = outbox_for(rt, 1)
    assert len(rows) >= 3 and all(r.status == "sent" for r in rows)  # no pass was needed
    assert sender.sent == [r.id for r in rows]  # each once, oldest first


def test_without_a_delivery_messages_are_only_handled(rt):
    asyncio.run(Reception(rt).receive(Inbound("console", "a", "m1", text="hi")))
    assert [r.status for r in outbox_for(rt, 1)] == ["pending"]


class InstantSender(SlowSender):
    async def send(self, message):
        self.sent.append(message.id)
        return SendResult(provider_id=f"p{message.id}")


def test_sends_are_recorded_once_even_when_a_message_is_delivered_twice(rt):
    """Replies sent meanwhile are recorded with the next message; a redelivered update (Telegram retries
    one it had no answer for) writes nothing, and the sends it would have carried are still recorded."""
    sender = InstantSender()

    async def scenario():
        reception = Reception(rt, Delivery(rt, {"console": sender}, limits={}))
        await reception.receive(Inbound("console", "a", "m1", text="hi"))
        await asyncio.sleep(0)  # m1's replies go out
        await reception.receive(Inbound("console", "a", "m1", text="hi"))  # the same update again
        await reception.receive(Inbound("console", "a", "m2", text="1"))
        await reception.receive(Inbound("console", "a", "m3", text="Ken"))
        await reception.close()

    asyncio.run(scenario())
    rows = outbox_for(rt, 1)
    assert len(rows) >= 3 and all(r.status == "sent" and r.provider_id == f"p{r.id}" for r in rows), ([(r.id, r.status, r.provider_id, r.idempotency_key) for r in rows], sender.sent)
    assert sender.sent == [r.id for r in rows]
