"""Delivers queued messages: claims due outbox rows in per-recipient order, sends them, and handles failure."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine, and_, bindparam, case, exists, literal_column, or_, update
from sqlmodel import Session, col, select

from data.db import Prepared, run_db, run_db_aside
from data.models import UNSENT, ChannelAddress, Outbox, OutboxStatus, Person, Role, UTCDateTime
from handlers import escalation
from handlers.delivery import (
    EARLIER_OUTBOX,
    claim_queue,
    enqueue,
    is_due,
    outbox_rows,
    preferred_address,
)
from handlers.types import (
    ERASED_ADDRESS,
    FAREWELL_KIND,
    PRIVATE_KIND,
    SECRET_KIND,
    SECRET_SENT_TEXT,
    SENT_TEXT,
    Clock,
    Outbound,
    Runtime,
)

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_CAP = timedelta(minutes=15)
BATCH = 200
DROPPED, BLOCKED, REROUTED = "dropped", "blocked", "rerouted"


# -- what senders raise -------------------------------------------------------------------------------
class DeliveryError(Exception):
    """A send did not go through."""


class TransientError(DeliveryError):
    """Network trouble or a server error: try again later."""


class RateLimited(DeliveryError):
    """The platform asked us to wait this many seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after}s")
        self.retry_after = retry_after


class RecipientUnreachable(DeliveryError):
    """The address cannot receive messages (blocked the bot, never started it, invalid number)."""

    def __init__(self, address: str, reason: str = "") -> None:
        super().__init__(reason or "unreachable")
        self.address = address
        self.reason = reason


class Rejected(DeliveryError):
    """The platform refused this message as malformed; sending it again would fail the same way."""


@dataclass(frozen=True)
class SendResult:
    provider_id: str | None = None


class Sender(Protocol):
    """One channel's way out (console, Telegram, WhatsApp). bot/channels implements it."""

    channel: str

    async def send(self, message: Outbox) -> SendResult: ...


# -- pacing -----------------------------------------------------------------------------------------------
class TokenBucket:
    """At most `rate` sends per second on average, with bursts up to `burst`; can be told to pause."""

    def __init__(self, rate: float, burst: float = 1.0) -> None:
        # A burst of one by default: a bucket that can burst `rate` and refill `rate` per second
        # lets twice the limit through in a rolling second, which is exactly what earns a 429.
        self.rate = rate
        self.capacity = burst
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self.paused_until = 0.0
        self.lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self.lock:
            while True:
                now = time.monotonic()
                if now < self.paused_until:
                    await asyncio.sleep(self.paused_until - now)
                    continue
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) / self.rate)

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)
        self.tokens = 0
        self.updated = self.paused_until  # refill starts when the pause ends, not before


@dataclass(frozen=True)
class RateLimit:
    per_second: float
    per_recipient_per_second: float | None = None
    recipient_burst: float = 3


DEFAULT_LIMITS = {
    "telegram": RateLimit(30, per_recipient_per_second=1),
    "whatsapp": RateLimit(10),
}


# -- claiming ------------------------------------------------------------------------------------------------
def _blocked(now: datetime):
    """An earlier message to the same address that is due, retrying or in flight keeps this one waiting.

    An earlier message held for later (quiet hours) does not: a reply must not wait for a reminder.
    """
    earlier = EARLIER_OUTBOX
    return exists().where(
        literal_column(f"earlier.{UNSENT}"),  # the recipient's queue (ix_outbox_unsent), not their history
        earlier.channel == Outbox.channel, earlier.address == Outbox.address,
        or_(and_(earlier.id < Outbox.id,
                 or_(earlier.status == OutboxStatus.sending, earlier.attempts > 0, earlier.due_at <= now)),
            # Any message to the chat in flight under a live lease, whatever its id: a row committed late
            # with a lower id must not give a second worker the same chat.
            and_(earlier.id != Outbox.id, earlier.status == OutboxStatus.sending, earlier.lease_until >= now)),
    )


def claim(db: Engine, now: datetime, *, limit: int = BATCH, channels: list[str] | None = None,
          address: str | None = None, lease: timedelta = LEASE) -> list[Outbox]:
    """Take due messages under a lease, each recipient's in order; a dead worker's lease runs out.

    Only the head of each recipient's queue is a candidate, so two workers never hold messages to the
    same person at once; the claiming worker then takes that person's following due messages too.
    """
    with Session(db, expire_on_commit=False) as session:
        rows = _claim(session, now, limit=limit, channels=channels, address=address, lease=lease)
        session.commit()
        return rows


def _claim(session: Session, now: datetime, *, limit: int, channels: list[str] | None, address: str | None,
           lease: timedelta) -> list[Outbox]:
    filters = [literal_column(f"outbox.{UNSENT}"), is_due(now)]  # UNSENT: read through the partial indexes
    if channels is not None:
        filters.append(col(Outbox.channel).in_(channels))
    if address:
        filters.append(Outbox.address == address)
    claim_values = dict(status=OutboxStatus.sending, lease_until=now + lease, attempts=Outbox.attempts + 1)
    table = Outbox.__table__
    if address and channels and len(channels) == 1:
        return claim_queue(session, channels[0], address, now, lease)
    heads = select(Outbox.id).where(*filters, ~_blocked(now)).order_by(col(Outbox.id)).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        heads = heads.with_for_update(skip_locked=True)
    head_ids = list(session.exec(heads))
    if not head_ids:
        return []
    queues = session.exec(select(Outbox.channel, Outbox.address).where(col(Outbox.id).in_(head_ids))).all()
    followers = select(Outbox.id).where(
        *filters, or_(*[and_(Outbox.channel == c, Outbox.address == a) for c, a in queues]))
    stmt = (
        update(Outbox)
        .where(or_(col(Outbox.id).in_(head_ids), col(Outbox.id).in_(followers.scalar_subquery())))
        .values(**claim_values)
        .returning(*table.c)
    )
    return outbox_rows(session.execute(stmt).mappings())


_MARK_SENT_STATEMENT = update(Outbox.__table__).where(Outbox.__table__.c.id == bindparam("rid")).values(
    status=OutboxStatus.sent, provider_id=bindparam("pid"), sent_at=bindparam("at", type_=UTCDateTime()),
    lease_until=None, last_error=None,
    # A message that carried a secret (an invitation link) keeps no copy of it once sent.
    text=case((Outbox.__table__.c.kind == SECRET_KIND, SECRET_SENT_TEXT),
              (Outbox.__table__.c.kind == PRIVATE_KIND, SENT_TEXT), (Outbox.__table__.c.kind == FAREWELL_KIND, SENT_TEXT),
              else_=Outbox.__table__.c.text),
    address=case((Outbox.__table__.c.kind == FAREWELL_KIND, ERASED_ADDRESS), else_=Outbox.__table__.c.address))
_MARK_SENT = Prepared(_MARK_SENT_STATEMENT)


def mark_sent(db: Engine, sent: list[tuple[int, str | None]], at: datetime) -> None:
    """Record a batch of successful sends in one transaction."""
    if not sent:
        return
    # Through SQLAlchemy, not _MARK_SENT: the outbox drain measured 94.9% of a 30/s limit with the
    # prepared form here against 97.0% with this one (the cause is not yet understood).
    with Session(db) as session:
        session.connection().execute(_MARK_SENT_STATEMENT, _mark_params(sent, at))
        session.commit()


def _mark_params(sent: list[tuple[int, str | None]], at: datetime) -> list[dict]:
    return [{"rid": rid, "pid": pid, "at": at} for rid, pid in sent]


@dataclass
class Marks:
    """Finished sends to record (with the futures of the queues waiting for that)."""

    batch: list[tuple[list[tuple[int, str | None]], asyncio.Future]]
    at: datetime

    @property
    def sent(self) -> list[tuple[int, str | None]]:
        return [s for done, _ in self.batch for s in done]

    def write(self, conn) -> None:
        """Record them on `conn`, in whatever transaction it is in."""
        _MARK_SENT.executemany(conn, _mark_params(self.sent, self.at))

    def done(self) -> None:
        for _, future in self.batch:
            if not future.done():
                future.set_result(None)

    def failed(self, exc: BaseException) -> None:
        for _, future in self.batch:
            if not future.done():
                future.set_exception(exc)


def _renew(db: Engine, ids: list[int], until: datetime) -> None:
    with Session(db) as session:
        session.execute(update(Outbox).where(col(Outbox.id).in_(ids), Outbox.status == OutboxStatus.sending)
                        .values(lease_until=until))
        session.commit()


def _set(db: Engine, row_id: int, **values) -> None:
    with Session(db) as session:
        session.execute(update(Outbox).where(Outbox.id == row_id).values(**values))
        session.commit()


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter: on average half of 2s, 4s, 8s ... capped at 15 minutes."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))
    return ceiling * random.uniform(0.5, 1.0)


# -- delivering -------------------------------------------------------------------------------------------------
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
    stopping: bool = False
    _rerouted: bool = False
    _buckets: dict[str, TokenBucket] = field(default_factory=dict)
    _per_recipient: dict[tuple[str, str], TokenBucket] = field(default_factory=dict)
    # Sends waiting to be recorded, and the task recording them (see _record_sent).
    _marks: list[tuple[list[tuple[int, str | None]], asyncio.Future]] = field(default_factory=list)
    _marking: asyncio.Task | None = None
    _marks_due: asyncio.Handle | None = None

    def stop(self) -> None:
        """Finish the message in hand, then hand the rest back to the outbox."""
        self.stopping = True

    @property
    def clock(self) -> Clock:
        return self.rt.clock

    def _bucket(self, channel: str) -> TokenBucket | None:
        limit = self.limits.get(channel)
        if limit is None:
            return None
        if channel not in self._buckets:
            self._buckets[channel] = TokenBucket(limit.per_second)
        return self._buckets[channel]

    def _recipient_bucket(self, channel: str, address: str) -> TokenBucket | None:
        limit = self.limits.get(channel)
        if limit is None or limit.per_recipient_per_second is None:
            return None
        key = (channel, address)
        if key not in self._per_recipient:
            if len(self._per_recipient) > 10_000:
                self._per_recipient.clear()  # idle chats' buckets are full anyway
            self._per_recipient[key] = TokenBucket(limit.per_recipient_per_second, limit.recipient_burst)
        return self._per_recipient[key]

    async def drain(self, *, address: str | None = None, channels: list[str] | None = None) -> int:
        """Send everything due now; returns how many messages went out."""
        sent = 0
        wanted = [c for c in (channels or list(self.senders)) if c in self.senders]
        while wanted and not self.stopping:
            self._rerouted = False
            rows = await run_db_aside(self.rt.db, claim, self.rt.db, self.clock(), limit=self.batch, channels=wanted,
                                           address=address, lease=self.lease)
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

    async def _set(self, row_id: int, **values) -> None:
        """Record a result off the event loop, so webhooks are answered while the outbox drains."""
        await run_db_aside(self.rt.db, _set, self.rt.db, row_id, **values)

    async def _renew(self, ids: list[int]) -> None:
        """Extend the lease on a queue still being sent by this worker."""
        await run_db_aside(self.rt.db, _renew, self.rt.db, ids, self.clock() + self.lease)

    async def _gated(self, gate: asyncio.Semaphore, queue: list[Outbox]) -> int:
        async with gate:
            return await self.send_queue(queue)

    async def send_queue(self, queue: list[Outbox]) -> int:
        """One recipient's messages, strictly in order; after a failure the rest wait their turn.

        Each message is recorded as sent once it is sent (with other recipients' sends: a group commit),
        never only after the whole queue, so a crash mid-queue re-sends at most the one in flight; and the
        lease on the rest is renewed while a long queue is paced out, so no other worker takes it over.
        """
        done: list[tuple[int, str | None]] = []
        rest: list[Outbox] = []
        renewed = self.clock()  # the clock the leases are written with
        for n, row in enumerate(queue):
            if self.stopping:
                rest = queue[n:]
                break
            if len(queue) - n > 1 and self.clock() - renewed > self.lease / 3:
                renewed = self.clock()
                await self._renew([r.id for r in queue[n:]])
            outcome = await self._send_one(row)
            if isinstance(outcome, SendResult):
                done.append((row.id, outcome.provider_id))
                await self._record_sent([done[-1]])
                continue
            if outcome == BLOCKED:
                rest = queue[n + 1:]
                break
            if outcome == REROUTED:  # the rest of this queue went to the other channel with it
                self._rerouted = True
                break
        for later in rest:  # handed back untouched, still behind the one that failed
            await self._set(later.id, status=OutboxStatus.pending, lease_until=None, attempts=later.attempts - 1)
        return len(done)

    async def _record_sent(self, done: list[tuple[int, str | None]]) -> None:
        """Record a recipient's sends; returns once they are committed.

        They are written with the next message handled (see take_marks) or, if none comes in this
        turn of the loop, in a transaction of their own that also takes every other recipient's
        finished sends (a group commit). Returning only after the commit keeps each queue's order:
        the next claim for this recipient must not find these rows still in flight.
        """
        if not done:
            return
        future = asyncio.get_running_loop().create_future()
        self._marks.append((done, future))
        self._schedule_marks()
        await future

    def _schedule_marks(self) -> None:
        """Write the waiting marks two turns of the loop from now, unless a message handled by then
        took them: sends finishing meanwhile join in. Plain callbacks, not a task per send, since
        most of the time a message does take them."""
        if self._marks and self._marks_due is None and (self._marking is None or self._marking.done()):
            loop = asyncio.get_running_loop()
            self._marks_due = loop.call_soon(self._marks_turn, loop)

    def _marks_turn(self, loop: asyncio.AbstractEventLoop) -> None:
        self._marks_due = loop.call_soon(self._start_marking)

    def _start_marking(self) -> None:
        self._marks_due = None
        if self._marks and (self._marking is None or self._marking.done()):
            self._marking = asyncio.ensure_future(self._write_marks())

    def take_marks(self) -> Marks | None:
        """The sends waiting to be recorded, for a caller to write in a transaction it is about to make."""
        if not self._marks:
            return None
        batch, self._marks = self._marks, []
        return Marks(batch, self.clock())

    def settle_marks(self, marks: Marks | None, *, written: bool) -> None:
        """After the caller's transaction: wake the waiting queues, or take the marks back to write them."""
        if marks is None:
            return
        if written:
            marks.done()
        else:
            self._marks[:0] = marks.batch
            self._schedule_marks()

    async def _write_marks(self) -> None:
        while (marks := self.take_marks()) is not None:
            try:
                await run_db(self.rt.db, mark_sent, self.rt.db, marks.sent, marks.at)
            except Exception as exc:  # noqa: BLE001 - each waiting queue gets the failure
                marks.failed(exc)
            else:
                marks.done()

    async def _send_one(self, row: Outbox) -> SendResult | str:
        """Try one message: its SendResult when sent; DROPPED (failed for good, the queue moves on);
        BLOCKED (retry later); REROUTED (the address is unreachable: this and the rest of its queue went
        elsewhere)."""
        bucket = self._bucket(row.channel)
        per_chat = self._recipient_bucket(row.channel, row.address)
        if per_chat is not None:
            await per_chat.acquire()
        if bucket is not None:
            await bucket.acquire()
        try:
            result = await self.senders[row.channel].send(row)
        except RateLimited as exc:
            if bucket is not None:
                bucket.pause(exc.retry_after)
            await self._set(row.id, status=OutboxStatus.pending, lease_until=None, attempts=row.attempts - 1,
                 due_at=self.clock() + timedelta(seconds=exc.retry_after), last_error="rate limited")
            return BLOCKED
        except RecipientUnreachable as exc:
            await run_db_aside(self.rt.db, self._unreachable, row, exc)
            return REROUTED
        except Rejected as exc:
            log.error("message rejected by the platform; not retrying",
                      extra={"outbox_id": row.id, "channel": row.channel, "reason": str(exc)[:200]})
            await self._set(row.id, status=OutboxStatus.failed, lease_until=None, last_error=f"rejected: {exc}"[:500])
            return DROPPED
        except Exception as exc:  # noqa: BLE001 - network and server errors alike are retried
            retry = row.attempts < self.max_attempts
            log.warning("send failed; will retry" if retry else "send failed; giving up",
                        extra={"outbox_id": row.id, "channel": row.channel, "error": type(exc).__name__})
            await self._set(row.id, status=OutboxStatus.pending if retry else OutboxStatus.failed,
                 lease_until=None, due_at=self.clock() + backoff(row.attempts), last_error=type(exc).__name__)
            return BLOCKED if retry else DROPPED
        return result

    def _unreachable(self, row: Outbox, exc: RecipientUnreachable) -> None:
        """Mark the address, try the person's other channel, and tell the clinician about a client."""
        now = self.clock()
        with Session(self.rt.db, expire_on_commit=False) as session:
            session.execute(update(Outbox).where(Outbox.id == row.id).values(
                status=OutboxStatus.failed, lease_until=None, last_error=f"unreachable: {exc.reason}"[:500]))
            session.execute(update(ChannelAddress).where(
                ChannelAddress.channel == row.channel, ChannelAddress.address == row.address,
                col(ChannelAddress.unreachable_at).is_(None)).values(unreachable_at=now))
            # Everything else queued for this address goes the same way as this message.
            stranded = list(session.exec(select(Outbox).where(
                Outbox.channel == row.channel, Outbox.address == row.address, Outbox.id != row.id,
                col(Outbox.status).in_([OutboxStatus.pending, OutboxStatus.sending]))))
            person = session.get(Person, row.person_id) if row.person_id else None
            other = preferred_address(session, row.person_id) if row.person_id else None
            for message in [row, *stranded]:
                if message.id != row.id:
                    message.status, message.lease_until = OutboxStatus.failed, None
                    message.last_error = f"unreachable: {exc.reason}"[:500]
                if other is not None:
                    enqueue(session, [(_copy(message), f"{message.idempotency_key}>{other.channel}")], now=now,
                            channel=other.channel, address=other.address)
            if other is None and person is not None and person.role == Role.client:
                self._tell_clinicians(session, person, row.channel, now)
            session.commit()
        log.warning("recipient unreachable", extra={"outbox_id": row.id, "channel": row.channel})

    def _tell_clinicians(self, session: Session, client: Person, channel: str, now: datetime) -> None:
        from data.models import ClientProfile

        for clinician in escalation.clinicians_for(session, session.get(ClientProfile, client.id)):
            text = self.rt.content.text("ladder.unreachable", clinician.locale,
                                        client=escalation.client_name(client), channel=channel)
            enqueue(session, [(Outbound(text=text, person_id=clinician.id, kind="alert",
                                        template_key="clinician_alert",
                                        template_vars={"1": escalation.client_name(client), "2": channel}),
                               f"unreachable:{client.id}:{channel}:{now.date().isoformat()}:{clinician.id}")],
                    now=now)


def _copy(row: Outbox) -> Outbound:
    from handlers.types import Attachment, Option

    return Outbound(
        text=row.text, person_id=row.person_id, numbered=row.numbered, kind=row.kind, priority=row.priority,
        options=tuple(Option(o["label"], o["payload"]) for o in row.options),
        template_key=row.template_key, template_vars=dict(row.template_vars),
        attachment=Attachment(**row.attachment) if row.attachment else None,
    )


async def drain(db: Engine, senders: dict[str, Sender], clock: Clock, *, rt: Runtime | None = None,
                channel: str | None = None, address: str | None = None, limit: int = BATCH) -> int:
    """Send what is due now through `senders` (a convenience over `Delivery` for one-off drains)."""
    from data.content import Content

    runtime = rt or Runtime(db=db, content=Content(), clock=clock)
    delivery = Delivery(runtime, senders, limits={}, batch=limit)
    return await delivery.drain(address=address, channels=[channel] if channel else None)
