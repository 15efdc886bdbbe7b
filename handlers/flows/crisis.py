"""Crisis: resources at once, an urgent escalation for the clinician, and the interrupted flow kept to resume."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from data.models import Escalation, Priority
from handlers import escalation
from handlers.turn import Invalid, Reply, Step, Turn

FLOW = "crisis"
# One open crisis escalation per hour is enough to reach the clinician; more would only add noise.
REPEAT_WINDOW = timedelta(hours=1)
NO_CLINICIAN_RETRY = timedelta(minutes=1)


def begin(turn: Turn, kind: str, level: str = "crisis") -> None:
    """Answer a message that may mean danger: resources first, then ask if they are safe."""
    state = turn.state
    if state.flow not in (None, FLOW, "menu"):
        state.suspended = [*state.suspended, {"flow": state.flow, "step": state.step, "data": state.data}]
    turn.start_flow(FLOW)
    turn.data["kind"] = kind
    escalated = escalate(turn, kind)
    region = turn.rt.content.crisis_region(turn.person.timezone, turn.locale)
    lines = "\n".join(
        turn.t("crisis.line", line=line.name, number=line.number, hours=line.hours) for line in region.lines
    )
    turn.say(f"crisis.first_{kind}" if turn.rt.content.has(f"crisis.first_{kind}") else "crisis.first",
             emergency=region.emergency)
    turn.say("crisis.resources", region=region.name, lines=lines)
    if escalated:
        turn.say("crisis.care_team_told")
    ask_safe(turn)


def escalate(turn: Turn, kind: str) -> bool:
    """Record an urgent escalation for the clinician (only for people who have consented to the service)."""
    if turn.person.consent_at is None:
        return False
    recent = turn.session.exec(
        select(Escalation).where(
            Escalation.client_id == turn.person.id,
            Escalation.kind == "crisis",
            Escalation.status == "open",
            col(Escalation.created_at) >= turn.now - REPEAT_WINDOW,
        )
    ).first()
    if recent is None:
        esc = Escalation(client_id=turn.person.id, kind="crisis", reason=kind, priority=Priority.urgent,
                         created_at=turn.now)
        turn.session.add(esc)
        turn.session.flush()
        alerts = escalation.crisis_alerts(turn.session, turn.rt.content, turn.person, esc, turn.now)
        turn.after += alerts
        # Re-send if nobody acknowledges; with no clinician yet, look again soon.
        esc.next_step_at = turn.now + (turn.rt.ladder.crisis_resend_after if alerts else NO_CLINICIAN_RETRY)
    return True


def ask_safe(turn: Turn) -> None:
    turn.ask(FLOW, "safe", "crisis.ask_safe", [turn.opt("safe"), turn.opt("not_safe"), turn.opt("talk")])


def on_safe(turn: Turn, reply: Reply) -> None:
    from handlers import flows

    if reply.choice == "safe":
        turn.say("crisis.glad")
        if turn.state.suspended:
            ask_resume(turn)
        else:
            flows.start(turn, "menu" if turn.person.consent_at else "onboarding")
    elif reply.choice == "not_safe":
        region = turn.rt.content.crisis_region(turn.person.timezone, turn.locale)
        turn.say("crisis.not_safe", emergency=region.emergency)
        ask_safe(turn)
    elif reply.choice == "talk":
        turn.say("crisis.grounding")
        ask_safe(turn)
    else:
        raise Invalid("crisis.hint")


def ask_resume(turn: Turn) -> None:
    turn.ask(FLOW, "resume", "crisis.offer_resume", [turn.opt("resume"), turn.opt("menu")])


def on_resume(turn: Turn, reply: Reply) -> None:
    from handlers import flows

    if reply.choice == "resume":
        if not flows.resume_suspended(turn):
            flows.start(turn, "menu")
    elif reply.choice == "menu":
        turn.state.suspended = []
        flows.start(turn, "menu" if turn.person.consent_at else "onboarding")
    else:
        raise Invalid("hint.choose", count=2)


FLOWS = {FLOW: {"safe": Step(ask_safe, on_safe), "resume": Step(ask_resume, on_resume)}}
