"""One turn of conversation: the person, their stored flow state, and the replies being written."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlmodel import Session

from data.db import fetch
from data.models import ClientProfile, Person
from handlers.parsing import normalize
from handlers.types import SECRET_KIND, Inbound, Option, Outbound, Runtime

T = TypeVar("T")


@lru_cache(maxsize=4096)
def normalized_words(content, key: str, locale: str) -> frozenset[str]:
    """The words for key, normalised; locale "*" means every language's."""
    words = content.all_words(key) if locale == "*" else content.words(key, locale)
    return frozenset(normalize(w) for w in words)


class Invalid(Exception):
    """The answer does not fit the question: say the hint, then ask again."""

    def __init__(self, hint: str, **fields: Any) -> None:
        super().__init__(hint)
        self.hint = hint
        self.fields = fields


@dataclass(frozen=True)
class Reply:
    """The person's message as a flow step sees it."""

    text: str  # as typed, trimmed
    norm: str  # normalised for comparisons
    choice: str | None  # payload of the option they picked (tapped, numbered or named), if any
    value: Any = None  # what the step's own parser read from the text (a time, a number, a date), if any


@dataclass
class FlowState:
    """Where the person is in a conversation; stored in the conversation_state row between messages."""

    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    suspended: list[dict[str, Any]] = field(default_factory=list)  # flows a crisis interrupted, newest last
    # The person's last typed messages, [received ISO instant, text, own score], oldest first: read together with
    # the next message by the crisis check, kept at most CONTEXT_WINDOW (see handlers/dispatch.py).
    recent: list[list[str]] = field(default_factory=list)


# Scratch keys that outlive the flow that wrote them: what "undo" would take back.
UNDO = "_undo"
KEPT_ACROSS_FLOWS = (UNDO,)


def saved(turn: Turn, kind: str, row_id: int, **before: Any) -> None:
    """Remember the entry just saved, so that "undo" right after can take it back (`before`: what it changed)."""
    turn.state.data[UNDO] = {"kind": kind, "id": row_id, "at": turn.now.isoformat(), **before}


@dataclass(frozen=True)
class Step:
    ask: Callable[[Turn], None]
    answer: Callable[[Turn, Reply], None]
    # The step's own reading of typed text (a time, a number, a date), tried before the options: a value that
    # parses is never traded for an option that only looks like it ("20:30" is not the 12:30 button).
    parse: Callable[[Turn, str], Any] | None = None


def asked(options: Iterable[Option], *, numbered: bool = True) -> dict:
    """What a conversation's state remembers of a question put to the person (its buttons, and whether a
    typed number picks one), so the answer is read against it: for a question put from outside a turn
    (the planner's check-in prompt), the same as `Turn.ask` writes."""
    return {"_opts": [[o.label, o.payload] for o in options], "_numbered": numbered}


class Turn:
    """Everything a flow needs while handling one message, and the replies it has written so far."""

    def __init__(
        self,
        rt: Runtime,
        session: Session,
        person: Person,
        state: FlowState,
        inbound: Inbound | None = None,
    ) -> None:
        self.rt = rt
        self.session = session
        self.person = person
        self.state = state
        self.inbound = inbound
        self.now: datetime = rt.clock()
        self.out: list[Outbound] = []
        self.after: list[Outbound] = []  # messages for other people (clinicians, partners)
        self.others: list[tuple[str, str]] = []  # where messages for others went, due now (set when written)
        self.erased = False  # set when the person has just erased all their data
        self.hint: str | None = None  # set after a wrong answer: said instead of the whole question

    # -- where and when ----------------------------------------------------------------------
    @property
    def locale(self) -> str:
        return self.person.locale

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.person.timezone)
        except (KeyError, ValueError):
            return ZoneInfo(self.rt.default_timezone)

    @property
    def today(self) -> date:
        return self.now.astimezone(self.zone).date()

    @property
    def profile(self) -> ClientProfile | None:
        return self.get(ClientProfile, self.person.id)

    def get(self, model: type[T], key: Any) -> T | None:
        """The row of `model` with that primary key, or None (the session's get, made cheap)."""
        return fetch(self.session, model, key)

    @property
    def data(self) -> dict[str, Any]:
        return self.state.data

    # -- words ---------------------------------------------------------------------------------
    def t(self, key: str, **fields: Any) -> str:
        fields.setdefault("name", self.person.display_name or "")
        fields.setdefault("clinic", self.rt.clinic.name)
        fields.setdefault("clinician", self.rt.clinic.clinician_name)
        return self.rt.content.text(key, self.locale, **fields)

    def zone_name(self, zone: str | None = None) -> str:
        """A time zone as people say it, in their language: "Hong Kong time", "倫敦時間" (a city, not an IANA name)."""
        zone = zone or self.person.timezone
        key = f"zone.{zone}"
        place = self.t(key) if self.rt.content.has(key) else zone.rsplit("/", 1)[-1].replace("_", " ")
        return self.t("zone.label", place=place)

    def words(self, key: str) -> frozenset[str]:
        return normalized_words(self.rt.content, key, self.locale)

    def any_words(self, key: str) -> frozenset[str]:
        """Words for key in every language: commands and control words work whatever the person's language."""
        return normalized_words(self.rt.content, key, "*")

    def opt(self, payload: str, key: str | None = None, label: str | None = None, **fields: Any) -> Option:
        """An option labelled by text `key` (a bare key means `opt.<key>`; default: the payload)."""
        if label is None:
            key = key or payload
            label = self.t(key if "." in key else f"opt.{key}", **fields)
        return Option(label, payload)

    # -- speaking ------------------------------------------------------------------------------
    def say(self, key: str, options: Iterable[Option] = (), *, numbered: bool = True, secret: bool = False,
            about: int | None = None, **fields: Any) -> None:
        """Say a text; `secret` marks one that carries a secret (an invitation link), kept only until sent;
        `about` names the client it is about (a partner's or clinician's reply), erased with them."""
        self.say_text(self.t(key, **fields), options, numbered=numbered, secret=secret, about=about)

    def say_text(self, text: str, options: Iterable[Option] = (), *, numbered: bool = True,
                 secret: bool = False, about: int | None = None, kind: str | None = None) -> None:
        self.out.append(
            Outbound(text=text, person_id=self.person.id, options=tuple(options), numbered=numbered,
                     kind=kind or (SECRET_KIND if secret else "reply"), about=about)
        )

    def ask(
        self, flow: str, step: str, key: str, options: Iterable[Option] = (), *, numbered: bool = True,
        **fields: Any,
    ) -> None:
        """Put a question and remember it, so the answer (even a typed number) is read against it."""
        self.ask_text(flow, step, self.t(key, **fields), options, numbered=numbered)

    def ask_text(
        self, flow: str, step: str, text: str, options: Iterable[Option] = (), *, numbered: bool = True
    ) -> None:
        options = tuple(options)
        if self.state.flow == flow and self.state.step not in (None, step):
            self.data.setdefault("_trail", []).append(self.state.step)  # for "back"
        if self.hint is not None:  # the question again after a wrong answer: the hint and the buttons only
            text, self.hint = self.hint, None
        self.state.flow, self.state.step = flow, step
        self.data.update(asked(options, numbered=numbered))
        self.say_text(text, options, numbered=numbered)

    def end_flow(self) -> None:
        self.state.flow = self.state.step = None
        self.state.data = self._kept()

    def start_flow(self, flow: str) -> None:
        """Begin a fresh flow: earlier scratch answers are dropped, suspended flows are kept."""
        self.state.flow, self.state.step = flow, None
        self.state.data = self._kept()

    def _kept(self) -> dict[str, Any]:
        return {k: self.state.data[k] for k in KEPT_ACROSS_FLOWS if k in self.state.data}
