"""Daily check-in answer: mood, craving, whether they used, an optional note; the streak is updated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property, lru_cache

from sqlalchemy import bindparam
from sqlmodel import col, select

from data.db import Rows
from data.models import CheckIn, limit
from handlers import escalation, recovery
from handlers.flows import scales
from handlers.turn import Invalid, Reply, Step, Turn, asked, saved
from handlers.types import Option
from handlers.when import local_instant

FLOW = "checkin"
NOTE_MAX = limit(CheckIn, "note")
STRONG_CRAVING = 7


_TODAYS = Rows(CheckIn, CheckIn.__table__.c.client_id == bindparam("client"),
               CheckIn.__table__.c.local_date == bindparam("day"))


def todays(turn: Turn) -> CheckIn | None:
    return _TODAYS.first(turn.session, client=turn.person.id, day=turn.today)


def open_prompted(turn: Turn) -> CheckIn | None:
    """Yesterday's prompted check-in while its ladder still runs (until today's prompt time): an answer
    at 00:30 to a 21:00 prompt belongs to the day that was asked about, not to the new one."""
    yesterday = _TODAYS.first(turn.session, client=turn.person.id, day=turn.today - timedelta(days=1))
    profile = turn.profile
    if yesterday is None or yesterday.prompted_at is None or yesterday.answered_at is not None or profile is None:
        return None
    if turn.now >= local_instant(turn.today, profile.checkin_time, turn.zone):
        return None  # today's prompt time has come: today is the day to answer for
    return yesterday


def checkin(turn: Turn) -> CheckIn:
    return turn.get(CheckIn, turn.data["checkin_id"])


def start(turn: Turn) -> None:
    turn.start_flow(FLOW)
    row = open_prompted(turn) or todays(turn)
    if row is None:
        row = CheckIn(client_id=turn.person.id, local_date=turn.today)
        turn.session.add(row)
        turn.session.flush()
    turn.data["checkin_id"] = row.id
    if row.answered_at is not None:
        ask_already(turn)
    else:
        ask_mood(turn)


def on_already(turn: Turn, reply: Reply) -> None:
    if reply.choice == "update":
        ask_mood(turn)
    elif reply.choice == "keep":
        turn.end_flow()
        turn.say("checkin.kept")
    else:
        raise Invalid("hint.choose", count=2)


def ask_already(turn: Turn) -> None:
    turn.ask(FLOW, "already", "checkin.already", [turn.opt("update"), turn.opt("keep")])


MOODS = (1, 5)


def ask_mood(turn: Turn) -> None:
    turn.ask(FLOW, "mood", "checkin.ask_mood", scales.options(turn, *MOODS, labels="mood"), numbered=False)


# -- how a prompted check-in opens (the planner's daily prompt) -------------------------------------------------
@dataclass(frozen=True)
class Opening:
    """The daily prompt: its text ({name} still to fill), its buttons, and whether a typed number picks one.
    For a person who is free, `state` is the conversation that reads their answer as the mood; for one in
    the middle of something else, the prompt only offers a way in and leaves their conversation alone."""

    text: str
    options: tuple[Option, ...]
    numbered: bool
    step: str | None

    @cached_property
    def option_rows(self) -> list[dict[str, str]]:
        """The buttons as a queued message stores them (the same list for every client: it is only read)."""
        return [{"label": o.label, "payload": o.payload} for o in self.options]

    @cached_property
    def _remembered(self) -> dict:
        return asked(self.options, numbered=self.numbered)

    def state(self, checkin_id: int) -> dict | None:
        """The flow, step and data of the conversation the prompt opens (None: it opens none)."""
        if self.step is None:
            return None
        return {"flow": FLOW, "step": self.step, "data": {"checkin_id": checkin_id, **self._remembered}}


@lru_cache(maxsize=64)
def opening(content, locale: str, *, free: bool) -> Opening:
    """How today's prompt opens, per language: built once, not per client."""
    if free:  # the mood question itself, as ask_mood puts it
        options = tuple(Option(content.text(f"mood.{v}", locale), f"mood:{v}") for v in range(MOODS[0], MOODS[1] + 1))
        return Opening(content.text("prompt.daily", locale), options, numbered=False, step="mood")
    # Mid-conversation: don't hijack it, offer a way in.
    return Opening(content.text("prompt.daily_busy", locale),
                   (Option(content.text("menu.checkin", locale), "cmd:checkin"),), numbered=True, step=None)


LOWEST_MOOD = 1
VERY_STRONG_CRAVING = 8
MILESTONES = (1, 7, 30, 90, 180, 365)


def on_mood(turn: Turn, reply: Reply) -> None:
    mood = checkin(turn).mood = scales.read(reply, 1, 5)
    if mood == LOWEST_MOOD:
        turn.say("checkin.low_mood_heard")  # heard before the next question, not after the form
    ask_craving(turn)


def ask_craving(turn: Turn) -> None:
    turn.ask(FLOW, "craving", "checkin.ask_craving", scales.options(turn, 0, 10), numbered=False)


def on_craving(turn: Turn, reply: Reply) -> None:
    level = checkin(turn).craving = scales.read(reply, 0, 10)
    if level >= VERY_STRONG_CRAVING:
        turn.say("checkin.strong_craving_heard", level=level)
    ask_used(turn)


def ask_used(turn: Turn) -> None:
    # Its own words: a 👍 is a yes elsewhere, but here it must not mean "yes, I used".
    turn.ask(FLOW, "used", "checkin.ask_used", [turn.opt("used:no", "used_no"), turn.opt("used:yes", "used_yes")])


def on_used(turn: Turn, reply: Reply) -> None:
    from handlers import flows

    if reply.choice not in ("used:yes", "used:no"):
        raise Invalid("hint.yes_no")
    row = checkin(turn)
    row.used = reply.choice == "used:yes"
    if row.used:
        complete(turn, row)
        turn.say("checkin.thanks_for_honesty")
        flows.start(turn, "slip")
        return
    ask_note(turn)


def ask_note(turn: Turn) -> None:
    turn.ask(FLOW, "note", "checkin.ask_note", [turn.opt("skip")])


def on_note(turn: Turn, reply: Reply) -> None:
    row = checkin(turn)
    if reply.choice != "skip":
        if not reply.text:
            raise Invalid("hint.skip_or_type")
        if len(reply.text) > NOTE_MAX:
            raise Invalid("hint.too_long", max=NOTE_MAX)
        row.note = reply.text
    before = row.streak_days  # set when today's check-in was done once already (an update)
    tally = complete(turn, row)
    turn.say("checkin.done" if tally.current else "checkin.done_first_day",
             streak=tally.current, total=tally.total, longest=tally.longest)
    milestone = reached_milestone(turn, row, tally.current) if before is None else None
    if milestone:
        turn.say("checkin.milestone", streak=milestone)
    if (row.craving or 0) >= STRONG_CRAVING:
        ask_offer_craving(turn)
    elif row.mood == LOWEST_MOOD:
        from handlers.flows import talk

        talk.ask_low_mood(turn)
    else:
        turn.end_flow()


def reached_milestone(turn: Turn, row: CheckIn, streak: int) -> int | None:
    """The milestone this check-in reaches for the first time in this streak (celebrated once), if any."""
    if streak not in MILESTONES:
        return None
    earlier = turn.session.exec(
        select(CheckIn.streak_days).where(CheckIn.client_id == turn.person.id, CheckIn.local_date < row.local_date,
                                          col(CheckIn.answered_at).is_not(None))
        .order_by(col(CheckIn.local_date).desc()).limit(1)).first()
    if earlier is not None and earlier >= streak:
        return None  # already celebrated: an earlier check-in of this streak got this far
    return streak


def complete(turn: Turn, row: CheckIn) -> recovery.Tally:
    """Mark the check-in answered, record the streak, and send the all-clear to anyone who was told."""
    tally = recovery.tally(turn.profile, turn.today)
    row.answered_at = turn.now
    row.streak_days = tally.current
    saved(turn, "checkin", row.id)
    turn.after += escalation.all_clear(turn.session, turn.rt.content, turn.person, turn.now)
    return tally


def ask_offer_craving(turn: Turn) -> None:
    turn.ask(FLOW, "offer_craving", "checkin.offer_craving", [turn.opt("yes"), turn.opt("not_now")])


def on_offer_craving(turn: Turn, reply: Reply) -> None:
    from handlers import flows

    if reply.choice == "yes":
        flows.start(turn, "craving")
    elif reply.choice == "not_now":
        turn.end_flow()
        turn.say("checkin.take_care")
    else:
        raise Invalid("hint.yes_no")


FLOWS = {
    FLOW: {
        "already": Step(ask_already, on_already),
        "mood": Step(ask_mood, on_mood, scales.parser(1, 5)),
        "craving": Step(ask_craving, on_craving, scales.parser(0, 10)),
        "used": Step(ask_used, on_used),
        "note": Step(ask_note, on_note),
        "offer_craving": Step(ask_offer_craving, on_offer_craving),
    }
}
