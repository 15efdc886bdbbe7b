"""Sober-day arithmetic: a slip restarts the current streak but never erases total days or the longest streak."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from data.models import ClientProfile


@dataclass(frozen=True)
class Tally:
    current: int  # whole sober days since the current streak began (today is still in progress)
    total: int  # every sober day on record, across slips
    longest: int


def tally(profile: ClientProfile, today: date) -> Tally:
    start = profile.streak_start or profile.sobriety_start
    current = max(0, (today - start).days) if start else 0
    return Tally(
        current=current,
        total=profile.banked_sober_days + current,
        longest=max(profile.longest_streak_days, current),
    )


def record_slip(profile: ClientProfile, on: date, today: date) -> int:
    """Bank the streak that ended on `on` and start a new one; returns that streak's length in days."""
    start = profile.streak_start or profile.sobriety_start
    if start is None:
        profile.streak_start = on + timedelta(days=1)
        return 0
    if on < start:
        # A slip before the current streak began (reported late) changes nothing already counted.
        return 0
    ended = (on - start).days
    profile.banked_sober_days += ended
    profile.longest_streak_days = max(profile.longest_streak_days, ended)
    profile.streak_start = on + timedelta(days=1)  # the first sober day after the slip
    return ended
