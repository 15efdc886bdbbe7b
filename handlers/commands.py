"""Global commands (/checkin, "menu", 選單 ...) that interrupt whatever flow the person is in."""

from __future__ import annotations

from handlers import flows
from handlers.parsing import normalize
from handlers.turn import Turn

COMMANDS = (
    "start", "help", "menu", "cancel", "checkin", "craving", "network", "slip", "settings", "export", "delete",
    "invite", "join", "clients", "client", "stop", "progress", "dashboard", "guide",
)
# Before consent only these work; everything else waits until the person has agreed.
BEFORE_CONSENT = {"start", "help", "cancel", "delete", "join"}


def parse(turn: Turn, text: str, payload: str | None) -> tuple[str, str] | None:
    """The command a message asks for, with its argument, or None when it is an ordinary answer."""
    if payload and payload.startswith("cmd:"):
        return (payload[4:] if payload[4:] in COMMANDS else "unknown"), ""
    if text.startswith("/") and len(text) > 1:
        token, _, arg = text[1:].partition(" ")
        token = token.split("@", 1)[0].casefold()
        return (token if token in COMMANDS else "unknown"), arg.strip()
    norm = normalize(text)
    head, _, rest = text.strip().partition(" ")
    if head.casefold() in ("join", "加入") and rest.strip():  # "JOIN <code>" from an invitation link
        return "join", rest.strip()
    if not norm or len(norm) > 30:
        return None
    offered = {normalize(label) for label, _ in turn.data.get("_opts", [])}
    if norm in offered or any(norm in turn.words(p) for _, p in turn.data.get("_opts", [])):
        return None  # the answer to the question on screen wins over a command of the same name
    for name in COMMANDS:
        if norm in turn.any_words(f"cmd.{name}"):
            return name, ""
    return None


def run(turn: Turn, name: str, arg: str = "") -> None:
    """Carry out a command; unknown ones get a short note and the menu."""
    if name in ("start", "join") and arg:
        from handlers.flows import invites

        if invites.open_invitation(turn, arg) or turn.person.consent_at is not None:
            return
        name = "start"  # an invalid invitation: carry on as anyone new would
    if turn.person.consent_at is None and name not in BEFORE_CONSENT:
        turn.say("onboarding.consent_first")
        flows.reask_or_start(turn, "onboarding")
        return
    if name == "help":
        turn.say("help.client" if turn.person.consent_at else "help.before_consent")
        flows.reask_or_start(turn, None)
        return
    if name == "start":
        if turn.person.consent_at is None:
            turn.end_flow()
            flows.start(turn, "onboarding")
        else:
            turn.say("menu.welcome_back")
            flows.start(turn, "menu")
        return
    if name == "cancel":
        from handlers import control

        if control.offer_to_keep(turn):
            return
        was_in_flow = turn.state.flow not in (None, "menu")
        turn.end_flow()
        turn.say("menu.cancelled" if was_in_flow else "menu.nothing_to_cancel")
        if turn.person.consent_at is None:
            flows.start(turn, "onboarding")
        else:
            flows.start(turn, "menu")
        return
    if name in ("join", "clients", "client", "stop", "dashboard"):
        name = "unknown"  # for partners and clinicians; a client meant something else
    if name == "unknown":
        turn.say("menu.unknown_command")
        flows.start(turn, "menu")
        return
    flows.start(turn, name)
