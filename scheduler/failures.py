"""Inbound messages whose handling raised: retried a few times with backoff, then kept as dead letters.

One bad update must never block anyone else's (Telegram polling would fetch it again forever, a webhook
would be redelivered forever). After the last attempt the person gets a short apology, the update is
recorded without its text or address (`recovery-bot failed-updates` lists them), and the channel goes on.
"""

from __future__ import annotations

import logging
import os
import traceback
from datetime import datetime

from sqlmodel import Session, select

from data.models import ChannelAddress, FailedUpdate, Person
from handlers.delivery import enqueue
from handlers.types import Inbound, Outbound, Runtime

log = logging.getLogger(__name__)

ATTEMPTS = 3
BACKOFF_SECONDS = (0.2, 1.0)  # before the second and the third attempt


def where(exc: BaseException) -> str:
    """Where an exception was raised, as file:line (its message may quote what someone wrote: never logged)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return type(exc).__name__
    last = frames[-1]
    return f"{type(exc).__name__} at {os.path.basename(last.filename)}:{last.lineno}"


def record(rt: Runtime, inbound: Inbound, exc: BaseException, *, final: bool) -> None:
    """Count a failed attempt; on the final one, mark it dead and queue the apology."""
    now: datetime = rt.clock()
    with Session(rt.db) as session:
        row = session.exec(select(FailedUpdate).where(FailedUpdate.channel == inbound.channel,
                                                      FailedUpdate.external_id == inbound.external_id)).first()
        if row is None:
            row = FailedUpdate(channel=inbound.channel, external_id=inbound.external_id[:128], attempts=0,
                               error="", first_failed_at=now, last_failed_at=now)
            session.add(row)
        row.attempts += 1
        row.error = where(exc)[:120]
        row.last_failed_at = now
        if final and not row.dead:
            row.dead = True
            address = session.exec(select(ChannelAddress).where(ChannelAddress.channel == inbound.channel,
                                                                ChannelAddress.address == inbound.address)).first()
            person = session.get(Person, address.person_id) if address else None
            row.person_id = person.id if person else None
            locale = person.locale if person else rt.default_locale
            enqueue(session, [(Outbound(text=rt.content.text("errors.apology", locale),
                                        person_id=person.id if person else None, kind="notice",
                                        channel=inbound.channel, address=inbound.address),
                               f"failed:{inbound.channel}:{inbound.external_id}")], now=now)
        attempts, error = row.attempts, row.error
        session.commit()
    log.error("an inbound update failed (attempt %s)%s", attempts, "; kept as a dead letter" if final else "",
              extra={"channel": inbound.channel, "error": error})
