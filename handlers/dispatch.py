"""The path of one inbound message: dedupe, find and lock the person, crisis check, commands, then the flow."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, select

from data.models import ChannelAddress, ConversationState, InboundEvent, Person
from handlers import commands, delivery, flows
from handlers.flows import crisis
from handlers.parsing import close_match, has_words, normalize
from handlers.safety import detect_crisis
from handlers.turn import Invalid, Reply, Turn
from handlers.types import Inbound, Outbound, Runtime

log = logging.getLogger(__name__)


@dataclass
class DispatchResult:
    duplicate: bool = False
    person_id: int | None = None
    replies: list[Outbound] = field(default_factory=list)


def dispatch(rt: Runtime, inbound: Inbound) -> DispatchResult:
    """Handle one inbound message in one transaction; replies are written to the outbox, not sent."""
    for attempt in range(3):
        try:
            with Session(rt.db, expire_on_commit=False) as session:
                result = _dispatch(rt, session, inbound)
                session.commit()
                return result
        except IntegrityError:
            # Two first messages from one new address raced to create the person; the loser retries
            # and finds the winner's row (its own dedupe row was rolled back with it).
            if attempt == 2:
                raise
            log.info("retrying inbound after a concurrent insert", extra={"channel": inbound.channel})
    raise AssertionError("unreachable")


def _record_event(session: Session, inbound: Inbound, received_at) -> int | None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(InboundEvent)
        .values(channel=inbound.channel, external_id=inbound.external_id, received_at=received_at)
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        .returning(InboundEvent.id)
    )
    return session.execute(stmt).scalar_one_or_none()


def _find_or_create(session: Session, rt: Runtime, inbound: Inbound, now) -> tuple[Person, ChannelAddress]:
    address = session.exec(
        select(ChannelAddress).where(
            ChannelAddress.channel == inbound.channel, ChannelAddress.address == inbound.address
        )
    ).first()
    if address is not None:
        # Serialise this person's messages across workers: the row lock is held until commit.
        person = session.exec(
            select(Person).where(Person.id == address.person_id).with_for_update()
        ).one()
        return person, address
    locale = rt.default_locale
    if (inbound.language or "").lower().startswith("zh") or _looks_chinese(inbound.text):
        locale = "zh-HK"
    person = Person(locale=locale, timezone=rt.default_timezone, created_at=now)
    session.add(person)
    session.flush()
    address = ChannelAddress(person_id=person.id, channel=inbound.channel, address=inbound.address)
    session.add(address)
    session.flush()
    return person, address


def _looks_chinese(text: str) -> bool:
    return sum("\u4e00" <= ch <= "\u9fff" for ch in text or "") >= 2


def _dispatch(rt: Runtime, session: Session, inbound: Inbound) -> DispatchResult:
    now = rt.clock()
    event_id = _record_event(session, inbound, inbound.received_at or now)
    if event_id is None:
        return DispatchResult(duplicate=True)
    person, address = _find_or_create(session, rt, inbound, now)
    session.get(InboundEvent, event_id).person_id = person.id
    address.last_inbound_at = now
    address.unreachable_at = None
    state = session.get(ConversationState, person.id)
    if state is None:
        state = ConversationState(person_id=person.id, data={}, suspended=[], updated_at=now)
        session.add(state)
    turn = Turn(rt, session, person, state, address, inbound)
    handle(turn, inbound)
    if session.get(Person, person.id) is not None:  # the person may just have erased themselves
        state.updated_at = now
        flag_modified(state, "data")
        flag_modified(state, "suspended")
    delivery.write(session, turn, reply_to=address, key_prefix=f"in:{event_id}")
    return DispatchResult(person_id=person.id, replies=list(turn.out))


def handle(turn: Turn, inbound: Inbound) -> None:
    """Crisis first, then commands, then the current flow step, then the menu."""
    text = (inbound.text or "").strip()
    if text:
        found = detect_crisis(text, turn.locale)
        if found.is_crisis:
            crisis.begin(turn, found.kind)
            return
    command = commands.parse(turn, text, inbound.payload)
    if command is not None:
        commands.run(turn, *command)
        return
    flow, step_name = turn.state.flow, turn.state.step
    step = flows.step(flow, step_name) if flow else None
    if step is None:
        if flow:  # a state from an older version of the bot; start over gently
            turn.end_flow()
        flows.start(turn, "onboarding" if turn.person.consent_at is None else "fallback")
        return
    choice = _choice(turn, text, inbound.payload)
    if choice == STALE:
        turn.say("hint.stale")
        step.ask(turn)
        return
    reply = Reply(text=text, norm=normalize(text), choice=choice)
    try:
        step.answer(turn, reply)
    except Invalid as bad:
        turn.say(bad.hint, **bad.fields)
        step.ask(turn)


STALE = "\0stale"
_LEADING = re.compile(r"^[^\w]*\d*[^\w]*")


def _choice(turn: Turn, text: str, payload: str | None) -> str | None:
    """Which offered option the person meant: a tapped button, a typed number, a label or a close spelling."""
    offered: list[list[str]] = turn.data.get("_opts", [])
    payloads = [p for _, p in offered]
    if payload is not None:
        return payload if payload in payloads else STALE
    norm = normalize(text)
    if not norm or not offered:
        return None
    if turn.data.get("_numbered", True) and norm.rstrip(".)").isdigit():
        index = int(norm.rstrip(".)"))
        return payloads[index - 1] if 1 <= index <= len(payloads) else None
    names: dict[str, str] = {}
    for label, p in offered:
        names.setdefault(normalize(label), p)
        bare = _LEADING.sub("", normalize(label))  # "4 · good" is also just "good"
        if bare:
            names.setdefault(bare, p)
        for word in turn.words(p):
            names.setdefault(word, p)
    if norm in names:
        return names[norm]
    if not has_words(norm):
        return None
    guess = close_match(norm, list(names))
    return names[guess] if guess else None
