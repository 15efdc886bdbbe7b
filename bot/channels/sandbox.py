"""The sandbox channel: three phones (a client, an accountability partner, a clinician) and a clock, in one world.

A channel adapter like the console: what a phone types or taps becomes an `Inbound` for `dispatch`, and what the
outbox sends to a phone's address lands in that phone's transcript, through the same `Delivery` as production.
Time is the world's own `FixedClock`; moving it runs the scheduler's own pass (`scheduler.passes.run_pass`, what
`recovery-bot tick --at` runs) at every instant something falls due on the way, so what appears, and in which
order, is what production would send. Each world has its own SQLite file: it never touches the production
database or a real channel.

This module is the world; the pages that show it in the browser (issue 14) build on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import re
import secrets
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import func, select
from sqlmodel import Session, col

from data.content import Content
from data.db import make_engine, run_db, upgrade
from data.models import (
    ChannelAddress,
    ClientProfile,
    Craving,
    Escalation,
    EscalationStep,
    Outbox,
    OutboxStatus,
    Person,
)
from handlers.delivery import in_window
from handlers.dispatch import dispatch
from handlers.flows.invites import create
from handlers.types import FixedClock, Inbound, Runtime
from scheduler.outbox import Delivery, SendResult
from scheduler.passes import run_pass

CHANNEL = "sandbox"
ROLES = ("client", "partner", "clinician")
STYLES = ("telegram", "whatsapp")
LINK = re.compile(r"JOIN ([A-Za-z0-9_-]{16,64})")


SCHEDULED = ("prompt", "followup", "summary", "digest")  # what a pass queues of its own accord (the ladder's are its steps)
HELD = ("reminder",)  # also shown when quiet hours held them


class Decision(NamedTuple):
    at: datetime
    step: str  # a ladder step (reminder, partner_nudge, ...), prompt, followup, summary, or held
    who: str | None  # whom it reached
    until: datetime | None = None  # held: when it could go


@dataclass
class Bubble:
    """One message on a phone: from the bot (as the outbox sent it) or typed by the phone's owner."""

    mine: bool
    text: str
    at: datetime
    options: list[dict[str, str]] = field(default_factory=list)  # the outbox's options: label, payload
    numbered: bool = True
    attachment: dict[str, str] | None = None  # a file: filename, content, mime_type
    template_key: str | None = None  # the approved WhatsApp template this message has, if any
    outside_window: bool = False  # sent more than 24 hours after the phone last wrote (WhatsApp's rule)
    chosen: str | None = None  # the button tapped in answer to this message
    drawn: bytes | None = None  # the attachment's bytes once shown (a chart is drawn when first seen)
    uid: str = field(default_factory=lambda: secrets.token_hex(8))  # names it in links, whatever its place


@dataclass
class Phone:
    role: str
    address: str
    bubbles: list[Bubble] = field(default_factory=list)
    style: str = "telegram"  # how the phone shows messages: "telegram" or "whatsapp"
    last_inbound: datetime | None = None

    def asked(self) -> Bubble | None:
        """The newest message with buttons: the question a tap answers."""
        for bubble in reversed(self.bubbles):
            if not bubble.mine and bubble.options:
                return bubble
        return None

    def last_options(self) -> list[tuple[str, str]]:
        asked = self.asked()
        return [(o["label"], o["payload"]) for o in asked.options] if asked else []


class SandboxSender:
    """The outbox's way into the phones: a sent message becomes a bubble on the phone of its address."""

    channel = CHANNEL

    def __init__(self, world: World) -> None:
        self.world = world
        self._ids = itertools.count(1)

    async def send(self, message: Outbox) -> SendResult:
        phone = self.world.phones.get(message.address)
        if phone is not None:
            now = self.world.clock()
            phone.bubbles.append(Bubble(
                mine=False, text=message.text, at=now, options=[dict(o) for o in message.options],
                numbered=message.numbered, attachment=dict(message.attachment) if message.attachment else None,
                template_key=message.template_key,
                outside_window=message.force_template or not in_window(phone.last_inbound, now)))
            self.world.changed()
        return SendResult(provider_id=f"sandbox-{next(self._ids)}")


class World:
    """One person's sandbox: its own database file, clock, three phones, and the scheduler's passes."""

    def __init__(self, root: Path, *, start: datetime, content: Content | None = None,
                 template_db: Path | None = None) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.path = root / "world.db"
        if template_db is not None:  # a migrated empty database, copied: a new world in milliseconds
            shutil.copyfile(template_db, self.path)
        engine = make_engine(f"sqlite:///{self.path}")
        if template_db is None:
            upgrade(engine)
        self.clock = FixedClock(start)
        self.rt = Runtime(db=engine, content=content or Content(), clock=self.clock,
                          invite_links={CHANNEL: "JOIN {token}"})
        self.phones = {role: Phone(role, role) for role in ROLES}
        # Each phone's language, as a phone's settings would give it to the app (Inbound.language).
        self.locales = {role: self.rt.default_locale for role in ROLES}
        self.delivery = Delivery(self.rt, {CHANNEL: SandboxSender(self)}, limits={})
        self._ids = itertools.count(1)
        self.version = 0  # moves on every change a page would show
        self._changed = asyncio.Event()
        self._present: tuple[datetime, dict[str, Phone], dict[str, str]] | None = None  # see back_to_now

    def close(self) -> None:
        self.rt.db.dispose()

    # -- changes, for pages that follow the world live ------------------------------------------------------------
    def changed(self) -> None:
        self.version += 1
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    async def wait_change(self, seen: int, timeout: float) -> int:
        """Wait until the world's version moves past `seen` (or `timeout` seconds pass); the version now."""
        if self.version == seen:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout)
        return self.version

    # -- the phones ------------------------------------------------------------------------------------------
    async def say(self, role: str, text: str = "", *, payload: str | None = None) -> None:
        """A phone sends a message (or, with `payload`, taps a button); the replies arrive on the phones."""
        phone = self.phones[role]
        now = self.clock()
        if payload is not None and (asked := phone.asked()) is not None and asked.chosen is None:
            asked.chosen = text  # Telegram marks the answered question with the choice
        phone.bubbles.append(Bubble(mine=True, text=text, at=now))
        phone.last_inbound = now
        self.changed()
        inbound = Inbound(CHANNEL, phone.address, f"{role}-{next(self._ids)}", text=text, payload=payload,
                          received_at=now, language=self.locales[role])
        await run_db(self.rt.db, dispatch, self.rt, inbound)
        await self.delivery.drain()

    def set_language(self, role: str, locale: str) -> None:
        """Switch a phone's language: the bot speaks it to that phone from its next message on (a person who
        has written already changes theirs, as /settings would)."""
        if locale not in self.rt.content.locales:
            raise ValueError(f"no such language: {locale}")
        self.locales[role] = locale
        with Session(self.rt.db) as session:
            person = self._person(session, role)
            if person is not None:
                person.locale = locale
                session.commit()
        self.changed()

    def set_style(self, role: str, style: str) -> None:
        """Show a phone as Telegram or as WhatsApp: the same messages, each channel's way of showing them."""
        if style not in STYLES:
            raise ValueError(f"no such style: {style}")
        self.phones[role].style = style
        self.changed()

    def _person(self, session: Session, role: str) -> Person | None:
        return session.execute(select(Person).join(ChannelAddress, col(ChannelAddress.person_id) == Person.id)
                               .where(ChannelAddress.channel == CHANNEL,
                                      ChannelAddress.address == self.phones[role].address)).scalar()

    def people(self) -> dict[str, tuple[str | None, str]]:
        """Each phone's owner as the bot knows them: (name, time zone); phones not yet in touch are absent."""
        with Session(self.rt.db) as session:
            found = {}
            for role in ROLES:
                person = self._person(session, role)
                if person is not None:
                    found[role] = (person.display_name, person.timezone)
            return found

    async def tap(self, role: str, label: str) -> None:
        """Tap the button (in the phone's newest question) whose label contains `label`."""
        for found, payload in self.phones[role].last_options():
            if label.casefold() in found.casefold():
                await self.say(role, found, payload=payload)
                return
        raise LookupError(f"no button {label!r} on the {role}'s phone")

    async def forward_link(self, source: str, to: str) -> None:
        """The newest invitation link on one phone, "forwarded" and opened on another."""
        for bubble in reversed(self.phones[source].bubbles):
            found = LINK.search(bubble.text)
            if found and not bubble.mine:
                await self.say(to, found.group(0))
                return
        raise LookupError(f"no invitation link on the {source}'s phone")

    async def clinician_joins(self, name: str = "Dr Chan") -> None:
        """The clinic invites its clinician (as `recovery-bot clinician invite` does), who accepts."""
        def invite() -> str:
            with Session(self.rt.db) as session:
                token = create(session, role="clinician", now=self.clock(), name=name)
                session.commit()
                return token

        token = await run_db(self.rt.db, invite)
        await self.say("clinician", f"JOIN {token}")
        await self.tap("clinician", "Yes")

    def clinician(self) -> Person | None:
        with Session(self.rt.db, expire_on_commit=False) as session:
            return self._person(session, "clinician")

    # -- the present, kept while the clock jumps ahead --------------------------------------------------------------
    def _keep_present(self) -> None:
        if self._present is None:
            with sqlite3.connect(self.path) as live, sqlite3.connect(self.path.with_name("present.db")) as kept:
                live.backup(kept)
            self._present = (self.clock(), copy.deepcopy(self.phones), dict(self.locales))

    def settle(self) -> None:
        """Make the clock's time the present (after a story played its history): "back to now" returns here."""
        self._present = None
        self.path.with_name("present.db").unlink(missing_ok=True)
        self.changed()

    @property
    def ahead(self) -> bool:
        """Whether the clock has moved since the present (and "back to now" can return to it)."""
        return self._present is not None

    def back_to_now(self) -> bool:
        """Undo the time travel: the world as it was before the clock first moved ahead; False if it hadn't."""
        if self._present is None:
            return False
        self.rt.db.dispose()  # no pooled connection may hold the file while it is replaced
        with sqlite3.connect(self.path.with_name("present.db")) as kept, sqlite3.connect(self.path) as live:
            kept.backup(live)
        self.clock.now, self.phones, self.locales = self._present
        self._present = None
        self.changed()
        return True

    # -- the clock -------------------------------------------------------------------------------------------
    def next_event(self) -> datetime | None:
        """The next instant something falls due after now: a prompt, a rung of the ladder, a follow-up, a weekly
        summary, or a message held for quiet hours."""
        now = self.clock()
        queries = [
            select(func.min(ClientProfile.next_prompt_at)).where(col(ClientProfile.next_prompt_at) > now),
            select(func.min(ClientProfile.next_summary_at)).where(col(ClientProfile.next_summary_at) > now),
            select(func.min(ClientProfile.next_digest_at)).where(col(ClientProfile.next_digest_at) > now),
            select(func.min(Escalation.next_step_at)).where(Escalation.status == "open",
                                                            col(Escalation.next_step_at) > now),
            select(func.min(Craving.followup_due_at)).where(col(Craving.followup_due_at) > now),
            select(func.min(Outbox.due_at)).where(Outbox.status == OutboxStatus.pending, col(Outbox.due_at) > now),
        ]
        with Session(self.rt.db) as session:
            found = [session.execute(q).scalar() for q in queries]
        found = [f for f in found if f is not None]
        return min(found) if found else None

    async def _pass(self) -> None:
        await run_pass(self.rt, self.delivery)

    async def advance(self, by: timedelta) -> None:
        """Move the clock on by `by`, running a pass at each instant something falls due on the way."""
        self._keep_present()
        target = self.clock() + by
        while (due := self.next_event()) is not None and due <= target:
            self.clock.now = due
            await self._pass()
        self.clock.now = target
        await self._pass()
        self.changed()

    async def to_next_event(self) -> datetime | None:
        """Jump to the next instant something is due and run the pass there; None when nothing is due."""
        due = self.next_event()
        if due is None:
            return None
        self._keep_present()
        self.clock.now = due
        await self._pass()
        self.changed()
        return due

    # -- what happened and why -----------------------------------------------------------------------------------
    def decisions(self) -> list[Decision]:
        """What the scheduler did, in order: each step the ladder took (escalation steps) and what the passes
        queued of their own accord (prompts, craving follow-ups, weekly summaries), with any message held back
        by its recipient's quiet hours."""
        with Session(self.rt.db) as session:
            steps = session.execute(
                select(EscalationStep.at, EscalationStep.step, Person.display_name, EscalationStep.id)
                .outerjoin(Person, col(Person.id) == EscalationStep.recipient_id)).all()
            queued = session.execute(
                select(Outbox.created_at, Outbox.kind, Person.display_name, Outbox.due_at, Outbox.id)
                .outerjoin(Person, col(Person.id) == Outbox.person_id)
                .where(col(Outbox.kind).in_(SCHEDULED + HELD))).all()
        found = [(at, 0, n, Decision(at, step, who)) for at, step, who, n in steps]
        for at, kind, who, due, n in queued:
            if kind in SCHEDULED:
                found.append((at, 1, n, Decision(at, kind, who)))
            if due - at >= timedelta(minutes=1):
                found.append((at, 2, n, Decision(at, "held", who, due)))
        return [d for *_, d in sorted(found, key=lambda f: f[:3])]
