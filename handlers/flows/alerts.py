"""Answers to messages the bot started: a clinician's Acknowledge, a craving follow-up, partners' questions."""

from __future__ import annotations

from data.models import Craving, Person, Role
from handlers import escalation
from handlers.parsing import parse_id
from handlers.turn import Turn

FOLLOWUP_PREFIX = "fu:"
FOLLOWUP_OUTCOMES = ("passed", "still", "used")


def handle_payload(turn: Turn, payload: str | None) -> bool:
    """Deal with a tapped button that belongs to an alert or follow-up; False when it is not one."""
    if not payload:
        return False
    if payload.startswith(escalation.ACK_PREFIX):
        acknowledge(turn, payload)
        return True
    if payload.startswith(FOLLOWUP_PREFIX):
        followup(turn, payload)
        return True
    from handlers.flows import network, partners

    if payload.startswith(network.TRIED):
        network.tried(turn, payload)
        return True
    return partners.handle_payload(turn, payload)


def acknowledge(turn: Turn, payload: str) -> None:
    if turn.person.role != Role.clinician:
        turn.say("alerts.not_for_you")
        return
    escalation_id = parse_id(payload.removeprefix(escalation.ACK_PREFIX))
    if escalation_id is None:
        turn.say("alerts.not_for_you")
        return
    outcome, esc = escalation.acknowledge(turn.session, escalation_id, turn.person, turn.now)
    client = turn.get(Person, esc.client_id) if esc else None
    name = escalation.client_name(client) if client else "?"
    if outcome == "already":
        by = turn.get(Person, esc.acknowledged_by) if esc.acknowledged_by else None
        turn.say("alerts.already_acknowledged", client=name, by=(by.display_name if by else "") or "")
    elif outcome == "done":
        turn.say("alerts.acknowledged", client=name)
    elif outcome == "resolved":
        turn.say("alerts.already_resolved", client=name)
    else:
        turn.say("alerts.not_for_you")


def followup(turn: Turn, payload: str) -> None:
    """"Did it pass?" answered: record it; a use goes to the slip flow, still strong back to coping."""
    from handlers import flows

    _, _, rest = payload.partition(":")
    craving_id, _, outcome = rest.partition(":")
    found = parse_id(craving_id)
    row = turn.get(Craving, found) if found is not None else None
    if row is None or row.client_id != turn.person.id or outcome not in FOLLOWUP_OUTCOMES:
        turn.say("hint.stale")
        flows.reask_or_start(turn, None)
        return
    row.followup_outcome = outcome
    row.followup_due_at = None
    if row.outcome is None:
        row.outcome = outcome
    if outcome == "passed":
        turn.say("craving.passed")
    elif outcome == "still":
        turn.say("craving.still")
        turn.start_flow("craving")
        turn.data["craving_id"] = row.id
        from handlers.flows import craving

        craving.ask_plan(turn)
    else:
        flows.start(turn, "slip")
