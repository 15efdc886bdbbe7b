"""Opting out and back in (STOP / START on WhatsApp): nothing more is sent to that address until START."""

from __future__ import annotations

from sqlmodel import Session, select

from data import outbox
from data.models import ChannelAddress, ConversationState, InboundEvent, Person
from handlers.delivery import enqueue
from handlers.parsing import normalize
from handlers.types import Inbound, Outbound, Runtime


def _seen(session: Session, inbound: Inbound, person_id: int, now) -> bool:
    """Record the message's id; True if it was handled before (the platform delivered it again)."""
    found = session.exec(select(InboundEvent).where(
        InboundEvent.channel == inbound.channel, InboundEvent.external_id == inbound.external_id)).first()
    if found is not None:
        return True
    session.add(InboundEvent(channel=inbound.channel, external_id=inbound.external_id, person_id=person_id,
                             received_at=now))
    session.flush()
    return False


def keyword(rt: Runtime, text: str) -> str | None:
    """"stop" or "start" when the whole message is an opt-out or opt-in keyword, in any language."""
    norm = normalize(text).strip(".!。！ ")
    if norm in {normalize(w) for w in rt.content.all_words("optout")}:
        return "stop"
    if norm in {normalize(w) for w in rt.content.all_words("optin")}:
        return "start"
    return None


def apply(rt: Runtime, inbound: Inbound, which: str) -> bool:
    """Record STOP or START for the address and confirm once.

    True when the message was an opt-out matter and is fully handled (including a repeated STOP, a
    redelivery, or a STOP from someone we never knew: all answered with silence). False only for a
    START from someone who never opted out, which is then an ordinary message.
    """
    now = rt.clock()
    with Session(rt.db, expire_on_commit=False) as session:
        address = session.exec(select(ChannelAddress).where(
            ChannelAddress.channel == inbound.channel, ChannelAddress.address == inbound.address)).first()
        opted_out = address is not None and address.opted_out_at is not None
        if which == "start" and not opted_out:
            return False
        if address is None or (which == "stop") == opted_out:
            return True  # nothing stored to stop, or already stopped: say nothing more
        if _seen(session, inbound, address.person_id, now):
            return True
        person = session.get(Person, address.person_id)
        locale = person.locale if person else "en"
        emergency = rt.content.crisis_region(person.timezone if person else rt.default_timezone).emergency
        if which == "stop":
            address.opted_out_at = now
            state = session.get(ConversationState, address.person_id)
            if state is not None:  # what was cancelled should not be waiting when they come back
                state.flow, state.step, state.data = None, None, {}
            outbox.cancel_waiting(session.connection(), inbound.channel, inbound.address, "opted out")
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
