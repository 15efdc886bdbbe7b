"""The worker: claims due messages, sends each recipient's in order within the channels' rate limits, records
every send as it happens, and keeps its claims alive while it lives.

Leases: short, renewed while the worker is alive (rather than a worker table with heartbeats, which takes the
same two writes and one more table to read on every claim). A claim lasts LEASE; every RENEW_EVERY the worker
extends the leases of the messages it holds, by id and only where it is still their owner. A worker that dies
stops renewing, and its messages are claimable LEASE after its last renewal at most: the poll loop of any
living worker (every POLL_EVERY) takes them over, so a dead process's messages leave within
LEASE + POLL_EVERY = 9 s, whether another process is running or the same one was restarted. A worker whose
lease lapsed anyway (its database writes stalled) finds out before sending: a message is sent only while its
lease has at least half its term to run, renewed first if not, and a renewal that no longer finds the
message ours means another worker has it. At most the one message per chat that was being sent when a
process died can go twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine

from data import outbox
from data.db import run_db, run_db_aside
from data.models import Outbox
from data.outbox import Claimant, Lease
from handlers.types import Clock, Runtime
from scheduler.outbox import policy
from scheduler.outbox.marks import MarkBook, Marks
from scheduler.outbox.pacing import DEFAULT_LIMITS, Pacer, RateLimit
from scheduler.outbox.sender import RateLimited, RecipientUnreachable, Rejected, Sender, SendResult

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=8)
RENEW_EVERY = 2.0  # seconds: a quarter of the lease, so two renewals can fail before it lapses
POLL_EVERY = 1.0  # seconds between looks for due messages and lapsed leases
BATCH = 200
MAX_ATTEMPTS = policy.MAX_ATTEMPTS
SENT, DROPPED, BLOCKED, REROUTED, LOST = "sent", "dropped", "blocked", "rerouted", "lost"


def worker_name() -> str:
    """This worker's name on the leases it holds: host, process, and a random part (a restarted process
    may get the same pid)."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(4)}"


def _in_transaction(db: Engine, fn, *args):
    with db.begin() as conn:
        return fn(conn, *args)


def claim(db: Engine, now, *, limit: int = BATCH, channels: list[str] | None = None, address: str | None = None,
          lease: timedelta = LEASE, owner: str = "claim") -> list[Outbox]:
    """Take due messages under a lease (see data.outbox.claim), committed."""
    from sqlmodel import Session

    with Session(db, expire_on_commit=False) as session:
        rows = outbox.claim(session, now, Lease(owner, now + lease), limit=limit, channels=channels, address=address)
        session.commit()
        return rows


def due(db: Engine, now) -> bool:
    with db.connect() as conn:
        return outbox.due_exists(conn, now)


@dataclass
class Delivery:
    """Drains the outbox through the senders this process has, within each channel's rate limit."""

    rt: Runtime
    senders: dict[str, Sender]
    limits: dict[str, RateLimit] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    batch: int = BATCH
    lease: timedelta = LEASE
    max_attempts: int = MAX_ATTEMPTS
    concurrency: int = 16
    owner: str = field(default_factory=worker_name)
    stopping: bool = False
    _rerouted: bool = False
    # Messages this worker holds, with the end of its lease on each (None: lost to another worker).
    _held: dict[int, datetime | None] = field(default_factory=dict)
    _draining: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self.pacer = Pacer(self.limits)
        self.marks = MarkBook(self.rt.db, self.rt.clock)
        self.claimant = Claimant(self.owner, self.lease)

    @property
    def clock(self) -> Clock:
        return self.rt.clock

    def stop(self) -> None:
        """Finish the message in hand, then hand the rest back to the outbox."""
        self.stopping = True

    # -- the worker loop ----------------------------------------------------------------------------------
    async def run(self, *, poll_every: float = POLL_EVERY, renew_every: float = RENEW_EVERY) -> None:
        """Until stopped: keep this worker's leases alive, and send what is due or was left by a dead worker
        (between the scheduler's passes, so nothing waits a whole pass for that)."""
        keeper = asyncio.ensure_future(self._keep_leases(renew_every))
        try:
            while not self.stopping:
                await asyncio.sleep(poll_every)
                if self.stopping or self._draining.locked():
                    continue
                try:
                    if await run_db_aside(self.rt.db, due, self.rt.db, self.clock()):
                        await self.drain()
                except Exception:
                    log.exception("outbox poll failed; trying again shortly")
        finally:
            keeper.cancel()

    async def _keep_leases(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            await self.renew()

    async def renew(self) -> None:
        """Extend the lease on every message this worker holds; any it no longer owns is marked lost."""
        ids = [i for i, until in self._held.items() if until is not None]
        if not ids:
            return
        lease = self.claimant.lease(self.clock())
        try:
            kept = set(await run_db_aside(self.rt.db, _in_transaction, self.rt.db, outbox.renew, ids, lease))
        except Exception:  # noqa: BLE001 - the next renewal tries again; sends check their lease first
            log.warning("renewing leases failed", exc_info=True)
            return
        for i in ids:
            if i in self._held:
                self._held[i] = lease.until if i in kept else None

    def hold(self, rows: list[Outbox]) -> list[Outbox]:
        """Note claimed messages as this worker's to send (and renew); one this worker is already sending
        (claimed again after a lapse) is left to the task that has it."""
        fresh = [r for r in rows if r.id not in self._held]
        for r in fresh:
            self._held[r.id] = r.lease_until
        return fresh

    def release(self, rows: list[Outbox]) -> None:
        for r in rows:
            self._held.pop(r.id, None)

    # -- draining -------------------------------------------------------------------------------------------
    async def claim(self, *, channels: list[str] | None = None, address: str | None = None,
                    aside: bool = True) -> list[Outbox]:
        """Claim and hold due messages; `aside=False` for one recipient's replies, a claim small enough to
        run on the loop (see data.db.run_db)."""
        run = run_db_aside if aside else run_db
        rows = await run(self.rt.db, claim, self.rt.db, self.clock(), limit=self.batch, channels=channels,
                         address=address, lease=self.lease, owner=self.owner)
        return self.hold(rows)

    async def drain(self, *, address: str | None = None, channels: list[str] | None = None) -> int:
        """Send everything due now; returns how many messages went out."""
        async with self._draining:
            return await self._drain(address=address, channels=channels)

    async def _drain(self, *, address: str | None, channels: list[str] | None) -> int:
        sent = 0
        wanted = [c for c in (channels or list(self.senders)) if c in self.senders]
        while wanted and not self.stopping:
            self._rerouted = False
            rows = await self.claim(channels=wanted, address=address)
            if not rows:
                break
            queues: dict[tuple[str, str], list[Outbox]] = defaultdict(list)
            for row in rows:
                queues[(row.channel, row.address)].append(row)
            gate = asyncio.Semaphore(self.concurrency)
            sent += sum(await asyncio.gather(*(self._gated(gate, q) for q in queues.values())))
            # Another round only if there may be more: a full batch, or a message re-routed to another
            # channel (due at once). An empty claim costs a write transaction, so don't make one for nothing.
            if len(rows) < self.batch and not self._rerouted:
                break
        return sent

    async def _gated(self, gate: asyncio.Semaphore, queue: list[Outbox]) -> int:
        async with gate:
            return await self.send_queue(queue)

    async def _write(self, fn, *args) -> None:
        """A status change, off the event loop, so webhooks are answered while the outbox drains."""
        await run_db_aside(self.rt.db, _in_transaction, self.rt.db, fn, *args)

    async def _still_mine(self, row: Outbox) -> bool:
        """Whether this worker may send `row` now: its lease has at least half its term to run (renewed
        first if not), and no other worker took it over after a lapse."""
        until = self._held.get(row.id, row.lease_until)
        if until is not None and until - self.clock() < self.lease / 2:
            await self.renew()
            until = self._held.get(row.id)
        return until is not None and until > self.clock()

    async def send_queue(self, queue: list[Outbox]) -> int:
        """One recipient's messages, strictly in order; after a failure the rest wait their turn.

        Each message is recorded as sent once it is sent (with other recipients' sends: a group commit),
        never only after the whole queue, so a crash mid-queue re-sends at most the one in flight.
        """
        self.hold(queue)  # a no-op for rows claimed through this worker (they are held already)
        sent, rest = 0, []
        try:
            for n, row in enumerate(queue):
                if self.stopping:
                    rest = queue[n:]
                    break
                if not await self._still_mine(row):
                    log.warning("lease lost; another worker has this chat", extra={"outbox_id": row.id})
                    rest = queue[n:]  # handed back only where still ours (see hand_back)
                    break
                outcome = await self._send_one(row)
                self._held.pop(row.id, None)
                if outcome == SENT:
                    sent += 1
                elif outcome == BLOCKED:
                    rest = queue[n + 1:]
                    break
                elif outcome == REROUTED:  # the rest of this queue went to the other channel with it
                    self._rerouted = True
                    break
            if rest:  # handed back untouched, still behind the one that failed
                await self._write(outbox.hand_back, rest, self.owner)
        finally:
            self.release(queue)
        return sent

    async def _send_one(self, row: Outbox) -> str:
        """Try one message: SENT (recorded); DROPPED (failed for good, the queue moves on); BLOCKED (retry
        later); REROUTED (the address is unreachable: this and the rest of its queue went elsewhere)."""
        await self.pacer.wait_turn(row.channel, row.address)
        try:
            result = await self.senders[row.channel].send(row)
        except RateLimited as exc:
            self.pacer.pause(row.channel, exc.retry_after)
            await self._write(policy.rate_limited, row, exc.retry_after, self.clock())
            return BLOCKED
        except RecipientUnreachable as exc:
            await run_db_aside(self.rt.db, policy.unreachable, self.rt, row, exc.reason)
            return REROUTED
        except Rejected as exc:
            await self._write(policy.rejected, row, str(exc))
            return DROPPED
        except Exception as exc:  # noqa: BLE001 - network and server errors alike are retried
            retry = row.attempts < self.max_attempts
            await self._write(policy.send_failed, row, type(exc).__name__, self.clock(), self.max_attempts)
            return BLOCKED if retry else DROPPED
        await self.marks.record([(row.id, result.provider_id if isinstance(result, SendResult) else None)])
        return SENT

    # -- for a caller that folds the recording of sends into its own transaction (see scheduler/reception) ---
    def take_marks(self) -> Marks | None:
        return self.marks.take()

    def settle_marks(self, marks: Marks | None, *, written: bool) -> None:
        self.marks.settle(marks, written=written)


async def drain(db: Engine, senders: dict[str, Sender], clock: Clock, *, rt: Runtime | None = None,
                channel: str | None = None, address: str | None = None, limit: int = BATCH) -> int:
    """Send what is due now through `senders` (a convenience over `Delivery` for one-off drains)."""
    from data.content import Content

    runtime = rt or Runtime(db=db, content=Content(), clock=clock)
    delivery = Delivery(runtime, senders, limits={}, batch=limit)
    return await delivery.drain(address=address, channels=[channel] if channel else None)



