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

import itertools
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

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
from handlers.dispatch import dispatch
from handlers.flows.invites import create
from handlers.types import FixedClock, Inbound, Runtime
from scheduler.outbox import Delivery, SendResult
from scheduler.passes import run_pass

CHANNEL = "sandbox"
ROLES = ("client", "partner", "clinician")
LINK = re.compile(r"JOIN ([A-Za-z0-9_-]{16,64})")


@dataclass
class Bubble:
    """One message on a phone: from the bot or typed by the phone's owner, with the bot's buttons."""

    mine: bool
    text: str
    at: datetime
    options: list[tuple[str, str]] = field(default_factory=list)  # (label, payload)
    numbered: bool = True
    attachment: str | None = None  # a file's name (the export)


@dataclass
class Phone:
    role: str
    address: str
    bubbles: list[Bubble] = field(default_factory=list)

    def last_options(self) -> list[tuple[str, str]]:
        for bubble in reversed(self.bubbles):
            if not bubble.mine and bubble.options:
                return bubble.options
        return []


class SandboxSender:
    """The outbox's way into the phones: a sent message becomes a bubble on the phone of its address."""

    channel = CHANNEL

    def __init__(self, world: World) -> None:
        self.world = world
        self._ids = itertools.count(1)

    async def send(self, message: Outbox) -> SendResult:
        phone = self.world.phones.get(message.address)
        if phone is not None:
            phone.bubbles.append(Bubble(
                mine=False, text=message.text, at=self.world.clock(),
                options=[(o["label"], o["payload"]) for o in message.options], numbered=message.numbered,
                attachment=message.attachment["filename"] if message.attachment else None))
        return SendResult(provider_id=f"sandbox-{next(self._ids)}")


class World:
    """One person's sandbox: its own database file, clock, three phones, and the scheduler's passes."""

    def __init__(self, root: Path, *, start: datetime, content: Content | None = None,
                 template_db: Path | None = None) -> None:
        root.mkdir(parents=True, exist_ok=True)
        path = root / "world.db"
        if template_db is not None:  # a migrated empty database, copied: a new world in milliseconds
            shutil.copyfile(template_db, path)
        engine = make_engine(f"sqlite:///{path}")
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

    def close(self) -> None:
        self.rt.db.dispose()

    # -- the phones ------------------------------------------------------------------------------------------
    async def say(self, role: str, text: str = "", *, payload: str | None = None) -> None:
        """A phone sends a message (or, with `payload`, taps a button); the replies arrive on the phones."""
        phone = self.phones[role]
        phone.bubbles.append(Bubble(mine=True, text=text, at=self.clock()))
        inbound = Inbound(CHANNEL, phone.address, f"{role}-{next(self._ids)}", text=text, payload=payload,
                          received_at=self.clock(), language=self.locales[role])
        await run_db(self.rt.db, dispatch, self.rt, inbound)
        await self.delivery.drain()

    def set_language(self, role: str, locale: str) -> None:
        """Switch a phone's language: the bot speaks it to that phone from its next message on (a person who
        has written already changes theirs, as /settings would)."""
        if locale not in self.rt.content.locales:
            raise ValueError(f"no such language: {locale}")
        self.locales[role] = locale
        with Session(self.rt.db) as session:
            person = session.execute(select(Person).join(ChannelAddress, col(ChannelAddress.person_id) == Person.id)
                                     .where(ChannelAddress.channel == CHANNEL,
                                            ChannelAddress.address == self.phones[role].address)).scalar()
            if person is not None:
                person.locale = locale
                session.commit()

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

    # -- the clock -------------------------------------------------------------------------------------------
    def next_event(self) -> datetime | None:
        """The next instant something falls due after now: a prompt, a rung of the ladder, a follow-up, a weekly
        summary, or a message held for quiet hours."""
        now = self.clock()
        queries = [
            select(func.min(ClientProfile.next_prompt_at)).where(col(ClientProfile.next_prompt_at) > now),
            select(func.min(ClientProfile.next_summary_at)).where(col(ClientProfile.next_summary_at) > now),
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
        target = self.clock() + by
        while (due := self.next_event()) is not None and due <= target:
            self.clock.now = due
            await self._pass()
        self.clock.now = target
        await self._pass()

    async def to_next_event(self) -> datetime | None:
        """Jump to the next instant something is due and run the pass there; None when nothing is due."""
        due = self.next_event()
        if due is None:
            return None
        self.clock.now = due
        await self._pass()
        return due

    # -- what happened and why -----------------------------------------------------------------------------------
    def decisions(self) -> list[tuple[datetime, str, str | None]]:
        """Each step the ladder took, in order: (when, what, whom it reached)."""
        with Session(self.rt.db) as session:
            rows = session.execute(
                select(EscalationStep.at, EscalationStep.step, Person.display_name)
                .outerjoin(Person, col(Person.id) == EscalationStep.recipient_id)
                .order_by(col(EscalationStep.at), col(EscalationStep.id))).all()
        return [(at, step, who) for at, step, who in rows]
