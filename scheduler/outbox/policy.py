"""One failure policy for every channel: what happens to a message that could not be sent or delivered.

  * refused as malformed: failed for good, the queue moves on;
  * rate limited: back in the queue when the platform says, the channel paused, the try not counted;
  * anything else (network, server error): retried with backoff, up to MAX_ATTEMPTS;
  * the address cannot be reached (blocked the bot, not a WhatsApp number): the address is marked, this
    message and the rest of its queue go to the person's other address, and a client with none left is
    named to their clinician;
  * accepted, then reported undelivered: re-routed the same way; accepted free-form outside WhatsApp's
    24-hour window (63016): sent again as the approved template.

A re-route always goes to `data.outbox.preferred_address` minus the address that failed: one rule.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col

from data import outbox
from data.models import ChannelAddress, ClientProfile, Outbox, Person, Role
from handlers import escalation
from handlers.delivery import enqueue
from handlers.types import Outbound, Runtime

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_CAP = timedelta(minutes=15)


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter: on average half of 2s, 4s, 8s ... capped at 15 minutes."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))
    return ceiling * random.uniform(0.5, 1.0)


def rate_limited(conn, message: Outbox, retry_after: float, now: datetime) -> None:
    outbox.retry_at(conn, message, now + timedelta(seconds=retry_after), "rate limited", counts=False)


def rejected(conn, message: Outbox, reason: str) -> None:
    log.error("message rejected by the platform; not retrying",
              extra={"outbox_id": message.id, "channel": message.channel, "reason": reason[:200]})
    outbox.fail(conn, [message.id], f"rejected: {reason}")


def send_failed(conn, message: Outbox, error: str, now: datetime, max_attempts: int = MAX_ATTEMPTS) -> bool:
    """A send that may work later; True when it will be retried, False when it has had its tries."""
    retry = message.attempts < max_attempts
    log.warning("send failed; will retry" if retry else "send failed; giving up",
                extra={"outbox_id": message.id, "channel": message.channel, "error": error})
    if retry:
        outbox.retry_at(conn, message, now + backoff(message.attempts), error)
    else:
        outbox.fail(conn, [message.id], error)
    return retry


def reroute(session: Session, message: Outbox, now: datetime) -> bool:
    """Queue a copy of `message` at the person's other address; False when they have none."""
    if message.person_id is None:
        return False
    other = outbox.preferred_address(session, message.person_id, avoid=(message.channel, message.address))
    if other is None:
        return False
    outbox.add(session.connection(), [outbox.copy(message, key=f"{message.idempotency_key}>{other.channel}", now=now,
                                                  channel=other.channel, address=other.address)])
    return True


def unreachable(rt: Runtime, message: Outbox, reason: str) -> None:
    """The address cannot receive anything: mark it, move its whole queue to the person's other address,
    and tell the clinician about a client who can no longer be reached at all."""
    now = rt.clock()
    with Session(rt.db, expire_on_commit=False) as session:
        conn = session.connection()
        session.execute(update(ChannelAddress).where(
            ChannelAddress.channel == message.channel, ChannelAddress.address == message.address,
            col(ChannelAddress.unreachable_at).is_(None)).values(unreachable_at=now))
        stranded = [m for m in outbox.unsent_to(session, message.channel, message.address) if m.id != message.id]
        queue = [message, *stranded]
        outbox.fail(conn, [m.id for m in queue], f"unreachable: {reason}")
        moved = [reroute(session, m, now) for m in queue]
        person = session.get(Person, message.person_id) if message.person_id else None
        if not any(moved) and person is not None and person.role == Role.client:
            _tell_clinicians(rt, session, person, message.channel, now)
        session.commit()
    log.warning("recipient unreachable", extra={"outbox_id": message.id, "channel": message.channel})


def undelivered(session: Session, message: Outbox, now: datetime, *, outside_window: bool) -> None:
    """The platform accepted the message, then reported it failed: as the template if it was refused for the
    24-hour window, otherwise at the person's other address (in the caller's transaction)."""
    if outside_window:
        outbox.add(session.connection(), [outbox.copy(message, key=f"{message.idempotency_key}>template", now=now,
                                                      channel=message.channel, address=message.address,
                                                      force_template=True)])
    else:
        reroute(session, message, now)


def _tell_clinicians(rt: Runtime, session: Session, client: Person, channel: str, now: datetime) -> None:
    for clinician in escalation.clinicians_for(session, session.get(ClientProfile, client.id)):
        name = escalation.client_name(client)
        text = rt.content.text("ladder.unreachable", clinician.locale, client=name, channel=channel)
        enqueue(session, [(Outbound(text=text, person_id=clinician.id, kind="alert", template_key="clinician_alert",
                                    template_vars={"1": name, "2": channel}),
                           f"unreachable:{client.id}:{channel}:{now.date().isoformat()}:{clinician.id}")],
                now=now)
