"""Slip: no shame. Totals and the longest streak stay; the current streak restarts; learn for next time."""

from __future__ import annotations

from data.models import Slip, limit
from handlers import recovery
from handlers.parsing import parse_date
from handlers.turn import Invalid, Reply, Step, Turn, saved

FLOW = "slip"
TEXT_MAX = min(limit(Slip, "what_happened"), limit(Slip, "next_time"))


def start(turn: Turn) -> None:
    turn.start_flow(FLOW)
    ask_when(turn)


def ask_when(turn: Turn) -> None:
    turn.ask(FLOW, "when", "slip.ask_when", [turn.opt("today"), turn.opt("yesterday")])


def on_when(turn: Turn, reply: Reply) -> None:
    if reply.choice == "today":
        when = turn.today
    elif reply.choice == "yesterday":
        when = parse_date("yesterday", turn.today)
    else:
        when = reply.value or parse_date(reply.text, turn.today)
        if when is None:
            raise Invalid("hint.date")
        if when > turn.today:
            raise Invalid("hint.date_future")
    profile = turn.profile
    before = {"streak_start": profile.streak_start.isoformat() if profile.streak_start else None,
              "banked": profile.banked_sober_days, "longest": profile.longest_streak_days}
    ended = recovery.record_slip(profile, when, turn.today)
    row = Slip(client_id=turn.person.id, occurred_on=when, reported_at=turn.now, streak_days_before=ended)
    turn.session.add(row)
    turn.session.flush()
    turn.data["slip_id"] = row.id
    saved(turn, "slip", row.id, **before)
    tally = recovery.tally(profile, turn.today)
    turn.say("slip.no_shame", total=tally.total, longest=tally.longest, ended=ended)
    ask_what(turn)


def slip(turn: Turn) -> Slip:
    return turn.get(Slip, turn.data["slip_id"])


def words_or_skip(reply: Reply) -> str | None:
    if reply.choice == "skip":
        return None
    if not reply.text:
        raise Invalid("hint.skip_or_type")
    if len(reply.text) > TEXT_MAX:
        raise Invalid("hint.too_long", max=TEXT_MAX)
    return reply.text


def ask_what(turn: Turn) -> None:
    turn.ask(FLOW, "what", "slip.ask_what", [turn.opt("skip")])


def on_what(turn: Turn, reply: Reply) -> None:
    slip(turn).what_happened = words_or_skip(reply)
    ask_next_time(turn)


def ask_next_time(turn: Turn) -> None:
    turn.ask(FLOW, "next_time", "slip.ask_next_time", [turn.opt("skip")])


def on_next_time(turn: Turn, reply: Reply) -> None:
    slip(turn).next_time = words_or_skip(reply)
    turn.end_flow()
    turn.say("slip.closing")


FLOWS = {
    FLOW: {
        "when": Step(ask_when, on_when, lambda turn, text: parse_date(text, turn.today)),
        "what": Step(ask_what, on_what),
        "next_time": Step(ask_next_time, on_next_time),
    }
}
