"""Fixtures for the conversation tests: a joined clinician, and a crisis check that never asks the model."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from data.models import Person, Role
from handlers import dispatch
from handlers.flows import talk
from handlers.intents import NOTHING, Understood
from handlers.safety import NOT_CRISIS, CrisisKind, CrisisResult, Level, detect_crisis
from tests.scheduler.conftest import add_person


class Triage:
    """What the crisis check says, chosen by the test: the rules alone (at the `crisis` level), and any text
    the test marks. No test then depends on what the trained model makes of a text."""

    def __init__(self) -> None:
        self.chosen: dict[str, CrisisResult] = {}

    def check(self, text: str, kind: CrisisKind = CrisisKind.SUICIDE) -> str:
        self.chosen[text] = CrisisResult(Level.CHECK, kind, 0.5, ("model",))
        return text

    def crisis(self, text: str, kind: CrisisKind = CrisisKind.SUICIDE) -> str:
        self.chosen[text] = CrisisResult(Level.CRISIS, kind, 1.0, ("model",))
        return text

    def __call__(self, turn, text: str) -> CrisisResult:
        if text in self.chosen:
            return self.chosen[text]
        found = detect_crisis(text, turn.locale)
        if any(reason.startswith("rule:") for reason in found.reasons):
            return CrisisResult(Level.CRISIS, found.kind, 1.0, found.reasons)
        return NOT_CRISIS


@pytest.fixture(autouse=True)
def triage(request, monkeypatch) -> Triage | None:
    """Conversation tests are about flows, so the crisis check they meet is fixed: the rules, plus
    texts a test marks. Tests marked `real_model` meet the trained model (tests/safety tests it)."""
    if request.node.get_closest_marker("real_model"):
        return None
    fake = Triage()
    monkeypatch.setattr(dispatch, "check_safety", fake)
    return fake


class Intents:
    """What the intent model says, chosen by the test (nothing, unless marked): flow tests do not depend on
    what the trained model makes of a text. Tests marked `real_model` meet the trained model."""

    def __init__(self) -> None:
        self.chosen: dict[str, Understood] = {}

    def mark(self, text: str, intent: str, target: str | None = None, confidence: float = 0.99,
             likely: tuple[str, ...] = ()) -> str:
        self.chosen[text] = Understood(intent, target, confidence, likely)
        return text

    def __call__(self, text: str, locale: str = "en") -> Understood:
        return self.chosen.get(text, NOTHING)


@pytest.fixture(autouse=True)
def intents(request, monkeypatch) -> Intents | None:
    if request.node.get_closest_marker("real_model"):
        return None
    fake = Intents()
    monkeypatch.setattr(talk, "understand", fake)
    return fake


@pytest.fixture
def clinician(rt) -> Person:
    return add_person(rt, role=Role.clinician, name="Dr Chan", address="clinician-1")


def set_locale(rt, person_id: int, locale: str) -> None:
    with Session(rt.db) as session:
        person = session.get(Person, person_id)
        person.locale = locale
        session.add(person)
        session.commit()
