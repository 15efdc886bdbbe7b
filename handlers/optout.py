"""Opting out and back in (STOP / START on WhatsApp): nothing more is sent to that address until START."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from data.models import ChannelAddress, Outbox, OutboxStatus, Person
from handlers.delivery import enqueue
from handlers.parsing import normalize
from handlers.types import Inbound, Outbound, Runtime


def keyword(rt: Runtime, text: str) -> str | None:
    """"stop" or "start" when the whole message is an opt-out or opt-in keyword, in any language."""
    norm = normalize(text).strip(".!。！ ")
    if norm in {normalize(w) for w in rt.content.all_words("optout")}:
        return "stop"
    if norm in {normalize(w) for w in rt.content.all_words("optin")}:
        return "start"
    return None


def apply(rt: Runtime, inbound: Inbound, which: str) -> bool:
    """Record STOP or START for the address; confirm once. False when it changes nothing."""
    now = rt.clock()
    with Session(rt.db, expire_on_commit=False) as session:
        address = session.exec(select(ChannelAddress).where(
            ChannelAddress.channel == inbound.channel, ChannelAddress.address == inbound.address)).first()
        if address is None:
            return False  # someone we never knew: nothing stored, nothing to stop
        opted_out = address.opted_out_at is not None
        if (which == "stop") == opted_out:
            return False
        person = session.get(Person, address.person_id)
        locale = person.locale if person else "en"
        emergency = rt.content.crisis_region(person.timezone if person else rt.default_timezone).emergency
        if which == "stop":
            address.opted_out_at = now
            session.execute(update(Outbox).where(
                Outbox.channel == inbound.channel, Outbox.address == inbound.address,
                col(Outbox.status).in_([OutboxStatus.pending]),
            ).values(status=OutboxStatus.cancelled, last_error="opted out"))
            key = "optout.stopped"
        else:
            address.opted_out_at, address.opted_in_at = None, now
            key = "optout.resumed"
        address.last_inbound_at = now
        enqueue(session, [(Outbound(text=rt.content.text(key, locale, emergency=emergency), person_id=address.person_id,
                                    kind="optout", priority="urgent"),
                           f"optout:{inbound.channel}:{inbound.external_id}")],
                now=now, channel=inbound.channel, address=inbound.address)
        session.commit()
    return True
