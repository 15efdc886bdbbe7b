"""Leases: short, renewed while their worker lives, taken over soon after it dies, and never sent twice across
a lapse except the one message that was in flight."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import timedelta

from sqlmodel import Session, col, select

from data.models import Outbox
from handlers.delivery import enqueue
from handlers.types import Outbound, system_clock
from scheduler.outbox import LEASE, POLL_EVERY, Delivery, SendResult, claim


def queue(rt, count: int, address: str = "clinician-9") -> None:
    with Session(rt.db) as session:
        enqueue(session, [(Outbound(text=f"alert {n}", channel="console", address=address), f"{address}:{n}")
                          for n in range(count)], now=rt.clock())
        session.commit()


def statuses(rt) -> list[str]:
    with Session(rt.db) as session:
        return [r.status for r in session.exec(select(Outbox).order_by(col(Outbox.id)))]


class Recording:
    channel = "console"

    def __init__(self, on_send=None) -> None:
        self.sent: list[int] = []
        self.on_send = on_send

    async def send(self, message):
        self.sent.append(message.id)
        if self.on_send is not None:
            await self.on_send(message)
        return SendResult(provider_id=f"p{message.id}")


def test_a_dead_workers_messages_are_taken_over_within_fifteen_seconds():
    """The defaults: a lease that lapses, plus one look for it, well inside issue 12's 15 seconds (and the
    10 seconds after a restart answers /healthz, which tests/bot/test_restart.py measures end to end)."""
    assert LEASE.total_seconds() + POLL_EVERY <= 10


def test_a_stalled_worker_whose_lease_lapsed_stops_and_the_one_that_took_over_sends_the_rest_once(rt, clock):
    queue(rt, 4)
    other = Delivery(rt, {"console": Recording()}, limits={})

    async def stall(message):
        if len(stalled.sent) == 1:  # X's first send hangs past its lease; Y takes the chat over meanwhile
            clock.advance(seconds=LEASE.total_seconds() + 1)
            await other.drain()

    stalled = Recording(stall)
    asyncio.run(Delivery(rt, {"console": stalled}, limits={}).drain())
    taken = other.senders["console"].sent
    assert stalled.sent == taken[:1]  # X sent only the one it had in flight when its lease lapsed ...
    assert len(taken) == 4 == len(set(taken))  # ... Y sent all four, each once
    assert statuses(rt) == ["sent"] * 4


def test_a_living_worker_keeps_its_lease_through_a_send_longer_than_the_lease(rt):
    """Real time: a 3 s send under a 1.2 s lease, renewed every 0.1 s; another worker finds nothing to take."""
    live = replace(rt, clock=system_clock)
    queue(live, 2)
    stolen: list[int] = []

    async def slow(message):
        for _ in range(30):
            await asyncio.sleep(0.1)
            stolen.extend(r.id for r in await asyncio.to_thread(claim, live.db, system_clock(), owner="other"))

    async def main():
        delivery = Delivery(live, {"console": Recording(slow)}, limits={}, lease=timedelta(seconds=1.2))
        keeper = asyncio.ensure_future(delivery.run(poll_every=0.05, renew_every=0.1))
        await delivery.drain()
        delivery.stop()
        await keeper
        return delivery.senders["console"].sent

    assert len(asyncio.run(main())) == 2
    assert stolen == [] and statuses(live) == ["sent", "sent"]


def test_a_worker_picks_up_a_dead_workers_messages_when_their_lease_runs_out_not_before(rt):
    live = replace(rt, clock=system_clock)
    queue(live, 3)
    lease = timedelta(seconds=1)
    claimed_at = time.monotonic()
    assert len(claim(live.db, system_clock(), lease=lease, owner="dead")) == 3  # then the process dies

    async def main():
        sender = Recording()
        survivor = Delivery(live, {"console": sender}, limits={}, lease=lease)
        loop = asyncio.ensure_future(survivor.run(poll_every=0.05, renew_every=0.25))
        while len(sender.sent) < 3:
            await asyncio.sleep(0.01)
        took = time.monotonic() - claimed_at
        survivor.stop()
        await loop
        return took

    took = asyncio.run(main())
    assert lease.total_seconds() <= took < lease.total_seconds() + 3, took  # + a few polls on a busy machine
    assert statuses(live) == ["sent"] * 3


def test_a_renewal_never_extends_a_lease_another_worker_holds(rt, clock):
    from data import outbox

    queue(rt, 1)
    (mine,) = claim(rt.db, clock(), lease=LEASE, owner="x")
    clock.advance(seconds=LEASE.total_seconds() + 1)
    (theirs,) = claim(rt.db, clock(), lease=LEASE, owner="y")  # x's lease lapsed; y took the message
    with rt.db.begin() as conn:
        assert outbox.renew(conn, [mine.id], outbox.Lease("x", clock() + LEASE)) == []
        assert outbox.renew(conn, [theirs.id], outbox.Lease("y", clock() + LEASE)) == [theirs.id]
