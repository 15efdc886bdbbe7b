"""Writes a turn's outbound messages to the outbox, in the same transaction as everything else."""

from __future__ import annotations

import logging

from sqlmodel import Session, col, select

from data.models import ChannelAddress, Outbox
from handlers.turn import Turn
from handlers.types import Outbound

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


def enqueue(session: Session, out: Outbound, *, key: str, now, channel: str | None = None,
            address: str | None = None) -> Outbox | None:
    """Add one message to the outbox; returns None when the person has no address to reach."""
    channel, address = out.channel or channel, out.address or address
    if channel is None or address is None:
        found = preferred_address(session, out.person_id) if out.person_id else None
        if found is None:
            log.warning("no reachable address; message not queued", extra={"person_id": out.person_id})
            return None
        channel, address = found.channel, found.address
    row = Outbox(
        person_id=out.person_id,
        channel=channel,
        address=address,
        text=out.text,
        options=[{"label": o.label, "payload": o.payload} for o in out.options],
        numbered=out.numbered,
        kind=out.kind,
        attachment=(
            {"filename": out.attachment.filename, "content": out.attachment.content,
             "mime_type": out.attachment.mime_type}
            if out.attachment else None
        ),
        template_key=out.template_key,
        template_vars=dict(out.template_vars),
        idempotency_key=out.idempotency_key or key,
        priority=out.priority,
        due_at=now,
        created_at=now,
    )
    session.add(row)
    return row


def write(session: Session, turn: Turn, *, reply_to: ChannelAddress, key_prefix: str) -> None:
    """Queue the replies on the channel the message came from, and messages for others where they are."""
    channel, address = reply_to.channel, reply_to.address
    for n, out in enumerate(turn.out):
        enqueue(session, out, key=f"{key_prefix}:{n}", now=turn.now, channel=channel, address=address)
    for n, out in enumerate(turn.after):
        enqueue(session, out, key=f"{key_prefix}:o{n}", now=turn.now)
