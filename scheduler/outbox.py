"""Delivers queued messages: claims due outbox rows, sends them through the channel's sender, records the result."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine, and_, or_, update
from sqlmodel import Session, col, select

from data.models import Outbox, OutboxStatus
from handlers.types import Clock

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class SendResult:
    provider_id: str | None = None


class Sender(Protocol):
    """One channel's way out (console, Telegram, WhatsApp). bot/channels implements it."""

    channel: str

    async def send(self, message: Outbox) -> SendResult: ...


def _due(now: datetime):
    expired_lease = and_(Outbox.status == OutboxStatus.sending, col(Outbox.lease_until) < now)
    return and_(or_(Outbox.status == OutboxStatus.pending, expired_lease), col(Outbox.due_at) <= now)


def claim(db: Engine, now: datetime, *, limit: int = 100, channel: str | None = None,
          address: str | None = None) -> list[Outbox]:
    """Take up to `limit` due messages under a lease, oldest first; a dead worker's lease runs out."""
    filters = [_due(now)]
    if channel:
        filters.append(Outbox.channel == channel)
    if address:
        filters.append(Outbox.address == address)
    with Session(db, expire_on_commit=False) as session:
        ids = select(Outbox.id).where(*filters).order_by(col(Outbox.id)).limit(limit)
        if db.dialect.name == "postgresql":
            ids = ids.with_for_update(skip_locked=True)
        stmt = (
            update(Outbox)
            .where(col(Outbox.id).in_(ids.scalar_subquery()), *filters)
            .values(status=OutboxStatus.sending, lease_until=now + LEASE, attempts=Outbox.attempts + 1)
            .returning(Outbox.id)
        )
        claimed = list(session.execute(stmt).scalars())
        session.commit()
        if not claimed:
            return []
        return list(session.exec(select(Outbox).where(col(Outbox.id).in_(claimed)).order_by(col(Outbox.id))))


def _finish(db: Engine, row_id: int, **values) -> None:
    with Session(db) as session:
        session.execute(update(Outbox).where(Outbox.id == row_id).values(**values))
        session.commit()


async def drain(db: Engine, senders: dict[str, Sender], clock: Clock, *, limit: int = 100,
                channel: str | None = None, address: str | None = None) -> int:
    """Send what is due now; returns how many were sent."""
    now = clock()
    sent = 0
    for row in claim(db, now, limit=limit, channel=channel, address=address):
        sender = senders.get(row.channel)
        if sender is None:
            # No sender for this channel in this process: give the row back for a process that has one.
            _finish(db, row.id, status=OutboxStatus.pending, lease_until=None, attempts=row.attempts - 1)
            continue
        try:
            result = await sender.send(row)
        except Exception as exc:  # noqa: BLE001 - any failure is retried later, never lost
            retry = row.attempts < MAX_ATTEMPTS
            log.warning("send failed", extra={"outbox_id": row.id, "error": type(exc).__name__})
            _finish(
                db, row.id, status=OutboxStatus.pending if retry else OutboxStatus.failed, lease_until=None,
                due_at=now + timedelta(seconds=2 ** row.attempts), last_error=type(exc).__name__,
            )
            continue
        _finish(db, row.id, status=OutboxStatus.sent, provider_id=result.provider_id, sent_at=clock(),
                lease_until=None)
        sent += 1
    return sent

