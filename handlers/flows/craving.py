"""Craving log: how strong, what set it off, where and with whom, what to do now, and how it went."""

from __future__ import annotations

import re
from datetime import timedelta

from data.models import Craving, limit
from handlers.flows import scales
from handlers.parsing import close_match, has_words, normalize
from handlers.turn import Invalid, Reply, Step, Turn, saved

FLOW = "craving"
TRIGGERS = ("hungry", "angry", "lonely", "tired", "people", "places", "feelings", "other")
FREE_MAX = min(limit(Craving, "where"), limit(Craving, "with_whom"))
STRATEGIES_OFFERED = 4


def start(turn: Turn, said: str | None = None) -> None:
    """Open the craving log; `said` is what the person wrote to open it ("i really want a beer"), kept
    with the craving as their own words for what set it off."""
    turn.start_flow(FLOW)
    if said:
        turn.data["said"] = said[:FREE_MAX]
    ask_intensity(turn)


def craving(turn: Turn) -> Craving | None:
    return turn.get(Craving, turn.data.get("craving_id") or 0)


def ask_intensity(turn: Turn) -> None:
    turn.ask(FLOW, "intensity", "craving.ask_intensity", scales.options(turn, 0, 10), numbered=False)


def on_intensity(turn: Turn, reply: Reply) -> None:
    level = scales.read(reply, 0, 10)
    # Logged at once, so the craving is on record even if the rest of the questions go unanswered.
    row = craving(turn)
    if row is not None:  # the strength asked again (back): the same craving, a new strength
        row.intensity = level
    else:
        said = turn.data.get("said")
        row = Craving(
            client_id=turn.person.id, logged_at=turn.now, intensity=level, triggers=[f"note:{said}"] if said else [],
            followup_due_at=turn.now + timedelta(minutes=turn.rt.craving_followup_minutes),
        )
        turn.session.add(row)
        turn.session.flush()
        turn.data["craving_id"] = row.id
        saved(turn, "craving", row.id)
    turn.say("craving.strong" if level >= 8 else "craving.noted", level=level)
    ask_triggers(turn)


# -- triggers (pick several) ----------------------------------------------------------------------------
def ask_triggers(turn: Turn) -> None:
    chosen = craving(turn).triggers
    options = [turn.opt(f"trig:{t}", f"trigger.{t}") for t in TRIGGERS if f"trig:{t}" not in chosen]
    key = "craving.ask_more_triggers" if chosen else "craving.ask_triggers"
    picked = ", ".join(trigger_label(turn, t) for t in chosen)
    turn.ask(FLOW, "triggers", key, options + [turn.opt("done")], picked=picked)


def trigger_label(turn: Turn, item: str) -> str:
    return turn.t(f"trigger.{item[5:]}") if item.startswith("trig:") else item.removeprefix("note:")


def read_triggers(turn: Turn, text: str) -> list[str] | None:
    """Several triggers typed at once: "1 3", "hungry, lonely", "tired and angry"."""
    names = {}
    for t in TRIGGERS:
        names[normalize(turn.t(f"trigger.{t}"))] = f"trig:{t}"
        for word in turn.words(f"trig:{t}"):
            names[word] = f"trig:{t}"
    found = []
    offered = [p for _, p in turn.data.get("_opts", [])]
    for token in re.split(r"\s*(?:,|、|，|/|\band\b|和|同|\s)\s*", normalize(text)):
        if not token:
            continue
        if token.isdigit() and 1 <= int(token) <= len(offered):
            found.append(offered[int(token) - 1])
        elif token in names or (guess := close_match(token, list(names))):
            found.append(names[token if token in names else guess])
        else:
            return None
    return found or None


def on_triggers(turn: Turn, reply: Reply) -> None:
    row = craving(turn)
    if reply.choice == "done":
        ask_where(turn)
        return
    if reply.choice and reply.choice.startswith("trig:"):
        row.triggers = [*row.triggers, reply.choice]
        ask_triggers(turn)
        return
    many = read_triggers(turn, reply.text) if reply.text else None
    if many:
        if "done" in many:
            many.remove("done")
        row.triggers = list(dict.fromkeys([*row.triggers, *many]))
        ask_triggers(turn)  # "anything else?", the same whether one or several were typed
        return
    if not has_words(reply.text):
        raise Invalid("craving.triggers_hint")
    if len(reply.text) > FREE_MAX:
        raise Invalid("hint.too_long", max=FREE_MAX)
    # Their own words for what set it off are worth more than our list.
    row.triggers = [*row.triggers, "note:" + reply.text]
    ask_triggers(turn)


# -- where, with whom ---------------------------------------------------------------------------------------
def free_text(reply: Reply) -> str:
    if not reply.text:
        raise Invalid("hint.skip_or_type")
    if len(reply.text) > FREE_MAX:
        raise Invalid("hint.too_long", max=FREE_MAX)
    return reply.text


def ask_where(turn: Turn) -> None:
    turn.ask(FLOW, "where", "craving.ask_where", [turn.opt("skip")])


def on_where(turn: Turn, reply: Reply) -> None:
    if reply.choice != "skip":
        craving(turn).where = free_text(reply)
    ask_with_whom(turn)


def ask_with_whom(turn: Turn) -> None:
    turn.ask(FLOW, "with_whom", "craving.ask_with_whom", [turn.opt("alone"), turn.opt("skip")])


def on_with_whom(turn: Turn, reply: Reply) -> None:
    if reply.choice == "alone":
        craving(turn).with_whom = turn.t("opt.alone")
    elif reply.choice != "skip":
        craving(turn).with_whom = free_text(reply)
    ask_plan(turn)


# -- what now -----------------------------------------------------------------------------------------------
def strategies(turn: Turn):
    tried = set(turn.data.get("tried", []))
    fresh = [s for s in turn.rt.content.coping(turn.locale) if s.key not in tried]
    return (fresh or turn.rt.content.coping(turn.locale))[:STRATEGIES_OFFERED]


def ask_plan(turn: Turn) -> None:
    options = [turn.opt(f"cope:{s.key}", label=s.title) for s in strategies(turn)]
    turn.ask(FLOW, "plan", "craving.ask_plan", options + [turn.opt("call_someone")])


def on_plan(turn: Turn, reply: Reply) -> None:
    from handlers.flows import network

    row = craving(turn)
    if reply.choice and reply.choice.startswith("cope:"):
        key = reply.choice[5:]
        chosen = next((s for s in turn.rt.content.coping(turn.locale) if s.key == key), None)
        if chosen is None:
            raise Invalid("hint.choose", count=len(turn.data.get("_opts", [])))
        row.plan = chosen.title
        turn.data["tried"] = [*turn.data.get("tried", []), key]
        turn.say("craving.strategy", title=chosen.title, how=chosen.how)
    elif reply.choice == "call_someone":
        row.plan = turn.t("opt.call_someone")
        people = [c for c in network.contacts(turn) if c.reach]
        if people:
            listing = "\n".join(turn.t("craving.person_line", contact=c.name, reach=c.reach) for c in people[:6])
            turn.say("craving.call_list", people=listing)
        else:
            turn.say("craving.call_nobody_yet")
    else:
        row.plan = free_text(reply)
        turn.say("craving.own_plan")
    ask_outcome(turn)


def ask_outcome(turn: Turn) -> None:
    turn.ask(FLOW, "outcome", "craving.ask_outcome", [turn.opt("passed"), turn.opt("still"), turn.opt("used")],
             minutes=turn.rt.craving_followup_minutes)


def on_outcome(turn: Turn, reply: Reply) -> None:
    from handlers import flows

    row = craving(turn)
    if reply.choice == "passed":
        row.outcome = "passed"
        turn.end_flow()
        turn.say("craving.passed")
    elif reply.choice == "still":
        turn.say("craving.still")
        ask_plan(turn)
    elif reply.choice == "used":
        row.outcome = "used"
        flows.start(turn, "slip")
    else:
        raise Invalid("hint.choose", count=3)


FLOWS = {
    FLOW: {
        "intensity": Step(ask_intensity, on_intensity, scales.parser(0, 10)),
        "triggers": Step(ask_triggers, on_triggers),
        "where": Step(ask_where, on_where),
        "with_whom": Step(ask_with_whom, on_with_whom),
        "plan": Step(ask_plan, on_plan),
        "outcome": Step(ask_outcome, on_outcome),
    }
}
