"""Crisis: resources at once, an urgent escalation for the clinician, and the interrupted flow kept to resume.

Two levels come from the safety check (handlers/safety):

- `crisis`: the crisis numbers and an urgent alert for the clinician at once, then "Are you safe right now?".
- `check` (the unsure middle): the numbers and "Are you safe right now?" in one message, with I'm safe /
  I'm not safe / Not sure. "Not safe", "not sure", or no answer within SAFETY_CHECK_TIMEOUT takes the
  crisis path (the urgent alert, and the not-safe guidance); "safe" gets a supportive reply with a coping
  offer, and the clinician a note that is not urgent. The timeout is an `Escalation` row of kind
  `safety_check` whose `next_step_at` the scheduler's ladder pass reads (scheduler/ladder.py), so it
  survives restarts and holds across instances.

The bot says it told the care team only when an alert was really queued to a clinician.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from data.models import ConsentState, Escalation, Person, Priority, Role, SupportContact
from handlers import escalation
from handlers.parsing import normalize
from handlers.safety import Level
from handlers.turn import Invalid, Reply, Step, Turn
from handlers.types import Outbound, Runtime

log = logging.getLogger(__name__)

FLOW = "crisis"
CHECK_KIND = "safety_check"  # the Escalation kind that holds an unanswered safety check's deadline
# No answer to "are you safe right now?" within this long is taken as "not safe".
SAFETY_CHECK_TIMEOUT = timedelta(minutes=15)
# One open crisis escalation per hour is enough to reach the clinician; more would only add noise.
REPEAT_WINDOW = timedelta(hours=1)
NO_CLINICIAN_RETRY = timedelta(minutes=1)
PARTNERS_SHOWN = 5


# -- who is in danger ---------------------------------------------------------------------------------------
_RELATION_EN = (
    r"friends?|mates?|buddy|brother|bro|sister|sis|mum|mom|mother|dad|father|parents?|son|daughter|kids?|child|"
    r"children|baby|husband|wife|partner|boyfriend|girlfriend|bf|gf|fianc[eé]e?|ex|roommate|flatmate|housemate|"
    r"cousin|uncle|aunt|auntie|grandma|grandpa|grandmother|grandfather|nan|neighbou?r|colleague|co-?worker|"
    r"boss|guy|girl|man|woman|dude|family|sponsor|client|patient"
)
# "my friend", "a guy at the party", "his mum": someone else, even with "my" in it.
_OTHER_EN = re.compile(
    rf"\b(?:my|our|a|an|the|this|that|his|her|their|your)\s+(?:\w+\s+)?(?:{_RELATION_EN})\b"
    r"|\b(?:he|she|they|him|her|them|his|hers|their|theirs|someone|somebody|he's|she's|they're|hes|shes)\b"
)
# Reporting words say who is telling, not who is in danger: "I think", "I found him", "help me".
_REPORTER_EN = re.compile(
    r"\bi(?:'m| am|m)?\s+(?:just\s+)?(?:think|thought|guess|believe|reckon|found|saw|see|heard|worried|scared|"
    r"afraid|with|here with|called|calling|don't know if|dont know if|not sure if)\b|\b(?:help|tell|call)\s+me\b"
)
_SELF_EN = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|i'll|me|my|myself|mine)\b")
_RELATION_ZH = (
    "佢哋|佢|他們|她們|他|她|朋友|老公|老婆|男朋友|女朋友|男友|女友|阿媽|阿爸|媽媽|爸爸|媽咪|爹哋|老豆|老竇|老母|細佬|家姐|"
    "哥哥|姐姐|弟弟|妹妹|阿哥|阿妹|個仔|個女|兒子|女兒|仔|屋企人|家人|同事|室友|鄰居|有人|老闆|伴侶"
)
_OTHER_ZH = re.compile(rf"(?:我哋?(?:嘅|個|位|啲|d)?)?(?:{_RELATION_ZH})")
_REPORTER_ZH = re.compile(r"我(?:覺得|諗|估|見到|發現|睇到|聽講|聽到|好驚|好擔心|擔心|驚|唔知佢)|(?:幫|救|話俾)我")
_SELF_ZH = re.compile(r"我|自己")

SELF, OTHER, UNKNOWN = "self", "other", "unknown"


def who_is_in_danger(text: str | None) -> str:
    """`self`, `other` or `unknown`, from first- and third-person words in English and Cantonese.

    "took all my pills" and "我食晒啲藥" are the writer; "my brother took all his pills" and "佢食咗好多藥"
    are someone else. A message with both or neither (Cantonese often drops the subject) is `unknown`,
    and gets both sets of steps.
    """
    t = normalize(text)
    if not t:
        return UNKNOWN
    other = bool(_OTHER_EN.search(t) or _OTHER_ZH.search(t))
    rest = _OTHER_ZH.sub(" ", _REPORTER_ZH.sub(" ", _OTHER_EN.sub(" ", _REPORTER_EN.sub(" ", t))))
    me = bool(_SELF_EN.search(rest) or _SELF_ZH.search(rest))
    if other and not me:
        return OTHER
    if me and not other:
        return SELF
    return UNKNOWN


# -- the first reply ------------------------------------------------------------------------------------------
def begin(turn: Turn, kind: str, level: str = Level.CRISIS, text: str | None = None) -> None:
    """Answer a message that may mean danger. `level` is "crisis" (numbers and an urgent alert at once, then
    "are you safe?") or "check" (numbers and "are you safe?" in one message; the alert waits for the answer).
    `text` is the message, read for who is in danger (default: the turn's inbound text)."""
    state = turn.state
    if state.flow not in (None, FLOW, "menu"):
        state.suspended = [*state.suspended, {"flow": state.flow, "step": state.step, "data": state.data}]
    turn.start_flow(FLOW)
    turn.data["kind"] = kind
    if text is None:
        text = turn.inbound.text if turn.inbound is not None else ""
    region = turn.rt.content.crisis_region(turn.person.timezone, turn.locale)
    resources = turn.t("crisis.resources", region=region.name, lines=_lines(turn, region))
    if level == Level.CHECK:
        turn.data.update(level=Level.CHECK, check=open_check(turn, kind))
        turn.ask_text(FLOW, "check", "\n\n".join([
            turn.t("crisis.check_first", emergency=region.emergency), resources, turn.t("crisis.ask_safe"),
        ]), _check_options(turn))
        return
    told = escalate(turn, kind)
    turn.data.update(level=Level.CRISIS, told=told)
    about = who_is_in_danger(text)
    keys = [f"crisis.first_{kind}_{about}", f"crisis.first_{kind}", "crisis.first"]
    turn.say(next(k for k in keys if turn.rt.content.has(k)), emergency=region.emergency)
    turn.say_text(resources)
    if told:
        turn.say("crisis.care_team_told")
    ask_safe(turn)


def _lines(turn: Turn, region) -> str:
    return "\n".join(
        turn.t("crisis.line", line=line.name, number=line.number, hours=line.hours) for line in region.lines
    )


# -- escalations (shared with the scheduler's pass) ------------------------------------------------------------
def _recent_crisis(session: Session, client_id: int, now: datetime, exclude: int | None = None) -> Escalation | None:
    stmt = select(Escalation).where(
        Escalation.client_id == client_id,
        Escalation.kind == "crisis",
        Escalation.status == "open",
        col(Escalation.created_at) >= now - REPEAT_WINDOW,
    )
    if exclude is not None:
        stmt = stmt.where(Escalation.id != exclude)
    return session.exec(stmt.order_by(col(Escalation.id))).first()


def _no_recipient(esc: Escalation) -> None:
    # Said to the operator, never with a message's content or anyone's name.
    log.error("no clinician can receive crisis alerts: crisis escalation %s reached nobody; the client got the "
              "crisis numbers only. Invite a clinician with `recovery-bot clinician invite`.", esc.id)


def open_crisis(session: Session, rt: Runtime, client: Person, kind: str, now: datetime) -> tuple[list[Outbound], bool]:
    """An urgent crisis escalation and its alerts (none when one is already open from the last hour).

    Returns the alerts to queue and whether an alert about this crisis was queued to a clinician
    (now or for the open one): only then may the client be told that the care team knows.
    """
    # Locked and read afresh (PostgreSQL): a check the scheduler is raising right now is left to it.
    for check in session.exec(select(Escalation).where(
            Escalation.client_id == client.id, Escalation.kind == CHECK_KIND, Escalation.status == "open")
            .with_for_update().execution_options(populate_existing=True)):
        check.status, check.resolved_at, check.next_step_at = "resolved", now, None  # the crisis takes over
        escalation.record(session, check, "superseded", None, now)
    recent = _recent_crisis(session, client.id, now)
    if recent is not None:
        return [], bool(escalation.alerted(session, recent))
    esc = Escalation(client_id=client.id, kind="crisis", reason=kind, priority=Priority.urgent, created_at=now)
    session.add(esc)
    session.flush()
    alerts = escalation.crisis_alerts(session, rt.content, client, esc, now)
    # Re-send if nobody acknowledges; with no clinician yet, look again soon.
    esc.next_step_at = now + (rt.ladder.crisis_resend_after if alerts else NO_CLINICIAN_RETRY)
    if not alerts:
        _no_recipient(esc)
    return alerts, bool(alerts)


def escalate(turn: Turn, kind: str) -> bool:
    """Record an urgent escalation (only for people who have consented to the service); True when an alert
    about it was queued to a clinician."""
    if turn.person.consent_at is None:
        return False
    alerts, told = open_crisis(turn.session, turn.rt, turn.person, kind, turn.now)
    turn.after += alerts
    return told


def open_check(turn: Turn, kind: str) -> int | None:
    """The deadline for an answer to "are you safe right now?", stored so any instance's pass can act on it.

    None before consent (nothing is stored then) and while a crisis alert from the last hour is open
    (the clinician already has it). A second unsure message keeps the first one's deadline."""
    if turn.person.consent_at is None or _recent_crisis(turn.session, turn.person.id, turn.now) is not None:
        return None
    found = turn.session.exec(select(Escalation).where(
        Escalation.client_id == turn.person.id, Escalation.kind == CHECK_KIND, Escalation.status == "open")).first()
    if found is not None:
        return found.id
    esc = Escalation(client_id=turn.person.id, kind=CHECK_KIND, reason=kind, priority=Priority.normal,
                     created_at=turn.now, next_step_at=turn.now + SAFETY_CHECK_TIMEOUT)
    turn.session.add(esc)
    turn.session.flush()
    escalation.record(turn.session, esc, "safety_check", None, turn.now)
    return esc.id


def raise_check(session: Session, rt: Runtime, client: Person, esc: Escalation, now: datetime,
                outcome: str) -> tuple[list[Outbound], bool]:
    """A safety check answered "not safe" or "not sure", or not answered in time (`outcome` not_safe,
    not_sure, no_answer): it becomes an urgent crisis escalation, timed from the client's message.

    The caller holds the row (locked on PostgreSQL) and has seen it still open as a safety check.
    Returns the alerts to queue and whether a clinician has been alerted about it."""
    escalation.record(session, esc, f"check_{outcome}", None, now)
    other = _recent_crisis(session, client.id, now, exclude=esc.id)
    if other is not None:  # already urgent for this client: that alert stands
        esc.status, esc.resolved_at, esc.next_step_at = "resolved", now, None
        return [], bool(escalation.alerted(session, other))
    esc.kind, esc.priority, esc.level = "crisis", Priority.urgent, 0
    minutes = str(int(SAFETY_CHECK_TIMEOUT.total_seconds() // 60))
    alerts = escalation.crisis_alerts(session, rt.content, client, esc, now, note=f"check_{outcome}",
                                      note_fields={"minutes": minutes})
    esc.next_step_at = now + (rt.ladder.crisis_resend_after if alerts else NO_CLINICIAN_RETRY)
    if not alerts:
        _no_recipient(esc)
    return alerts, bool(alerts)


def expire_check(session: Session, rt: Runtime, esc: Escalation, now: datetime) -> list[Outbound]:
    """The scheduler's side: a safety check nobody answered in time takes the crisis path. Returns the
    urgent alerts and the not-safe guidance for the client (urgent too: quiet hours never hold it)."""
    client = session.get(Person, esc.client_id)
    if client is None:
        esc.status, esc.resolved_at, esc.next_step_at = "resolved", now, None
        return []
    alerts, told = raise_check(session, rt, client, esc, now, "no_answer")
    content, loc = rt.content, client.locale
    emergency = content.crisis_region(client.timezone, loc).emergency
    parts = [content.text("crisis.check_timeout", loc)]
    if told:
        parts.append(content.text("crisis.care_team_told", loc, clinic=rt.clinic.name))
    parts.append(content.text("crisis.not_safe", loc, emergency=emergency))
    partners = partner_text(session, rt, client)
    if partners:
        parts.append(partners)
    guidance = Outbound(text="\n\n".join(parts), person_id=client.id, kind="crisis", priority=Priority.urgent,
                        idempotency_key=f"esc:{esc.id}:check_timeout")
    return [*alerts, guidance]


def partner_text(session: Session, rt: Runtime, client: Person) -> str:
    """The client's own accountability partners with the number the client gave for them, or "".

    Only partners who accepted the client's invitation, and only the contact details the client typed in
    themselves (support_contact.reach), shown to the client alone: nobody is contacted."""
    rows = session.exec(select(SupportContact).where(
        SupportContact.client_id == client.id, col(SupportContact.is_partner).is_(True),
        SupportContact.consent_state == ConsentState.accepted, col(SupportContact.reach).is_not(None),
    ).order_by(col(SupportContact.id))).all()
    rows = [c for c in rows if (c.reach or "").strip()][:PARTNERS_SHOWN]
    if not rows:
        return ""
    lines = "\n".join(rt.content.text("crisis.partner_line", client.locale, contact=c.name, reach=c.reach.strip())
                      for c in rows)
    return rt.content.text("crisis.partners", client.locale, lines=lines)


# -- answers ---------------------------------------------------------------------------------------------------
def _check_options(turn: Turn):
    return [turn.opt("safe"), turn.opt("not_safe"), turn.opt("not_sure")]


def ask_safe(turn: Turn) -> None:
    turn.ask(FLOW, "safe", "crisis.ask_safe", [turn.opt("safe"), turn.opt("not_safe"), turn.opt("talk")])


def ask_check(turn: Turn) -> None:
    turn.ask(FLOW, "check", "crisis.ask_safe", _check_options(turn))


_NOT_WORD = re.compile(r"[^\w']+")


def _canon(text: str) -> str:
    return _NOT_WORD.sub(" ", normalize(text)).strip()


def _words(turn: Turn, key: str) -> set[str]:
    # Every language's words: people in Hong Kong answer in either, whatever their setting.
    return {_canon(w) for w in turn.rt.content.all_words(key)}


def clearly_safe(turn: Turn, reply: Reply) -> bool:
    """Only a clear yes closes a crisis conversation: the button, its number, or words such as "I'm safe",
    "yes", 安全 or 係. "ok", "k", "fine" and "whatever" are not clear, and are asked again."""
    if turn.inbound is not None and turn.inbound.payload == "safe":
        return True
    said = _canon(reply.text)
    if said.rstrip(".)").isdigit():
        return reply.choice == "safe"  # the option's number, picked deliberately
    clear = _words(turn, "safe") | {_canon(label) for label, payload in turn.data.get("_opts", []) if payload == "safe"}
    return said in clear or said.replace(" ", "") in {c.replace(" ", "") for c in clear}


def _answer(turn: Turn, reply: Reply) -> str | None:
    """safe, not_safe, not_sure, talk, or None when the answer is not clear."""
    choice = reply.choice
    if turn.inbound is None or turn.inbound.payload is None:
        said = _canon(reply.text)
        # The exact words win over a close spelling of an option's label ("not sure" is not "not safe").
        choice = next((key for key in ("not_sure", "not_safe", "safe") if said in _words(turn, key)), choice)
    if choice == "safe" and not clearly_safe(turn, reply):
        return None
    return choice


def _not_safe(turn: Turn, told: bool, *, not_sure: bool = False) -> None:
    region = turn.rt.content.crisis_region(turn.person.timezone, turn.locale)
    if not_sure:
        turn.say("crisis.not_sure")
    turn.say("crisis.not_safe", emergency=region.emergency)
    partners = partner_text(turn.session, turn.rt, turn.person)
    if partners:
        turn.say_text(partners)
    if told:
        turn.say("crisis.care_team_told")


def on_safe(turn: Turn, reply: Reply) -> None:
    """The answer to "are you safe right now?" after a crisis message (the alert has gone already)."""
    from handlers import flows

    choice = _answer(turn, reply)
    if choice == "safe":
        turn.say("crisis.glad")
        if turn.state.suspended:
            ask_resume(turn)
        else:
            flows.start(turn, "menu" if turn.person.consent_at else "onboarding")
    elif choice in ("not_safe", "not_sure"):
        _not_safe(turn, bool(turn.data.get("told")), not_sure=choice == "not_sure")
        ask_safe(turn)
    elif choice == "talk":
        turn.say("crisis.grounding")
        ask_safe(turn)
    else:
        raise Invalid("crisis.unclear")


def _check_row(turn: Turn) -> Escalation | None:
    """The safety check's escalation, read afresh and locked (PostgreSQL), so the answer and the
    scheduler's timeout never both act on it."""
    check_id = turn.data.get("check")
    if not check_id:
        return None
    return turn.session.get(Escalation, check_id, with_for_update=True, populate_existing=True)


def on_check(turn: Turn, reply: Reply) -> None:
    """The answer to "are you safe right now?" after a message in the unsure middle."""
    from handlers import flows

    choice = _answer(turn, reply)
    if choice not in ("safe", "not_safe", "not_sure"):
        raise Invalid("crisis.unclear")
    esc = _check_row(turn)
    pending = esc is not None and esc.kind == CHECK_KIND and esc.status == "open"
    raised = esc is not None and esc.kind == "crisis"  # no answer in time: the pass took the crisis path
    if choice == "safe":
        if pending:
            esc.status, esc.resolved_at, esc.next_step_at = "resolved", turn.now, None
            escalation.record(turn.session, esc, "check_safe", None, turn.now)
            turn.after += escalation.safety_check_notes(turn.session, turn.rt.content, turn.person, esc, turn.now)
        elif raised and esc.status != "resolved":
            turn.after += escalation.now_safe_notes(turn.session, turn.rt.content, turn.person, esc, turn.now)
        turn.say("crisis.check_glad")
        if turn.person.consent_at is None:
            flows.start(turn, "onboarding")
        elif turn.person.role != Role.client:
            turn.end_flow()  # partners and clinicians: their own commands, not a client's coping steps
        else:
            ask_coping(turn)
        return
    if pending:
        alerts, told = raise_check(turn.session, turn.rt, turn.person, esc, turn.now, choice)
        turn.after += alerts
    elif raised:
        told = bool(escalation.alerted(turn.session, esc))
    else:  # no deadline was kept: before consent, or while an earlier crisis alert is open
        recent = _recent_crisis(turn.session, turn.person.id, turn.now) if turn.person.consent_at else None
        told = recent is not None and bool(escalation.alerted(turn.session, recent))
    turn.data.update(level=Level.CRISIS, told=told)
    _not_safe(turn, told, not_sure=choice == "not_sure")
    ask_safe(turn)


def ask_coping(turn: Turn) -> None:
    turn.ask(FLOW, "coping", "crisis.offer_coping", [
        turn.opt("grounding"), turn.opt("cmd:craving", "menu.craving"), turn.opt("call_someone"),
        turn.opt("not_now"),
    ])


def on_coping(turn: Turn, reply: Reply) -> None:
    from handlers import commands
    from handlers.flows import network

    if reply.choice == "grounding":
        turn.say("crisis.grounding")
    elif reply.choice == "cmd:craving":
        commands.run(turn, "craving")
        return
    elif reply.choice == "call_someone":
        people = [c for c in network.contacts(turn) if (c.reach or "").strip()][:6]
        if people:
            lines = "\n".join(turn.t("crisis.partner_line", contact=c.name, reach=c.reach) for c in people)
            turn.say("crisis.partners", lines=lines)
        else:
            turn.say("crisis.no_people")
    elif reply.choice != "not_now":
        raise Invalid("hint.choose", count=4)
    _after(turn)


def _after(turn: Turn) -> None:
    from handlers import flows

    if turn.state.suspended:
        ask_resume(turn)
    else:
        flows.start(turn, "menu")


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


FLOWS = {FLOW: {
    "safe": Step(ask_safe, on_safe),
    "check": Step(ask_check, on_check),
    "coping": Step(ask_coping, on_coping),
    "resume": Step(ask_resume, on_resume),
}}
