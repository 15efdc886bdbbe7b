"""Writes a turn's outbound messages to the outbox, in the same transaction as everything else.

How an `Outbound` becomes a queued row; the queue itself (its rows, order, claims and statuses) is
data/outbox.py.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from sqlmodel import Session

from data import outbox
from data.models import Outbox
from data.outbox import Lease, preferred_address
from handlers.turn import Turn
from handlers.types import SECRET_KIND, Outbound

log = logging.getLogger(__name__)

__all__ = ["enqueue", "joined", "preferred_address", "row_for", "write"]


# WhatsApp's rule: free-form messages (and media) only within 24 hours of the person's last message; we stop a few
# minutes short. Outside it only approved templates go (bot/channels/whatsapp.py).
WHATSAPP = "whatsapp"
WINDOW = timedelta(hours=24)
WINDOW_MARGIN = timedelta(minutes=5)


def in_window(last_inbound: datetime | None, now: datetime) -> bool:
    """Whether a free-form message may go now: the person wrote within the last 24 hours (less a margin)."""
    return last_inbound is not None and now - last_inbound < WINDOW - WINDOW_MARGIN


def row_for(session: Session, out: Outbound, *, key: str, now, channel: str | None = None,
            address: str | None = None) -> dict | None:
    """The queued row for a message (to `channel`/`address`, or else wherever its person is reached);
    None when the person has nowhere to be reached."""
    channel, address = out.channel or channel, out.address or address
    if channel is None or address is None:
        found = preferred_address(session, out.person_id) if out.person_id else None
        if found is None:
            log.warning("no reachable address; message not queued", extra={"person_id": out.person_id})
            return None
        channel, address = found.channel, found.address
    attachment = out.attachment
    return outbox.row(
        channel=channel, address=address, text=out.text, key=out.idempotency_key or key, now=now,
        person_id=out.person_id, options=[{"label": o.label, "payload": o.payload} for o in out.options],
        numbered=out.numbered, kind=out.kind,
        attachment=({"filename": attachment.filename, "content": attachment.content,
                     "mime_type": attachment.mime_type, **({"chart": attachment.chart} if attachment.chart else {})}
                    if attachment else None),
        template_key=out.template_key, template_vars=out.template_vars, force_template=out.force_template,
        priority=out.priority, due_at=out.not_before, about_person_id=out.about,
    )


def _rows(session: Session, messages: list[tuple[Outbound, str]], *, now, channel: str | None = None,
          address: str | None = None) -> list[dict]:
    """The outbox rows for messages (each with its idempotency key), leaving out any with nowhere to go."""
    rows = [row_for(session, out, key=key, now=now, channel=channel, address=address) for out, key in messages]
    return [r for r in rows if r is not None]


def enqueue(session: Session, messages: list[tuple[Outbound, str]], *, now, channel: str | None = None,
            address: str | None = None) -> int:
    """Add messages (each with its idempotency key) to the outbox in one statement; returns how many."""
    rows = _rows(session, messages, now=now, channel=channel, address=address)
    outbox.add(session.connection(), rows)  # on the session's connection: no ORM objects or flush needed
    return len(rows)


def write(session: Session, turn: Turn, *, channel: str, address: str, key_prefix: str,
          lease: Lease | None = None) -> list[Outbox] | None:
    """Queue the replies on the channel the message came from, and messages for others where they are.

    With a `lease`, the caller sends this address's messages now: when nothing was queued for the
    address before, the replies due now go in already leased to it, and are returned, oldest first
    (instead of queuing them and then claiming them back). None means the caller must claim the queue
    itself (`outbox.claim_queue`), which keeps an earlier message's place.
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
    if lease is None or outbox.queued(conn, channel, address):
        outbox.add(conn, rows)
        return None
    leased: list[Outbox] = []
    for r in rows:  # one at a time, in order, so the ids keep the order the messages were written in
        if r["channel"] == channel and r["address"] == address and r["due_at"] <= turn.now:
            leased += outbox.add_leased(conn, [r], lease)
        else:
            outbox.add(conn, [r])
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
