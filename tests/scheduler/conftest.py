"""Scheduler fixtures: people other than the client (partners, clinicians) and a pass at a chosen instant."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlmodel import Session, col, select

from data.models import ChannelAddress, ConsentState, Outbox, Person, Role, SupportContact
from scheduler.outbox import Delivery, SendResult
from scheduler.passes import run_pass


class RecordingSender:
    """A sender that remembers what it sent; `fail` makes the next sends raise the given errors."""

    def __init__(self, channel: str = "console"):
        self.channel = channel
        self.sent: list[Outbox] = []
        self.fail: list[Exception] = []

    async def send(self, message: Outbox) -> SendResult:
        if self.fail:
            raise self.fail.pop(0)
        self.sent.append(message)
        return SendResult(provider_id=f"p{message.id}")


def add_person(rt, *, role: str, name: str, address: str, channel: str = "console", locale: str = "en",
               timezone: str = "Asia/Hong_Kong") -> Person:
    with Session(rt.db, expire_on_commit=False) as session:
        person = Person(role=role, display_name=name, locale=locale, timezone=timezone, created_at=rt.clock(),
                        consent_at=rt.clock())
        session.add(person)
        session.flush()
        session.add(ChannelAddress(person_id=person.id, channel=channel, address=address, opted_in_at=rt.clock()))
        session.commit()
        return person


def add_partner(rt, client_id: int, *, name: str = "Mum", address: str = "partner-1") -> Person:
    partner = add_person(rt, role=Role.partner, name=name, address=address)
    with Session(rt.db) as session:
        session.add(SupportContact(client_id=client_id, category="family_friends", name=name, is_partner=True,
                                   consent_state=ConsentState.accepted, partner_person_id=partner.id,
                                   created_at=rt.clock()))
        session.commit()
    return partner


def outbox_for(rt, person_id: int) -> list[Outbox]:
    with Session(rt.db) as session:
        return list(session.exec(select(Outbox).where(Outbox.person_id == person_id).order_by(col(Outbox.id))))


def tick(rt, at: datetime | None = None, sender: RecordingSender | None = None):
    """One full pass as `recovery-bot tick --at` runs it (the clock is moved to `at` first)."""
    if at is not None:
        rt.clock.now = at
    delivery = Delivery(rt, {sender.channel: sender}, limits={}) if sender else None
    return asyncio.run(run_pass(rt, delivery))


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def clinician(rt) -> Person:
    return add_person(rt, role=Role.clinician, name="Dr Chan", address="clinician-1")
