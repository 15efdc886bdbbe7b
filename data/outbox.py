"""The outbox queue, beside its table: one spelling of a row, the queue order, both claims, every status change.

Everything that reads or changes the state of a queued message goes through this module (as APScheduler 4 keeps
its jobs behind a data store): the turn that writes replies (handlers/delivery.py), the planner and the ladder
that queue prompts and alerts, the worker that sends (scheduler/outbox/), the channels' delivery reports, opt-out
and the CLI. The sending side decides *what* happens to a message; this module is the only one that knows *how*
that is written.

A message moves pending -> sending (claimed under a lease: `lease_owner` until `lease_until`) -> sent, or back
to pending (handed back, or to retry later), or to failed / cancelled. A lease that runs out returns the message
to the pool; only the worker that holds it can renew it.

Queue order: each recipient (channel, address) gets their messages strictly in id order, and by at most one
worker at a time. A message held for later (quiet hours) does not hold back the ones behind it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, case, exists, literal_column, or_, select, update
from sqlmodel import Session, col

from data.db import Prepared, dialect_insert
from data.models import UNSENT, ChannelAddress, Outbox, OutboxStatus, UTCDateTime

# A message of this kind carries a secret (an invitation link): it is never joined with another message,
# and once sent its stored text is replaced (only a hash of the token is kept anywhere else).
SECRET_KIND = "secret"
SECRET_SENT_TEXT = "[invitation link removed]"
# A message whose text is kept only until it is sent (a clinician's list naming several clients), and the
# goodbye after an erasure, whose text and address are both dropped once sent.
PRIVATE_KIND = "private"
FAREWELL_KIND = "farewell"
SENT_TEXT = "[removed once sent]"
ERASED_ADDRESS = "erased"

TABLE = Outbox.__table__
COLUMNS = [c.name for c in TABLE.c]
FIELDS = [name for name in COLUMNS if name != "id"]
# What a copy of a message keeps when it is queued again elsewhere (another channel, as a template).
CONTENT = ("person_id", "text", "options", "numbered", "kind", "attachment", "template_key", "template_vars",
           "force_template", "priority", "about_person_id")


@dataclass(frozen=True)
class Lease:
    """Who holds a claim and until when: only `owner` renews it; once `until` passes, anyone may take it."""

    owner: str
    until: datetime


@dataclass(frozen=True)
class Claimant:
    """A worker that claims messages: its name, and how long a claim lasts before it must be renewed."""

    owner: str
    term: timedelta

    def lease(self, now: datetime) -> Lease:
        return Lease(self.owner, now + self.term)


# -- one spelling of a row ----------------------------------------------------------------------------------
def row(*, channel: str, address: str, text: str, key: str, now: datetime, person_id: int | None = None,
        options: Iterable[dict[str, str]] = (), numbered: bool = True, kind: str = "reply",
        attachment: Mapping[str, str] | None = None, template_key: str | None = None,
        template_vars: Mapping[str, str] | None = None, force_template: bool = False, priority: str = "normal",
        due_at: datetime | None = None, about_person_id: int | None = None) -> dict:
    """A new message's row, pending and due at `due_at` (default now), every column spelled out."""
    return dict(
        person_id=person_id, channel=channel, address=address, text=text,
        options=options if isinstance(options, list) else list(options), numbered=numbered, kind=kind,
        attachment=dict(attachment) if attachment else None, template_key=template_key,
        template_vars=dict(template_vars or {}), force_template=force_template, idempotency_key=key,
        priority=priority, status=OutboxStatus.pending, due_at=max(now, due_at) if due_at else now, attempts=0,
        lease_until=None, lease_owner=None, provider_id=None, last_error=None, delivery_status=None,
        delivery_error=None, created_at=now, sent_at=None, about_person_id=about_person_id,
    )


def copy(message: Outbox, *, key: str, now: datetime, channel: str, address: str, **changes) -> dict:
    """A message queued again (to another address, or as a template): the same content, a new row."""
    content = {name: getattr(message, name) for name in CONTENT}
    content.update(changes)
    return row(channel=channel, address=address, key=key, now=now, **content)


def rows_from(mappings) -> list[Outbox]:
    """Plain rows from RETURNING (mappings), oldest first: no second query, no session to expire them."""
    return sorted((Outbox.model_construct(**m) for m in mappings), key=lambda r: r.id)


# -- adding ------------------------------------------------------------------------------------------------------
def _insert_statement(dialect: str):
    # A message whose idempotency key is already queued is skipped: a repeated pass cannot queue it twice.
    return (
        dialect_insert(dialect)(TABLE)
        .values({name: bindparam(name, type_=TABLE.c[name].type) for name in FIELDS})
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )


_INSERT = Prepared(_insert_statement)
_INSERT_RETURNING = Prepared(lambda dialect: _insert_statement(dialect).returning(TABLE.c.id))
# Whether anything is queued for an address (through ix_outbox_unsent: its queue, not its history).
_QUEUED = Prepared(
    select(literal_column("1")).select_from(TABLE)
    .where(literal_column(f"outbox.{UNSENT}"), TABLE.c.channel == bindparam("channel"),
           TABLE.c.address == bindparam("address"))
    .limit(1)
)


def add(conn, rows: list[dict]) -> None:
    """Queue rows (from `row`) on the caller's connection, in its transaction; known keys are skipped."""
    if rows:
        _INSERT.executemany(conn, rows)


def add_leased(conn, rows: list[dict], lease: Lease) -> list[Outbox]:
    """Queue rows already claimed by `lease`'s owner (replies about to be sent by the process that wrote
    them), in order; returns the ones written (a known idempotency key writes nothing)."""
    leased = []
    for values in rows:
        values = dict(values, status=OutboxStatus.sending, lease_until=lease.until, lease_owner=lease.owner,
                      attempts=values["attempts"] + 1)
        written = _INSERT_RETURNING.first(conn, values)
        if written is not None:
            leased.append(Outbox.model_construct(id=written[0], **values))
    return leased


def queued(conn, channel: str, address: str) -> bool:
    """Whether anything is waiting for, or being sent to, this address."""
    return _QUEUED.first(conn, {"channel": channel, "address": address}) is not None


def preferred_address(session: Session, person_id: int, *, avoid: tuple[str, str] | None = None
                      ) -> ChannelAddress | None:
    """Where to reach a person: the reachable, opted-in address they wrote from most recently (never `avoid`,
    the one a message just failed to reach). The one rule for a first send and for a re-route alike."""
    stmt = select(ChannelAddress).where(
        ChannelAddress.person_id == person_id,
        col(ChannelAddress.unreachable_at).is_(None),
        col(ChannelAddress.opted_out_at).is_(None),
    )
    if avoid is not None:
        stmt = stmt.where(~and_(ChannelAddress.channel == avoid[0], ChannelAddress.address == avoid[1]))
    stmt = stmt.order_by(col(ChannelAddress.last_inbound_at).desc().nulls_last(), col(ChannelAddress.id))
    return session.scalars(stmt).first()


# -- queue order, written once ----------------------------------------------------------------------------------
def _due(t, now):
    """Waiting and due, or claimed by a worker whose lease has run out."""
    return and_(literal_column(f"{t.name}.{UNSENT}"),  # read through the partial indexes
                or_(t.c.status == OutboxStatus.pending,
                    and_(t.c.status == OutboxStatus.sending, t.c.lease_until < now)),
                t.c.due_at <= now)


def _ahead(earlier, t, now, *, due_ones_too: bool):
    """Another message to the same recipient that keeps `t` waiting: one in flight under a live lease
    (whatever its id: a row committed late with a lower id must not give a second worker the chat), or an
    earlier one waiting out a retry. With `due_ones_too`, an earlier one that is due as well (for a claim
    that takes only the head of each queue). An earlier one held for later (quiet hours) never does: a reply
    must not wait for a reminder."""
    retrying = and_(earlier.c.status == OutboxStatus.pending, earlier.c.attempts > 0)
    # A claim of a whole queue takes the earlier due ones with it; a claim of heads leaves them to be heads.
    retrying = or_(retrying, _due(earlier, now)) if due_ones_too else and_(retrying, earlier.c.due_at > now)
    return exists().where(
        literal_column(f"earlier.{UNSENT}"),  # the recipient's queue (ix_outbox_unsent), not their history
        earlier.c.channel == t.c.channel, earlier.c.address == t.c.address, earlier.c.id != t.c.id,
        or_(and_(earlier.c.status == OutboxStatus.sending, earlier.c.lease_until >= now),
            and_(earlier.c.id < t.c.id, retrying)),
    )


_EARLIER = TABLE.alias("earlier")  # built once: SQLAlchemy re-processes every column of a new alias


# -- the two claims ---------------------------------------------------------------------------------------------
def _claim_queue_statement(_dialect: str):
    """UPDATE ... RETURNING that leases one recipient's due messages, built once on the table itself.

    Core, not ORM: an ORM bulk update re-evaluates its WHERE against the session's objects and builds a
    cache key on every call, which cost more than the statement itself on this hot path.
    """
    now = bindparam("now", type_=UTCDateTime())
    return (
        update(TABLE)
        .where(_due(TABLE, now), TABLE.c.channel == bindparam("to_channel"),
               TABLE.c.address == bindparam("to_address"), ~_ahead(_EARLIER, TABLE, now, due_ones_too=False))
        .values(status=OutboxStatus.sending, lease_until=bindparam("lease_to", type_=UTCDateTime()),
                lease_owner=bindparam("owner"), attempts=TABLE.c.attempts + 1)
        .returning(*TABLE.c)
    )


_CLAIM_QUEUE = Prepared(_claim_queue_statement)


def claim_queue(conn, channel: str, address: str, now: datetime, lease: Lease) -> list[Outbox]:
    """Lease every due message to one recipient, oldest first, unless one is in flight elsewhere or an
    earlier one waits out a retry (then they wait, keeping the order)."""
    found = _CLAIM_QUEUE.all(conn, {"now": now, "to_channel": channel, "to_address": address,
                                    "lease_to": lease.until, "owner": lease.owner})
    return rows_from(dict(zip(COLUMNS, values, strict=True)) for values in found)


def claim(session: Session, now: datetime, lease: Lease, *, limit: int, channels: list[str] | None = None,
          address: str | None = None) -> list[Outbox]:
    """Lease due messages across recipients (at most `limit` queues' heads, with the due messages behind
    them), each recipient's in order; on PostgreSQL, workers skip each other's rows instead of waiting."""
    if address and channels and len(channels) == 1:
        return claim_queue(session.connection(), channels[0], address, now, lease)
    filters = [_due(TABLE, now)]
    if channels is not None:
        filters.append(TABLE.c.channel.in_(channels))
    if address:
        filters.append(TABLE.c.address == address)
    heads = (select(TABLE.c.id).where(*filters, ~_ahead(_EARLIER, TABLE, now, due_ones_too=True))
             .order_by(TABLE.c.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        heads = heads.with_for_update(skip_locked=True)
    head_ids = list(session.execute(heads).scalars())
    if not head_ids:
        return []
    queues = session.execute(select(TABLE.c.channel, TABLE.c.address).where(TABLE.c.id.in_(head_ids))).all()
    followers = select(TABLE.c.id).where(*filters, or_(*[and_(TABLE.c.channel == c, TABLE.c.address == a)
                                                          for c, a in queues]))
    stmt = (
        update(TABLE)
        .where(or_(TABLE.c.id.in_(head_ids), TABLE.c.id.in_(followers.scalar_subquery())))
        .values(status=OutboxStatus.sending, lease_until=lease.until, lease_owner=lease.owner,
                attempts=TABLE.c.attempts + 1)
        .returning(*TABLE.c)
    )
    return rows_from(session.execute(stmt).mappings())


def due_exists(conn, now: datetime) -> bool:
    """Whether any message is due or left behind by a lapsed lease (a cheap look before a claim)."""
    return conn.execute(select(literal_column("1")).select_from(TABLE).where(_due(TABLE, now)).limit(1)).first() \
        is not None


# -- every status change --------------------------------------------------------------------------------------
_SENT_VALUES = dict(
    status=OutboxStatus.sent, provider_id=bindparam("pid"), sent_at=bindparam("at", type_=UTCDateTime()),
    lease_until=None, lease_owner=None, last_error=None,
    # A message that carried a secret (an invitation link) keeps no copy of it once sent; nor does a
    # private one; a farewell keeps neither its text nor the address it went to.
    text=case((TABLE.c.kind == SECRET_KIND, SECRET_SENT_TEXT), (TABLE.c.kind == PRIVATE_KIND, SENT_TEXT),
              (TABLE.c.kind == FAREWELL_KIND, SENT_TEXT), else_=TABLE.c.text),
    address=case((TABLE.c.kind == FAREWELL_KIND, ERASED_ADDRESS), else_=TABLE.c.address))
MARK_SENT = update(TABLE).where(TABLE.c.id == bindparam("rid")).values(**_SENT_VALUES)
_MARK_SENT = Prepared(MARK_SENT)


def sent_params(sent: list[tuple[int, str | None]], at: datetime) -> list[dict]:
    return [{"rid": rid, "pid": pid, "at": at} for rid, pid in sent]


def mark_sent(conn, sent: list[tuple[int, str | None]], at: datetime, *, prepared: bool = True) -> None:
    """Record sends (id, provider id) on `conn`, in whatever transaction it is in."""
    if not sent:
        return
    if prepared:
        _MARK_SENT.executemany(conn, sent_params(sent, at))
    else:
        conn.execute(MARK_SENT, sent_params(sent, at))


def renew(conn, ids: list[int], lease: Lease) -> list[int]:
    """Extend the lease on messages this owner still holds; returns their ids (any other was taken over
    after a lapse, sent, or cancelled, and is no longer this owner's to send)."""
    if not ids:
        return []
    result = conn.execute(
        update(TABLE).where(TABLE.c.id.in_(ids), TABLE.c.lease_owner == lease.owner,
                            TABLE.c.status == OutboxStatus.sending)
        .values(lease_until=lease.until).returning(TABLE.c.id))
    return [r[0] for r in result]


def hand_back(conn, messages: list[Outbox], owner: str) -> None:
    """Return claimed messages untouched (the worker is stopping, or one ahead of them failed): the claim
    does not count as an attempt. Only those `owner` still holds: one taken over after a lapse is the new
    owner's."""
    for message in messages:
        conn.execute(update(TABLE).where(TABLE.c.id == message.id, TABLE.c.lease_owner == owner,
                                         TABLE.c.status == OutboxStatus.sending).values(
            status=OutboxStatus.pending, lease_until=None, lease_owner=None, attempts=message.attempts - 1))


def retry_at(conn, message: Outbox, due_at: datetime, error: str, *, counts: bool = True) -> None:
    """Back to the queue, due again at `due_at`; `counts=False` when the try was not the message's fault
    (the platform asked us to slow down)."""
    conn.execute(update(TABLE).where(TABLE.c.id == message.id).values(
        status=OutboxStatus.pending, lease_until=None, lease_owner=None, due_at=due_at, last_error=error[:500],
        attempts=message.attempts if counts else message.attempts - 1))


def fail(conn, ids: list[int], error: str) -> None:
    """Failed for good (refused, unreachable, out of attempts): kept for the record, never sent."""
    if ids:
        conn.execute(update(TABLE).where(TABLE.c.id.in_(ids)).values(
            status=OutboxStatus.failed, lease_until=None, lease_owner=None, last_error=error[:500]))


def unsent_to(session: Session, channel: str, address: str) -> list[Outbox]:
    """Everything still queued for one address, waiting or in flight, in order."""
    return list(session.scalars(select(Outbox).where(
        Outbox.channel == channel, Outbox.address == address,
        col(Outbox.status).in_([OutboxStatus.pending, OutboxStatus.sending])).order_by(col(Outbox.id))))


def cancel_waiting(conn, channel: str, address: str, reason: str) -> None:
    """Drop what waits for an address (the person opted out); a message already in flight finishes."""
    conn.execute(update(TABLE).where(TABLE.c.channel == channel, TABLE.c.address == address,
                                     TABLE.c.status == OutboxStatus.pending)
                 .values(status=OutboxStatus.cancelled, last_error=reason))


def requeue_failed(conn, message_id: int, now: datetime) -> bool:
    """An operator's retry of a failed message: queued again from scratch; False if it is not a failed one."""
    return conn.execute(update(TABLE).where(TABLE.c.id == message_id, TABLE.c.status == OutboxStatus.failed)
                        .values(status=OutboxStatus.pending, attempts=0, due_at=now, last_error=None,
                                lease_until=None, lease_owner=None)).rowcount > 0


def record_delivery(session: Session, provider_id: str, status: str, error: str | None,
                    order: Mapping[str, int]) -> Outbox | None:
    """What the platform reported after accepting a message, moving forward only (`order` ranks the
    statuses; reports arrive out of order). Returns the message when its status moved, else None."""
    message = session.scalars(select(Outbox).where(Outbox.provider_id == provider_id)).first()
    if message is None or order[status] <= order.get(message.delivery_status or "", -1):
        return None
    session.execute(update(TABLE).where(TABLE.c.id == message.id).values(delivery_status=status,
                                                                       delivery_error=error))
    return message
