"""A chat transcript driver for tests: send a message through dispatch, read back what the outbox holds."""

from __future__ import annotations

import itertools

from sqlmodel import Session, col, select

from data.models import ChannelAddress, ClientProfile, ConversationState, Outbox, Person
from handlers.dispatch import DispatchResult, dispatch
from handlers.types import Inbound, Runtime

_ids = itertools.count(1)


class Chat:
    """Plays one person talking to the bot, the way a channel would."""

    def __init__(self, rt: Runtime, *, address: str, channel: str = "console", profile_name: str | None = None):
        self.rt = rt
        self.address = address
        self.channel = channel
        self.profile_name = profile_name
        self.seen = 0
        self.last: list[Outbox] = []
        self.result: DispatchResult | None = None

    def send(self, text: str = "", *, payload: str | None = None, external_id: str | None = None) -> str:
        """Send a message; returns all replies it produced, joined, as the person would read them."""
        inbound = Inbound(
            channel=self.channel, address=self.address, external_id=external_id or f"ext-{next(_ids)}",
            text=text, payload=payload, received_at=self.rt.clock(), profile_name=self.profile_name,
        )
        self.result = dispatch(self.rt, inbound)
        self.last = self.new_messages()
        return "\n".join(m.text for m in self.last)

    def tap(self, label: str) -> str:
        """Tap the button (in the last question) whose label contains `label`."""
        for message in reversed(self.last):
            for option in message.options:
                if label.casefold() in option["label"].casefold():
                    return self.send(option["label"], payload=option["payload"])
        raise AssertionError(f"no button {label!r} in {self.labels}")

    @property
    def labels(self) -> list[str]:
        return [o["label"] for m in self.last for o in m.options]

    def new_messages(self) -> list[Outbox]:
        with Session(self.rt.db) as session:
            rows = list(session.exec(
                select(Outbox).where(Outbox.address == self.address, col(Outbox.id) > self.seen)
                .order_by(col(Outbox.id))
            ))
        if rows:
            self.seen = rows[-1].id
        return rows

    # -- what is stored ---------------------------------------------------------------------------------
    def person(self) -> Person | None:
        with Session(self.rt.db) as session:
            addr = session.exec(select(ChannelAddress).where(
                ChannelAddress.channel == self.channel, ChannelAddress.address == self.address)).first()
            return session.get(Person, addr.person_id) if addr else None

    def profile(self) -> ClientProfile:
        with Session(self.rt.db) as session:
            return session.get(ClientProfile, self.person().id)

    def state(self) -> ConversationState:
        with Session(self.rt.db) as session:
            return session.get(ConversationState, self.person().id)

    def rows(self, table) -> list:
        person = self.person()
        column = table.client_id if hasattr(table, "client_id") else table.person_id
        with Session(self.rt.db) as session:
            order = getattr(table, "id", column)
            return list(session.exec(select(table).where(column == person.id).order_by(order)))

    def onboard(self, name: str = "Ken", sober: str = "30 days ago") -> None:
        self.send("hi")
        self.tap("I agree")
        self.send(name)
        self.tap("Hong Kong")
        self.send("21:00")
        self.send(sober)
        self.tap("Later")
