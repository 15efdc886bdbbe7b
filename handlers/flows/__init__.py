"""The registry of conversation flows: each is a small state machine whose state is a database row."""

from __future__ import annotations

from collections.abc import Callable

from handlers.flows import (
    checkin,
    craving,
    crisis,
    invites,
    menu,
    network,
    onboarding,
    partners,
    privacy,
    settings,
    slip,
    talk,
)
from handlers.turn import Step, Turn

_MODULES = (onboarding, network, craving, checkin, slip, crisis, settings, privacy, menu, invites, talk, partners)

STEPS: dict[str, dict[str, Step]] = {}
def _control_flows():
    from handlers import control

    return control.FLOWS


for _module in _MODULES:
    for _flow, _steps in _module.FLOWS.items():
        STEPS[_flow] = _steps
STEPS.update(_control_flows())

STARTS: dict[str, Callable[[Turn], None]] = {
    "onboarding": onboarding.start,
    "network": network.start,
    "craving": craving.start,
    "checkin": checkin.start,
    "slip": slip.start,
    "settings": settings.start,
    "export": privacy.export,
    "delete": privacy.start_delete,
    "invite": invites.start,
    "menu": menu.start,
    "fallback": menu.fallback,
    "progress": talk.progress,
    "guide": partners.guide,  # a client may read what their partners are told
}


def step(flow: str | None, name: str | None) -> Step | None:
    return STEPS.get(flow or "", {}).get(name or "")


def start(turn: Turn, name: str) -> None:
    STARTS[name](turn)


def reask_or_start(turn: Turn, name: str | None) -> None:
    """Ask the current question again; with no question open, start `name` (or show the menu)."""
    current = step(turn.state.flow, turn.state.step)
    if current is not None:
        current.ask(turn)
    elif name is not None:
        start(turn, name)
    elif turn.person.consent_at is not None:
        start(turn, "menu")
    else:
        start(turn, "onboarding")


def resume_suspended(turn: Turn) -> bool:
    """Pick up the flow a crisis interrupted, at the question it was on. False if there is none."""
    while turn.state.suspended:
        saved = turn.state.suspended.pop()
        current = step(saved.get("flow"), saved.get("step"))
        if current is not None:
            turn.state.flow, turn.state.step = saved["flow"], saved["step"]
            turn.state.data = dict(saved.get("data") or {})
            current.ask(turn)
            return True
    return False
