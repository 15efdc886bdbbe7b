"""The path of one inbound message: dedupe, find and lock the person, crisis check, commands, then the flow."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import Connection, bindparam, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from data import outbox
from data.db import Prepared, attach, dialect_insert
from data.models import (
    ChannelAddress,
    ConversationState,
    InboundEvent,
    Outbox,
    Person,
    Role,
    UTCDateTime,
)
from handlers import commands, control, delivery, flows
from handlers.flows import alerts, crisis, roles, talk
from handlers.parsing import clean_text, close_match, has_words, normalize
from handlers.safety import NOT_CRISIS, CrisisResult, Level, detect_crisis
from handlers.safety.context import CONTEXT_MESSAGES, CONTEXT_WINDOW, in_context
from handlers.safety.triage import rule_only
from handlers.turn import FlowState, Invalid, Reply, Turn
from handlers.types import Inbound, Outbound, Runtime

log = logging.getLogger(__name__)


@dataclass
class DispatchResult:
    duplicate: bool = False
    person_id: int | None = None
    replies: list[Outbound] = field(default_factory=list)
    # Replies (and anything else due to the address) leased to the caller to send now. Inside
    # dispatch, None means the replies were queued behind something and the queue must be claimed.
    claimed: list[Outbox] | None = field(default_factory=list)
    # (channel, address) of other people this message wrote to, due now: a caller that sends sends those too.
    others: list[tuple[str, str]] = field(default_factory=list)


def dispatch(rt: Runtime, inbound: Inbound, *, claim_for: outbox.Claimant | None = None,
             also: Callable[[Connection], None] | None = None) -> DispatchResult:
    """Handle one inbound message in one transaction; replies are written to the outbox, not sent.

    With `claim_for`, the replies (and anything else due to this address) are also leased to the
    caller in the same transaction, for a channel that sends them at once. `also` is the caller's
    own work to commit with it (run before the claim; not run for a duplicate).
    """
    if inbound.text or inbound.payload:  # NUL, control characters and lone surrogates cannot be stored
        inbound = replace(inbound, text=clean_text(inbound.text or "") if isinstance(inbound.text, str) else "",
                          payload=clean_text(inbound.payload) if isinstance(inbound.payload, str) else None)
    for attempt in range(3):
        try:
            with Session(rt.db, expire_on_commit=False) as session:
                now = rt.clock()
                lease = claim_for.lease(now) if claim_for is not None else None
                result = _dispatch(rt, session, inbound, now, also=also, lease=lease)
                if claim_for is not None and not result.duplicate and result.claimed is None:
                    result.claimed = outbox.claim_queue(session.connection(), inbound.channel, inbound.address,
                                                        rt.clock(), claim_for.lease(rt.clock()))
                session.commit()
                result.claimed = result.claimed or []
                return result
        except IntegrityError:
            # Two first messages from one new address raced to create the person; the loser retries
            # and finds the winner's row (its own dedupe row was rolled back with it).
            if attempt == 2:
                raise
            log.info("retrying inbound after a concurrent insert", extra={"channel": inbound.channel})
    raise AssertionError("unreachable")


_PERSON = Person.__table__
_ADDR, _STATE, _EVENT = ChannelAddress.__table__, ConversationState.__table__, InboundEvent.__table__
_PERSON_COLUMNS = [c.name for c in _PERSON.c]

# The hot path's statements, compiled once per dialect and run on the transaction's own connection.
_LOOKUP = Prepared(
    select(*_PERSON.c, _ADDR.c.id.label("address_id"), _ADDR.c.last_inbound_at, _ADDR.c.unreachable_at,
           _STATE.c.flow, _STATE.c.step, _STATE.c.data, _STATE.c.suspended, _STATE.c.recent,
           _STATE.c.person_id.label("stored"))
    .select_from(_PERSON.join(_ADDR, _ADDR.c.person_id == _PERSON.c.id)
                 .outerjoin(_STATE, _STATE.c.person_id == _PERSON.c.id))
    .where(_ADDR.c.channel == bindparam("channel"), _ADDR.c.address == bindparam("address"))
    # Serialise this person's messages across workers: the row lock is held until commit.
    .with_for_update(of=_PERSON)
)
_RECORD_EVENT = Prepared(lambda dialect: (
    dialect_insert(dialect)(_EVENT)
    .values(channel=bindparam("channel"), external_id=bindparam("external_id"),
            received_at=bindparam("received_at", type_=UTCDateTime()), person_id=bindparam("person_id"))
    .on_conflict_do_nothing(index_elements=["channel", "external_id"])
    .returning(_EVENT.c.id)
))
_TOUCH = Prepared(
    update(_ADDR).where(_ADDR.c.id == bindparam("address_id"))
    .values(last_inbound_at=bindparam("now", type_=UTCDateTime()), unreachable_at=None)
)


def _save_statement(dialect: str):
    save = dialect_insert(dialect)(_STATE)
    return save.on_conflict_do_update(
        index_elements=["person_id"],
        set_={c: save.excluded[c] for c in ("flow", "step", "data", "suspended", "recent", "updated_at")},
    )


_SAVE = Prepared(_save_statement)
# The address's last-inbound time (for WhatsApp's 24-hour window) need not move on every message of a chat.
TOUCH_EVERY = timedelta(minutes=1)


@dataclass
class _Found:
    person: Person
    address_id: int
    state: FlowState
    state_stored: bool
    address_fresh: bool  # its last-inbound time is recent and it is not marked unreachable


def _find_or_create(session: Session, rt: Runtime, inbound: Inbound, now) -> _Found:
    """The person behind this address (locked), with their address and flow state; created on first contact."""
    found = _LOOKUP.first(session.connection(), {"channel": inbound.channel, "address": inbound.address})
    if found is not None:
        split = len(_PERSON_COLUMNS)
        person = attach(session, Person, zip(_PERSON_COLUMNS, found[:split], strict=True))  # not read again
        address_id, last_inbound, unreachable, flow, step, data, suspended, recent, stored = found[split:]
        fresh = unreachable is None and last_inbound is not None and now - last_inbound < TOUCH_EVERY
        state = FlowState(flow, step, data or {}, suspended or [], recent or [])
        return _Found(person, address_id, state, stored is not None, fresh)
    locale = rt.default_locale
    if (inbound.language or "").lower().startswith("zh") or _looks_chinese(inbound.text):
        locale = "zh-HK"
    person = Person(locale=locale, timezone=rt.default_timezone, created_at=now)
    session.add(person)
    session.flush()
    address = ChannelAddress(person_id=person.id, channel=inbound.channel, address=inbound.address)
    session.add(address)
    session.flush()
    return _Found(person, address.id, FlowState(), False, False)


def _looks_chinese(text: str) -> bool:
    return sum("\u4e00" <= ch <= "\u9fff" for ch in text or "") >= 2


def _snapshot(state: FlowState) -> tuple:
    return (state.flow, state.step, json.dumps(state.data, sort_keys=True), json.dumps(state.suspended),
            json.dumps(state.recent))


def _dispatch(rt: Runtime, session: Session, inbound: Inbound, now, *,
              also: Callable[[Connection], None] | None, lease: outbox.Lease | None) -> DispatchResult:
    found = _find_or_create(session, rt, inbound, now)
    person, state = found.person, found.state
    conn = session.connection()
    event = _RECORD_EVENT.first(conn, {"channel": inbound.channel, "external_id": inbound.external_id,
                                       "received_at": inbound.received_at or now, "person_id": person.id})
    event_id = event[0] if event else None
    if event_id is None:
        session.rollback()
        return DispatchResult(duplicate=True)
    if also is not None:
        also(conn)  # before the replies are written: earlier ones recorded as sent are out of their way
    if not found.address_fresh:
        _TOUCH.execute(conn, {"address_id": found.address_id, "now": now}).close()
    before = _snapshot(state) if found.state_stored else None
    turn = Turn(rt, session, person, state, inbound)
    handle(turn, inbound)
    session.flush()  # domain rows first, so the state row below never outlives an erased person
    if not turn.erased and _snapshot(state) != before:
        _SAVE.execute(conn, {"person_id": person.id, "flow": state.flow, "step": state.step, "data": state.data,
                            "suspended": state.suspended, "recent": state.recent, "updated_at": now}).close()
    leased = delivery.write(session, turn, channel=inbound.channel, address=inbound.address,
                            key_prefix=f"in:{event_id}", lease=lease)
    return DispatchResult(person_id=person.id, replies=list(turn.out), claimed=leased, others=turn.others)


def handle(turn: Turn, inbound: Inbound) -> None:
    """Crisis first, then commands, then the current flow step, then the menu."""
    text = (inbound.text or "").strip()
    command = commands.parse(turn, text, inbound.payload)
    if text and inbound.payload is None:  # typed text only: a button press is not read for danger
        # A command ("/start <code>", "JOIN <code>", "settings") carries machine words, not something said:
        # the learned model has never seen an invitation's token, so only the rules read it.
        found = rule_only(text, turn.locale) if command is not None else check_safety(turn, text)
        if found.is_crisis:
            crisis.begin(turn, found.kind, level=found.level, text=text)
            return
    if alerts.handle_payload(turn, inbound.payload):
        return
    if turn.person.role != Role.client and (command is not None or turn.state.flow is None):
        # Partners and clinicians: which commands work depends on the role alone, never on a flow they are in
        # (an invitation's consent question, a delete confirmation): a client's /settings is not theirs.
        roles.command(turn, command)
        return
    if command is not None:
        commands.run(turn, *command)
        return
    flow, step_name = turn.state.flow, turn.state.step
    step = flows.step(flow, step_name) if flow else None
    consented = turn.person.consent_at is not None
    typed = inbound.payload is None and bool(text)
    if typed and consented and control.handle(turn, step, text):
        return
    if step is None:
        if flow:  # a state from an older version of the bot; start over gently
            turn.end_flow()
        if not consented:
            flows.start(turn, "onboarding")
        elif typed:
            talk.hear(turn, text)
        else:
            flows.start(turn, "menu")
        return
    reply = read_answer(turn, step, text, inbound.payload)
    if reply is None:
        return  # answered already: a stale button, or a close spelling that is being confirmed
    if typed and consented and reply.choice is None and reply.value is None and talk.escape(turn, text):
        return  # "i really want a drink right now" in the middle of the network walk
    try:
        step.answer(turn, reply)
    except Invalid as bad:
        instead = talk.instead_of_answer(turn, text) if typed and consented else None
        if instead == "done":
            return
        if instead is None and turn.state.flow == crisis.FLOW:
            turn.say(bad.hint, **bad.fields)  # in a crisis the whole question again, never a short form
        elif instead is None:
            turn.hint = turn.t(bad.hint, **bad.fields)  # one line and the buttons, not the whole block again
        step.ask(turn)


# Messages repeat across people ("yes", "4", "skip", a pasted paragraph) and the check is pure, so recent
# results are remembered; a unique message costs the detector about 3-5 ms (see the README).
CACHED_CHARS = 500
_detect_cached = lru_cache(maxsize=8192)(detect_crisis)
CONTEXT_CHARS = 1000  # a longer message is kept cut to this for context
SHORT_ANSWER_WORDS = 3


def _answering(turn: Turn) -> bool:
    """The person is in a flow, answering the question the bot asked last (not the crisis flow's own)."""
    return turn.state.flow not in (None, crisis.FLOW, "menu", "fallback", talk.FLOW) and turn.state.step is not None


def check_safety(turn: Turn, text: str) -> CrisisResult:
    """The crisis check on a typed message (not a command), alone and with the person's recent messages."""
    alone = _detect_cached(text, turn.locale) if len(text) <= CACHED_CHARS else detect_crisis(text, turn.locale)
    state, now = turn.state, turn.now
    # Each kept message is [received ISO instant, text, its own score].
    window = [m for m in state.recent if now - datetime.fromisoformat(m[0]) <= CONTEXT_WINDOW][-CONTEXT_MESSAGES:]
    if window:
        found = in_context(text, [m[1] for m in window], alone, turn.locale, [float(m[2]) for m in window])
    else:
        found = alone
    if found.level is Level.CHECK and found.reasons == ("model",) and _answering(turn) \
            and len(text.split()) <= SHORT_ANSWER_WORDS:
        # A short reply to the question just asked ("lots", "my ex", "安眠藥" for which substance) is read
        # as an answer when only the model is unsure; the rules and the model's crisis level still interrupt.
        found = NOT_CRISIS
    if found.is_crisis or turn.person.consent_at is None:
        # Nothing is kept before consent; after a crisis the next messages start a fresh context,
        # so "I'm safe now" is never read together with the message that raised the alarm.
        state.recent = []
    else:
        state.recent = window[-(CONTEXT_MESSAGES - 1):] + [[now.isoformat(), text[:CONTEXT_CHARS], alone.score]]
    return found

STALE = "\0stale"
_LEADING = re.compile(r"^[^\w]*\d*[^\w]*")
GUESS = "_guess"  # a close spelling waiting for the person's "yes, that one"


def read_answer(turn: Turn, step, text: str, payload: str | None) -> Reply | None:
    """A typed or tapped answer as the step should see it, in a fixed order of trust.

    A tapped button is exact. Typed text goes to the step's own parser first (a time, a number, a
    date), then to the exact words of an option (its number, label or short words), then to a close
    spelling. A close spelling on a step that reads values is never saved on a guess: the person is
    asked "Did you mean 21:00?" first. Returns None when the turn has been answered here.
    """
    norm = normalize(text)
    pending = turn.data.pop(GUESS, None)
    if pending is not None:
        turn.data["_opts"], turn.data["_numbered"] = pending["opts"], pending["numbered"]
        said = _choice(turn, text, payload, offered=[["yes", "yes"], ["no", "no"]], numbered=True)
        if said == "yes":
            return Reply(text=text, norm=norm, choice=pending["choice"])
        if said == "no":
            step.ask(turn)
            return None
        payload = None if payload in ("yes", "no") else payload  # anything else is a fresh answer
    if payload is None and text and step.parse is not None:
        value = step.parse(turn, text)
        if value is not None:
            return Reply(text=text, norm=norm, choice=None, value=value)
    choice = _choice(turn, text, payload)
    if choice == STALE:
        turn.say("hint.stale")
        step.ask(turn)
        return None
    if isinstance(choice, _Guess):
        if step.parse is None:
            return Reply(text=text, norm=norm, choice=choice.payload)  # "lonley" is "lonely"
        turn.data[GUESS] = {"choice": choice.payload, "opts": turn.data.get("_opts", []),
                            "numbered": turn.data.get("_numbered", True)}
        opts = [turn.opt("yes"), turn.opt("no")]
        turn.say("hint.did_you_mean", opts, label=choice.label)
        turn.data["_opts"], turn.data["_numbered"] = [[o.label, o.payload] for o in opts], True
        return None
    return Reply(text=text, norm=norm, choice=choice)


@dataclass(frozen=True)
class _Guess:
    payload: str
    label: str


def _choice(turn: Turn, text: str, payload: str | None, *, offered: list[list[str]] | None = None,
            numbered: bool | None = None) -> str | _Guess | None:
    """Which offered option the person meant: a tapped button, a typed number, a label, or a close spelling
    (returned as a _Guess)."""
    offered = turn.data.get("_opts", []) if offered is None else offered
    numbered = turn.data.get("_numbered", True) if numbered is None else numbered
    payloads = [p for _, p in offered]
    if payload is not None:
        return payload if payload in payloads else STALE
    norm = normalize(text)
    if not norm or not offered:
        return None
    if numbered and norm.rstrip(".)").isdigit():
        index = int(norm.rstrip(".)"))
        return payloads[index - 1] if 1 <= index <= len(payloads) else None
    names: dict[str, str] = {}
    labels: dict[str, str] = {}
    for label, p in offered:
        labels.setdefault(p, label)
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
    return _Guess(names[guess], labels[names[guess]]) if guess else None
