"""The outbox: replies leave in order, failures come back later, and two workers never claim the same row."""

import asyncio
import threading
from datetime import timedelta

from sqlmodel import Session, col, select

from data.models import Outbox
from scheduler.outbox import LEASE, SendResult, claim, drain


class RecordingSender:
    """A sender for the console channel that remembers what it sent and can be told to fail."""

    channel = "console"

    def __init__(self, fail_times: int = 0):
        self.sent: list[str] = []
        self.fail_times = fail_times

    async def send(self, message: Outbox) -> SendResult:
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionError("network down")
        self.sent.append(message.text)
        return SendResult(provider_id=f"p{message.id}")


def rows(rt) -> list[Outbox]:
    with Session(rt.db) as session:
        return list(session.exec(select(Outbox).order_by(col(Outbox.id))))


def test_drain_sends_replies_in_order_and_records_them(client, rt):
    sender = RecordingSender()
    client.send("/checkin")
    sent = asyncio.run(drain(rt.db, {"console": sender}, rt.clock))
    assert sent == len(rows(rt))
    assert sender.sent == [r.text for r in rows(rt)]
    assert all(r.status == "sent" and r.provider_id == f"p{r.id}" and r.sent_at for r in rows(rt))
    assert asyncio.run(drain(rt.db, {"console": sender}, rt.clock)) == 0  # nothing sent twice


def test_a_failed_send_is_retried_later_not_lost(chat, rt, clock):
    chat.send("hi")
    sender = RecordingSender(fail_times=1)
    asyncio.run(drain(rt.db, {"console": sender}, rt.clock))
    (row,) = rows(rt)
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "ConnectionError")
    assert row.due_at > clock()
    assert asyncio.run(drain(rt.db, {"console": sender}, rt.clock)) == 0  # not due yet
    clock.advance(seconds=5)
    assert asyncio.run(drain(rt.db, {"console": sender}, rt.clock)) == 1
    assert rows(rt)[0].status == "sent"


def test_rows_for_a_channel_without_a_sender_are_left_for_another_process(chat, rt):
    chat.send("hi")
    assert asyncio.run(drain(rt.db, {}, rt.clock)) == 0
    (row,) = rows(rt)
    assert (row.status, row.attempts) == ("pending", 0)


def test_a_crashed_workers_claim_returns_after_the_lease(chat, rt, clock):
    chat.send("hi")
    assert len(claim(rt.db, clock())) == 1  # claimed, then the worker "dies"
    assert claim(rt.db, clock()) == []
    clock.advance(seconds=LEASE.total_seconds() + 1)
    assert len(claim(rt.db, clock())) == 1


def test_concurrent_claimers_never_share_a_row(rt):
    from tests.chat import Chat

    for n in range(30):
        Chat(rt, address=f"person-{n}").send("hi")
    claimed: list[int] = []
    lock = threading.Lock()

    def worker():
        for _ in range(10):
            got = claim(rt.db, rt.clock(), limit=3)
            with lock:
                claimed.extend(r.id for r in got)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(claimed) == len(set(claimed)) == 30
    assert all(r.status == "sending" and r.lease_until > rt.clock() - timedelta(seconds=1) for r in rows(rt))


def _queue_to_one_chat(rt, count: int) -> None:
    from handlers.delivery import enqueue
    from handlers.types import Outbound

    with Session(rt.db) as session:
        enqueue(session, [(Outbound(text=f"alert {n}", channel="console", address="clinician-9"), f"q{n}")
                          for n in range(count)], now=rt.clock())
        session.commit()


def _statuses(rt) -> list[str]:
    with Session(rt.db) as session:
        return [r.status for r in session.exec(select(Outbox).order_by(col(Outbox.id)))]


def test_each_message_of_a_long_queue_is_recorded_sent_when_it_is_sent(rt):
    """A crash after the 5th send of a queue re-sends at most the one in flight, not the four before it."""
    from scheduler.outbox import Delivery

    _queue_to_one_chat(rt, 8)
    seen_before_send: list[list[str]] = []

    class Watching:
        channel = "console"

        async def send(self, message):
            seen_before_send.append(await asyncio.to_thread(_statuses, rt))
            return SendResult(provider_id=f"p{message.id}")

    assert asyncio.run(Delivery(rt, {"console": Watching()}, limits={}).drain()) == 8
    assert seen_before_send[4][:4] == ["sent"] * 4  # recorded before the fifth went out
    assert _statuses(rt) == ["sent"] * 8


def test_a_queue_paced_longer_than_its_lease_keeps_it_and_is_sent_once(rt, clock):
    """Another worker's claim finds nothing while this one is still pacing out a long queue."""
    from scheduler.outbox import Delivery

    _queue_to_one_chat(rt, 6)
    sent: list[int] = []
    stolen: list[int] = []

    class Slow:
        channel = "console"

        async def send(self, message):
            sent.append(message.id)
            clock.advance(seconds=50)  # the lease is two minutes: the queue outlives it without renewal
            await asyncio.sleep(0.05)  # pacing, as Telegram's 1 message/s per chat would be
            other = await asyncio.to_thread(claim, rt.db, clock(), channels=["console"], lease=LEASE)
            stolen.extend(r.id for r in other)
            return SendResult(provider_id=f"p{message.id}")

    delivery = Delivery(rt, {"console": Slow()}, limits={}, lease=timedelta(seconds=120))
    asyncio.run(delivery.drain())
    assert stolen == [] and len(sent) == len(set(sent)) == 6


def test_a_chat_with_a_message_in_flight_is_held_by_one_worker_even_for_a_lower_id(rt, clock):
    """A row committed late with a lower id is not claimed while a higher one of the same chat is leased."""
    _queue_to_one_chat(rt, 2)
    with Session(rt.db) as session:
        low, high = session.exec(select(Outbox).order_by(col(Outbox.id))).all()
        high.status, high.lease_until, high.attempts = "sending", clock() + LEASE, 1  # worker X holds the chat
        session.add(high)
        session.commit()
        low_id = low.id
    assert claim(rt.db, clock(), channels=["console"]) == []  # worker Y: nothing to take
    assert claim(rt.db, clock(), channels=["console"], address="clinician-9") == []
    clock.advance(seconds=LEASE.total_seconds() + 1)  # X died: its lease ran out
    assert [r.id for r in claim(rt.db, clock(), channels=["console"])][0] == low_id
