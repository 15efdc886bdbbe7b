"""A client's last four weeks, as the facts their progress picture is drawn from (bot/progress_chart.py), and
the one line of words that goes with it (its caption, and its alt text).

The days are the client's own local days, with the same statuses the clinician's story shows
(handlers/caseload.py's `Day`); the streak figures come from recovery.tally, so a slip restarts the current
streak but never takes away the total or the longest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from data.content import Content
from data.models import CheckIn, ClientProfile, Person
from handlers import caseload, recovery

DAYS = 28  # four weeks: a Sunday's picture is four whole weeks, Monday to Sunday
WEEK = 7
SPARSE_BELOW = 3  # fewer check-ins than this in the four weeks: too few to chart, so an encouraging picture


@dataclass(frozen=True)
class DayMark:
    """One local day in the picture."""

    day: date
    status: str  # "answered" | "missed" | "pending" (today's, asked and not yet answered) | "not_prompted"
    mood: int | None  # 1-5, from that day's check-in
    craving: int | None  # 0-10: the check-in's answer, else the strongest craving logged that day
    slip: bool


@dataclass(frozen=True)
class Progress:
    """A client's last four weeks, ending today (their local day)."""

    name: str | None
    today: date
    days: list[DayMark]  # exactly DAYS, oldest first, ending today
    current_streak: int
    longest_streak: int
    total_sober_days: int
    answered_week: int  # check-ins answered in the last 7 days, today included
    answered_month: int  # ... and in all DAYS

    @property
    def sparse(self) -> bool:
        """Too few check-ins to chart: the picture and its caption encourage instead."""
        return self.answered_month < SPARSE_BELOW


def load(session: Session, person_id: int, now: datetime) -> Progress | None:
    """The person's last four weeks as of `now`, or None for someone unknown or who is not a client."""
    profile = session.get(ClientProfile, person_id)
    if profile is None:
        return None
    found = caseload.story(session, person_id, now, days=DAYS)
    if found is None:
        return None
    person = session.get(Person, person_id)
    slips = set(found.slips)
    days = [DayMark(day=d.day, status=d.status, mood=d.mood, craving=d.craving, slip=d.day in slips)
            for d in found.series]
    tally = recovery.tally(profile, found.today)
    answered = [d.status == "answered" for d in days]
    return Progress(
        name=person.display_name if person else None, today=found.today, days=days,
        current_streak=tally.current, longest_streak=tally.longest, total_sober_days=tally.total,
        answered_week=sum(answered[-WEEK:]), answered_month=sum(answered),
    )


def brief(session: Session, person_id: int, now: datetime) -> Progress | None:
    """The same figures without the days (`days` is empty): enough for the caption, in two small counts rather
    than the whole month. The weekly pass writes every client's caption; the picture reads the month (`load`)
    only when it is drawn."""
    profile = session.get(ClientProfile, person_id)
    person = session.get(Person, person_id)
    if profile is None or person is None:
        return None
    today = now.astimezone(ZoneInfo(person.timezone)).date()
    counts = session.exec(select(
        func.count().filter(col(CheckIn.local_date) > today - timedelta(days=WEEK)),
        func.count()).where(CheckIn.client_id == person_id, col(CheckIn.answered_at).is_not(None),
                            col(CheckIn.local_date) > today - timedelta(days=DAYS),
                            col(CheckIn.local_date) <= today)).one()
    tally = recovery.tally(profile, today)
    return Progress(name=person.display_name, today=today, days=[], current_streak=tally.current,
                    longest_streak=tally.longest, total_sober_days=tally.total, answered_week=counts[0],
                    answered_month=counts[1])


def title(content: Content, locale: str, p: Progress) -> str:
    """The picture's heading, and the caption's start: "Ken's last 4 weeks", or "Your last 4 weeks"."""
    if p.name:
        return content.text("progress.title", locale, name=p.name)
    return content.text("progress.title_unnamed", locale)


def caption(content: Content, locale: str, p: Progress) -> str:
    """One line of words: the picture's caption and its alt text. Never a count of days missed; a month with few
    check-ins gets encouragement instead of numbers."""
    streak = (content.text("progress.streak_now", locale, streak=p.current_streak) if p.current_streak
              else content.text("progress.streak_new", locale))
    fields = dict(title=title(content, locale, p), week=p.answered_week, month=p.answered_month, days=DAYS,
                  streak=streak, longest=p.longest_streak, total=p.total_sober_days)
    on_record = bool(p.current_streak or p.longest_streak or p.total_sober_days)
    key = ("caption_sparse" if on_record else "caption_new") if p.sparse else (
        "caption" if on_record else "caption_no_streak")
    return content.text(f"progress.{key}", locale, **fields)
