"""Check-in instants across daylight-saving changes, and quiet hours that cross midnight."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from handlers.when import in_quiet_hours, local_instant, next_prompt_at, next_summary_at

NY, LONDON, HK = ZoneInfo("America/New_York"), ZoneInfo("Europe/London"), ZoneInfo("Asia/Hong_Kong")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_ordinary_day_in_hong_kong_has_no_surprises():
    assert local_instant(date(2026, 3, 8), time(21, 0), HK) == utc(2026, 3, 8, 13, 0)


def test_new_york_spring_forward_gap_sends_at_the_first_valid_instant():
    # 2026-03-08: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist.
    assert local_instant(date(2026, 3, 8), time(2, 30), NY) == utc(2026, 3, 8, 7, 0)  # 03:00 EDT
    assert local_instant(date(2026, 3, 8), time(3, 0), NY) == utc(2026, 3, 8, 7, 0)
    assert local_instant(date(2026, 3, 7), time(2, 30), NY) == utc(2026, 3, 7, 7, 30)  # EST the day before


def test_new_york_repeated_hour_sends_once_at_the_first_occurrence():
    # 2026-11-01: 01:00-02:00 happens twice (EDT, then EST).
    assert local_instant(date(2026, 11, 1), time(1, 30), NY) == utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    after_first = utc(2026, 11, 1, 5, 30)
    assert next_prompt_at(time(1, 30), NY, after_first) == utc(2026, 11, 2, 6, 30)  # not 06:30 the same day


def test_london_transitions():
    # 2026-03-29: 01:00 GMT jumps to 02:00 BST; 2026-10-25: 01:00-02:00 repeats.
    assert local_instant(date(2026, 3, 29), time(1, 15), LONDON) == utc(2026, 3, 29, 1, 0)
    assert local_instant(date(2026, 10, 25), time(1, 15), LONDON) == utc(2026, 10, 25, 0, 15)
    assert local_instant(date(2026, 10, 26), time(1, 15), LONDON) == utc(2026, 10, 26, 1, 15)


def test_one_prompt_per_local_day_through_both_transitions():
    for zone, wall, days in ((NY, time(2, 30), ("2026-03-07", "2026-03-10")),
                             (NY, time(1, 30), ("2026-10-31", "2026-11-03")),
                             (LONDON, time(1, 15), ("2026-03-28", "2026-03-31")),
                             (LONDON, time(1, 15), ("2026-10-24", "2026-10-27"))):
        start = datetime.combine(date.fromisoformat(days[0]), time(12), tzinfo=zone)
        end = datetime.combine(date.fromisoformat(days[1]), time(12), tzinfo=zone)
        seen, at = [], start.astimezone(UTC)
        while (at := next_prompt_at(wall, zone, at)) < end:
            seen.append(at.astimezone(zone).date())
        assert len(seen) == len(set(seen)) == 3, (zone, seen)


def test_next_prompt_waits_for_a_pause_to_end():
    now = utc(2026, 3, 2, 2)  # 10:00 in Hong Kong
    assert next_prompt_at(time(21), HK, now) == utc(2026, 3, 2, 13)
    assert next_prompt_at(time(21), HK, now, not_before=date(2026, 3, 5)) == utc(2026, 3, 5, 13)


def test_weekly_summary_is_sunday_evening_local_time():
    monday = utc(2026, 3, 2, 2)
    assert next_summary_at(HK, monday) == utc(2026, 3, 8, 11)  # Sunday 19:00 HK
    assert next_summary_at(HK, utc(2026, 3, 8, 11)) == utc(2026, 3, 15, 11)


def test_quiet_hours_across_midnight():
    assert in_quiet_hours(utc(2026, 3, 2, 15), HK, time(22), time(7)) == utc(2026, 3, 2, 23)  # 23:00 HK
    assert in_quiet_hours(utc(2026, 3, 2, 20), HK, time(22), time(7)) == utc(2026, 3, 2, 23)  # 04:00 HK
    assert in_quiet_hours(utc(2026, 3, 2, 2), HK, time(22), time(7)) is None  # 10:00 HK
    assert in_quiet_hours(utc(2026, 3, 2, 5), HK, time(12), time(14)) == utc(2026, 3, 2, 6)
    assert in_quiet_hours(utc(2026, 3, 2, 5), HK, None, None) is None
