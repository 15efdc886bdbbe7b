"""Writes a turn's outbound messages to the outbox, in the same transaction as everything else."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, exists, literal_column, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from data.db import Prepared, dialect_insert
from data.models import UNSENT, ChannelAddress, Outbox, OutboxStatus, UTCDateTime
from handlers.turn import Turn
from handlers.types import SECRET_KIND, Outbound

log = logging.getLogger(__name__)


def preferred_address(session: Session, person_id: int) -> ChannelAddress | None:
    """The address the person wrote from most recently that is still reachable and opted in."""
    return session.exec(
        select(ChannelAddress)
        .where(
            ChannelAddress.person_id == person_id,
            col(ChannelAddress.unreachable_at).is_(None),
            col(ChannelAddress.opted_out_at).is_(None),
        )
        .order_by(col(ChannelAddress.last_inbound_at).desc().nulls_last(), col(ChannelAddress.id))
    ).first()


# A message whose idempotency key is already queued is skipped, so a repeated pass cannot queue it twice.
_OUTBOX_FIELDS = [c.name for c in Outbox.__table__.c if c.name != "id"]


def _insert_statement(dialect: str):
    return (
        dialect_insert(dialect)(Outbox.__table__)
        .values({name: bindparam(name, type_=Outbox.__table__.c[name].type) for name in _OUTBOX_FIELDS})
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )


_INSERT = Prepared(_insert_statement)
_INSERT_LEASED = Prepared(lambda dialect: _insert_statement(dialect).returning(Outbox.__table__.c.id))
# Whether anything is queued for an address (through ix_outbox_unsent: its queue, not its history).
_QUEUED = Prepared(
    select(literal_column("1")).select_from(Outbox.__table__)
    .where(literal_column(f"outbox.{UNSENT}"), Outbox.__table__.c.channel == bindparam("channel"),
           Outbox.__table__.c.address == bindparam("address"))
    .limit(1)
)


def _values(session: Session, out: Outbound, *, key: str, now, channel: str | None,
            address: str | None) -> dict | None:
    channel, address = out.channel or channel, out.address or address
    if channel is None or address is None:
        found = preferred_address(session, out.person_id) if out.person_id else None
        if found is None:
            log.warning("no reachable address; message not queued", extra={"person_id": out.person_id})
            return None
        channel, address = found.channel, found.address
    attachment = out.attachment
    return dict(
        person_id=out.person_id, channel=channel, address=address, text=out.text,
        options=[{"label": o.label, "payload": o.payload} for o in out.options], numbered=out.numbered,
        kind=out.kind,
        attachment=(
            {"filename": attachment.filename, "content": attachment.content, "mime_type": attachment.mime_type}
            if attachment else None
        ),
        template_key=out.template_key, template_vars=dict(out.template_vars), force_template=out.force_template,
        idempotency_key=out.idempotency_key or key, priority=out.priority, status=OutboxStatus.pending,
        due_at=max(now, out.not_before) if out.not_before else now, attempts=0, lease_until=None, provider_id=None,
        last_error=None, delivery_status=None, delivery_error=None, created_at=now, sent_at=None,
        about_person_id=out.about,
    )


def _rows(session: Session, messages: list[tuple[Outbound, str]], *, now, channel: str | None = None,
          address: str | None = None) -> list[dict]:
    """The outbox rows for messages (each with its idempotency key), leaving out any with nowhere to go."""
    rows = [_values(session, out, key=key, now=now, channel=channel, address=address) for out, key in messages]
    return [r for r in rows if r is not None]


def enqueue(session: Session, messages: list[tuple[Outbound, str]], *, now, channel: str | None = None,
            address: str | None = None) -> int:
    """Add messages (each with its idempotency key) to the outbox in one statement; returns how many."""
    rows = _rows(session, messages, now=now, channel=channel, address=address)
    if rows:
        # On the session's connection: no ORM objects or flush needed for write-only rows.
        _INSERT.executemany(session.connection(), rows)
    return len(rows)


def write(session: Session, turn: Turn, *, channel: str, address: str, key_prefix: str,
          lease_until: datetime | None = None) -> list[Outbox] | None:
    """Queue the replies on the channel the message came from, and messages for others where they are.

    With `lease_until`, the caller sends this address's messages now: when nothing was queued for
    the address before, the replies due now go in already leased to it, and are returned, oldest
    first (one statement each, instead of queuing them and then claiming them back). None means the
    caller must claim the queue itself (`claim_queue`), which keeps an earlier message's place.
    """
    limit = turn.rt.join_replies.get(channel)
    replies = joined(turn.out, limit) if limit else turn.out
    rows = _rows(session, [(out, f"{key_prefix}:{n}") for n, out in enumerate(replies)], now=turn.now,
                 channel=channel, address=address)
    rows += _rows(session, [(out, f"{key_prefix}:o{n}") for n, out in enumerate(turn.after)], now=turn.now)
    # Everyone else this turn wrote to now (a clinician's alert, a partner's all-clear): the caller sends
    # those at once too, instead of leaving them for the next scheduler pass.
    turn.others = list(dict.fromkeys((r["channel"], r["address"]) for r in rows
                                     if (r["channel"], r["address"]) != (channel, address) and r["due_at"] <= turn.now))
    conn = session.connection()
    if lease_until is None or _QUEUED.first(conn, {"channel": channel, "address": address}) is not None:
        if rows:
            _INSERT.executemany(conn, rows)
        return None
    leased = []
    for row in rows:  # in order, so the ids keep the order the messages were written in
        if row["channel"] == channel and row["address"] == address and row["due_at"] <= turn.now:
            row.update(status=OutboxStatus.sending, lease_until=lease_until, attempts=1)
            written = _INSERT_LEASED.first(conn, row)
            if written is not None:  # None: that idempotency key was already queued
                leased.append(Outbox.model_construct(id=written[0], **row))
        else:
            _INSERT.execute(conn, row).close()
    return leased


JOIN_LIMIT = 4096  # for callers that name no limit; channels give their own (Runtime.join_replies)


def joined(messages: list[Outbound], limit: int = JOIN_LIMIT) -> list[Outbound]:
    """A turn's replies as one message where they read as one.

    A plain text (no buttons, file or template) joins the message after it, so "Noted at 6." and the
    next question arrive as one message with the question's buttons: one notification on the
    person's phone and one send against the platform's rate limits instead of two. Messages for
    someone else, held for later, or too long together stay apart.
    """
    result: list[Outbound] = []
    for out in messages:
        before = result[-1] if result else None
        if before is not None and _joinable(before, out, limit):
            urgent = "urgent" in (before.priority, out.priority)
            result[-1] = replace(out, text=f"{before.text}\n\n{out.text}",
                                 priority="urgent" if urgent else out.priority)
        else:
            result.append(out)
    return result


def _joinable(before: Outbound, after: Outbound, limit: int) -> bool:
    plain = not (before.options or before.attachment or before.template_key or before.force_template
                 or before.not_before or before.idempotency_key)
    secret = SECRET_KIND in (before.kind, after.kind)
    return (plain and not secret and after.attachment is None and after.not_before is None and after.idempotency_key is None
            and (before.person_id, before.channel, before.address) == (after.person_id, after.channel, after.address)
            and len(before.text) + 2 + len(after.text) <= limit)


# -- claiming one recipient's queue (used right after handling their message, and by the outbox) -----------
def is_due(now: datetime):
    expired = and_(Outbox.status == OutboxStatus.sending, col(Outbox.lease_until) < now)
    return and_(or_(Outbox.status == OutboxStatus.pending, expired), col(Outbox.due_at) <= now)


EARLIER_OUTBOX = aliased(Outbox, name="earlier")  # built once: SQLAlchemy re-processes every column of a new alias


def _claim_queue_statement(dialect: str):
    """UPDATE ... RETURNING that leases one recipient's due messages, built once on the table itself.

    Core, not ORM: an ORM bulk update re-evaluates its WHERE against the session's objects and
    builds a cache key on every call, which cost more than the statement itself on this hot path.
    """
    table = Outbox.__table__
    earlier = table.alias("earlier")
    now = bindparam("now", type_=UTCDateTime())
    # Both lookups go through ix_outbox_unsent: the recipient's queue, not their whole history, and
    # not every due message of everyone (which a (status, due_at) index would read first).
    due = and_(literal_column(f"outbox.{UNSENT}"),
               or_(table.c.status == OutboxStatus.pending,
                   and_(table.c.status == OutboxStatus.sending, table.c.lease_until < now)),
               table.c.due_at <= now)
    in_the_way = exists().where(
        literal_column(f"earlier.{UNSENT}"),
        earlier.c.channel == table.c.channel, earlier.c.address == table.c.address, earlier.c.id != table.c.id,
        # In flight under a live lease, whatever its id (one worker per chat); or an earlier one waiting to retry.
        or_(and_(earlier.c.status == OutboxStatus.sending, earlier.c.lease_until >= now),
            and_(earlier.c.id < table.c.id, earlier.c.status == OutboxStatus.pending, earlier.c.attempts > 0,
                 earlier.c.due_at > now)),
    )
    return (
        update(table)
        .where(due, table.c.channel == bindparam("to_channel"), table.c.address == bindparam("to_address"), ~in_the_way)
        .values(status=OutboxStatus.sending, lease_until=bindparam("lease_to", type_=UTCDateTime()),
                attempts=table.c.attempts + 1)
        .returning(*table.c)
    )


_CLAIM_QUEUE = Prepared(_claim_queue_statement)


def outbox_rows(rows) -> list[Outbox]:
    """Plain outbox rows from RETURNING (mappings), oldest first (no second query, no session to expire them)."""
    return sorted((Outbox.model_construct(**row) for row in rows), key=lambda r: r.id)


def claim_queue(session: Session, channel: str, address: str, now: datetime, lease: timedelta) -> list[Outbox]:
    """Lease every due message to one recipient, oldest first, unless an earlier one is in flight
    elsewhere or waiting out a retry (then they wait, keeping the order)."""
    rows = _CLAIM_QUEUE.all(session.connection(),
                            {"now": now, "to_channel": channel, "to_address": address, "lease_to": now + lease})
    return outbox_rows(dict(zip(_OUTBOX_COLUMNS, row, strict=True)) for row in rows)


_OUTBOX_COLUMNS = [c.name for c in Outbox.__table__.c]
