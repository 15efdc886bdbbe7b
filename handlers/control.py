"""Control words that work at any question: back, skip, undo (cancel, menu and help are commands).

None of them is ever stored as an answer. An option on screen with the same word wins ("Back" in the
network editor is its own button). `back` returns to the previous question with the answer kept;
`skip` answers an optional question with Skip and says so when a question cannot be skipped; `undo`,
right after something was saved, takes it back once the person confirms.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from data.models import CheckIn, Craving, JournalNote, Slip
from handlers.parsing import normalize
from handlers.turn import UNDO, Invalid, Reply, Step, Turn

FLOW = "undo"
UNDO_WINDOW = timedelta(minutes=15)
TRAIL = "_trail"
# Questions that cannot be returned to: their answer already did something that "back" would repeat.
NO_RETURN = {("onboarding", "consent"), ("slip", "when"), ("checkin", "note"), ("checkin", "used")}
NOT_HERE = ("crisis", "talk", "menu", FLOW, "delete", "cancel")


def handle(turn: Turn, step: Step | None, text: str) -> bool:
    """True when the message was a control word and has been dealt with."""
    norm = normalize(text)
    if not norm or len(norm) > 20 or turn.state.flow in ("crisis", "delete", FLOW, CANCEL_FLOW):
        return False
    offered = turn.data.get("_opts", [])
    if any(norm == normalize(label) or norm in turn.words(p) for label, p in offered):
        return False  # the question's own option of that name
    if norm in turn.any_words("ctl.undo"):
        ask_undo(turn)
        return True
    if step is None or turn.state.flow in NOT_HERE:
        return False
    if norm in turn.any_words("ctl.back"):
        back(turn, step)
        return True
    if norm in turn.any_words("ctl.skip"):
        skip(turn, step)
        return True
    return False


def back(turn: Turn, step: Step) -> None:
    from handlers import flows

    trail: list[str] = turn.data.get(TRAIL, [])
    flow = turn.state.flow
    while trail:
        previous = trail.pop()
        target = flows.step(flow, previous)
        if target is None:
            continue
        if (flow, previous) in NO_RETURN:
            break
        turn.state.step = previous  # asked again without adding to the trail
        target.ask(turn)
        return
    turn.say("ctl.no_back_saved" if trail or turn.data.get(UNDO) else "ctl.no_back")
    step.ask(turn)


def skip(turn: Turn, step: Step) -> None:
    if any(p == "skip" for _, p in turn.data.get("_opts", [])):
        step.answer(turn, Reply(text="", norm="", choice="skip"))
        return
    turn.say("ctl.cant_skip")
    step.ask(turn)


# -- cancel: nothing half-saved unless the person says keep it ---------------------------------------------
def _partial(turn: Turn) -> dict | None:
    """The entry the open flow has half-written, as an undo record, or None."""
    flow, data = turn.state.flow, turn.data
    if flow == "craving" and data.get("craving_id"):
        return {"kind": "craving", "id": data["craving_id"]}
    if flow == "slip" and data.get("slip_id") and (data.get(UNDO) or {}).get("id") == data["slip_id"]:
        return data[UNDO]
    if flow == "checkin" and data.get("checkin_id"):
        row = turn.get(CheckIn, data["checkin_id"])
        if row is not None and row.answered_at is None and (row.mood is not None or row.craving is not None):
            return {"kind": "checkin_part", "id": row.id}
    return None


def offer_to_keep(turn: Turn) -> bool:
    """`cancel` in the middle of an entry: ask whether to keep what was given so far. False: nothing to ask."""
    partial = _partial(turn)
    if partial is None:
        return False
    turn.start_flow(CANCEL_FLOW)
    turn.data["partial"] = partial
    turn.ask(CANCEL_FLOW, "keep", "ctl.keep_partial", [turn.opt("keep", "keep_partial"), turn.opt("discard")])
    return True


def on_keep(turn: Turn, reply: Reply) -> None:
    from handlers import flows

    if reply.choice == "discard":
        partial = turn.data["partial"]
        if partial["kind"] == "checkin_part":
            row = turn.get(CheckIn, partial["id"])
            if row is not None:
                row.mood = row.craving = row.used = row.note = None
            turn.session.flush()
        else:
            _take_back(turn, partial)
        turn.data.pop(UNDO, None)
        turn.end_flow()
        turn.say("ctl.discarded")
    elif reply.choice == "keep":
        turn.end_flow()
        turn.say("menu.cancelled")
    else:
        raise Invalid("hint.choose", count=2)
    flows.start(turn, "menu")


# -- undo ------------------------------------------------------------------------------------------------------
def _recent(turn: Turn) -> dict | None:
    entry = turn.data.get(UNDO)
    if not entry or turn.now - datetime.fromisoformat(entry["at"]) > UNDO_WINDOW:
        return None
    return entry


def ask_undo(turn: Turn) -> None:
    entry = _recent(turn)
    if entry is None:
        turn.say("ctl.nothing_to_undo")
        from handlers import flows

        flows.reask_or_start(turn, None)
        return
    # Leave whatever question was open: the undo question stands alone.
    turn.start_flow(FLOW)
    turn.ask(FLOW, "confirm", f"ctl.undo_{entry['kind']}", [turn.opt("undo:yes", "undo_yes"), turn.opt("no")])


def on_undo(turn: Turn, reply: Reply) -> None:
    entry = _recent(turn)
    if reply.choice == "no" or entry is None:
        turn.end_flow()
        turn.say("ctl.undo_kept")
        return
    if reply.choice != "undo:yes":
        raise Invalid("hint.yes_no")
    _take_back(turn, entry)
    turn.data.pop(UNDO, None)
    turn.end_flow()
    turn.say("ctl.undone")


def _take_back(turn: Turn, entry: dict) -> None:
    session, kind, row_id = turn.session, entry["kind"], entry["id"]
    if kind == "craving":
        row = turn.get(Craving, row_id)
        if row is not None:
            session.delete(row)
    elif kind == "checkin":
        row = turn.get(CheckIn, row_id)
        if row is not None:
            row.mood = row.craving = row.used = row.note = row.streak_days = row.answered_at = None
    elif kind == "slip":
        row = turn.get(Slip, row_id)
        if row is not None:
            session.delete(row)
            profile = turn.profile
            profile.streak_start = datetime.fromisoformat(entry["streak_start"]).date() \
                if entry.get("streak_start") else None
            profile.banked_sober_days = entry["banked"]
            profile.longest_streak_days = entry["longest"]
    elif kind == "journal":
        row = turn.get(JournalNote, row_id)
        if row is not None:
            session.delete(row)
    session.flush()


CANCEL_FLOW = "cancel"


def _ask_keep(turn: Turn) -> None:
    turn.ask(CANCEL_FLOW, "keep", "ctl.keep_partial", [turn.opt("keep", "keep_partial"), turn.opt("discard")])


FLOWS = {FLOW: {"confirm": Step(lambda turn: ask_undo(turn), on_undo)},
         CANCEL_FLOW: {"keep": Step(_ask_keep, on_keep)}}
