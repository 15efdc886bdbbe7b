"""Local wall times to UTC instants, with explicit rules for the hours DST skips or repeats."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SUMMARY_WEEKDAY = 6  # Sunday
SUMMARY_TIME = time(19, 0)
DIGEST_TIME = time(19, 30)  # partners' weekly note: after the client's own summary on a Sunday


def local_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of `wall` on `day` in `zone`.

    A wall time that does not exist (inside a spring-forward gap) becomes the first valid instant
    after it, i.e. the moment the clocks jump; a wall time that happens twice (the repeated autumn
    hour) is its first occurrence.
    """
    first = datetime.combine(day, wall, tzinfo=zone).replace(fold=0)
    instant = first.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == first.replace(tzinfo=None):
        return instant
    # In a gap: fold=1 reads the wall time with the offset after the jump, which lands before the
    # transition; the transition itself is where local time first passes the wanted wall time.
    low = first.replace(fold=1).astimezone(UTC)
    high = instant
    while high - low > timedelta(seconds=1):
        mid = low + (high - low) / 2
        if mid.astimezone(zone).replace(tzinfo=None) < first.replace(tzinfo=None):
            low = mid
        else:
            high = mid
    return high.replace(microsecond=0)


def next_prompt_at(wall: time, zone: ZoneInfo, after: datetime, *, not_before: date | None = None) -> datetime:
    """The first check-in instant strictly after `after` (on or after the local day `not_before`)."""
    day = after.astimezone(zone).date()
    if not_before is not None and not_before > day:
        day = not_before
    for offset in range(3):
        due = local_instant(day + timedelta(days=offset), wall, zone)
        if due > after:
            return due
    raise AssertionError("a check-in time always recurs within two days")


def next_summary_at(zone: ZoneInfo, after: datetime) -> datetime:
    """The next Sunday-evening instant, local time, strictly after `after`."""
    day = after.astimezone(zone).date()
    day += timedelta(days=(SUMMARY_WEEKDAY - day.weekday()) % 7)
    due = local_instant(day, SUMMARY_TIME, zone)
    return due if due > after else local_instant(day + timedelta(days=7), SUMMARY_TIME, zone)


def next_digest_at(zone: ZoneInfo, after: datetime, weekday: int | None) -> datetime | None:
    """The next partners' weekly note on `weekday` (0 Monday .. 6 Sunday), local time, after `after`."""
    if weekday is None:
        return None
    day = after.astimezone(zone).date()
    day += timedelta(days=(weekday - day.weekday()) % 7)
    due = local_instant(day, DIGEST_TIME, zone)
    return due if due > after else local_instant(day + timedelta(days=7), DIGEST_TIME, zone)


def in_quiet_hours(now: datetime, zone: ZoneInfo, start: time | None, end: time | None) -> datetime | None:
    """When quiet hours hold `now`, the instant they end; otherwise None. Ranges may cross midnight."""
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    crosses = start > end
    inside = (wall >= start or wall < end) if crosses else (start <= wall < end)
    if not inside:
        return None
    end_day = local.date() + timedelta(days=1) if crosses and wall >= start else local.date()
    return local_instant(end_day, end, zone)


def refresh_schedule(profile, zone_name: str, now: datetime) -> None:
    """Recompute a client's next check-in and weekly-summary instants after their settings change."""
    zone = ZoneInfo(zone_name)
    profile.next_prompt_at = next_prompt_at(profile.checkin_time, zone, now, not_before=profile.paused_until)
    profile.next_summary_at = next_summary_at(zone, now)
    profile.next_digest_at = next_digest_at(zone, now, profile.digest_weekday)
