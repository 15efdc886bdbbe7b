"""Risk flags a clinician sees: each rule holds exactly at its threshold, says its numbers, and the loader agrees."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from data.models import CheckIn, ClientProfile, Craving, Person, Slip
from handlers import risk
from handlers.risk import Check, Facts, Fired, assess, describe

TODAY = date(2026, 3, 2)


def ago(n: int, today: date = TODAY) -> date:
    return today - timedelta(days=n)


def answered(n: int, *, mood: int | None = 3, craving: int | None = None) -> Check:
    return Check(ago(n), prompted=True, answered=True, mood=mood, craving=craving)


def unanswered(n: int) -> Check:
    return Check(ago(n), prompted=True, answered=False)


def rules(facts: Facts) -> list[str]:
    return [f.rule for f in assess(facts)]


def usual(values: list[int], first_day: int = 3) -> tuple[tuple[date, int], ...]:
    """Logged cravings in the 30 days before the recent three, one a day from `first_day` days ago."""
    return tuple((ago(first_day + i), v) for i, v in enumerate(values))


# -- craving_up ------------------------------------------------------------------------------------------------
def test_craving_up_fires_at_two_points_above_usual_even_when_the_averages_are_not_whole():
    # usual 7/3 and recent 13/3: a difference of exactly 2, which floating point makes 1.9999999999999996.
    facts = Facts(TODAY, logged=usual([2, 2, 3]) + ((ago(2), 4), (ago(1), 4), (TODAY, 5)))
    assert assess(facts) == [Fired("craving_up", {"recent": 4.3, "usual": 2.3})]


def test_craving_up_is_quiet_just_below_two_points():
    facts = Facts(TODAY, logged=usual([4] * 9 + [5]) + ((TODAY, 6),))  # 6 vs 4.1: 1.9 points
    assert rules(facts) == []


def test_craving_up_needs_three_values_in_the_usual_window():
    assert rules(Facts(TODAY, logged=usual([1, 1]) + ((TODAY, 9),))) == []
    assert rules(Facts(TODAY, logged=usual([1, 1, 1]) + ((TODAY, 9),))) == ["craving_up"]


def test_craving_up_counts_check_in_answers_and_logged_cravings_but_not_unanswered_check_ins():
    checkins = (answered(3, craving=2), answered(4, craving=2), answered(0, craving=6),
                Check(ago(1), prompted=True, answered=False, craving=0))
    facts = Facts(TODAY, checkins=checkins, logged=((ago(5), 2),))
    assert assess(facts) == [Fired("craving_up", {"recent": 6.0, "usual": 2.0})]


def test_craving_up_windows_end_where_they_say():
    # Two days ago is recent; three days ago is usual; 33 days ago is neither.
    assert rules(Facts(TODAY, logged=usual([2, 2, 2]) + ((ago(2), 4),))) == ["craving_up"]
    assert rules(Facts(TODAY, logged=usual([2, 2, 2], first_day=4) + ((ago(3), 9),))) == []
    assert rules(Facts(TODAY, logged=((ago(30), 0), (ago(31), 0), (ago(32), 0), (TODAY, 9)))) == ["craving_up"]
    assert rules(Facts(TODAY, logged=((ago(31), 0), (ago(32), 0), (ago(33), 0), (TODAY, 9)))) == []


# -- missed --------------------------------------------------------------------------------------------------
def test_missed_fires_at_two_missed_check_ins_in_seven_days():
    assert assess(Facts(TODAY, checkins=(unanswered(1), unanswered(6)))) == [Fired("missed", {"missed": 2, "days": 7})]
    assert rules(Facts(TODAY, checkins=(unanswered(1), answered(2)))) == []


def test_todays_unanswered_check_in_is_not_missed_yet_and_a_week_ago_is_out():
    assert rules(Facts(TODAY, checkins=(unanswered(0), unanswered(1)))) == []
    assert rules(Facts(TODAY, checkins=(unanswered(7), unanswered(1)))) == []


def test_a_day_never_prompted_is_not_missed():
    never = Check(ago(2), prompted=False, answered=False)
    assert rules(Facts(TODAY, checkins=(never, unanswered(1)))) == []


# -- slip ------------------------------------------------------------------------------------------------------
def test_slip_fires_within_seven_days_with_the_latest_slip():
    assert assess(Facts(TODAY, slips=(ago(6),))) == [Fired("slip", {"days_ago": 6})]
    assert assess(Facts(TODAY, slips=(ago(5), ago(2), ago(20)))) == [Fired("slip", {"days_ago": 2})]
    assert rules(Facts(TODAY, slips=(ago(7),))) == []


# -- mood_falling ----------------------------------------------------------------------------------------------
def test_mood_falling_fires_on_three_days_in_a_row_each_lower():
    facts = Facts(TODAY, checkins=(answered(3, mood=4), answered(2, mood=3), answered(1, mood=2)))
    assert assess(facts) == [Fired("mood_falling", {"moods": "4 → 3 → 2"})]


def test_mood_falling_needs_a_strict_fall_on_consecutive_days():
    assert rules(Facts(TODAY, checkins=(answered(2, mood=4), answered(1, mood=3), answered(0, mood=3)))) == []
    assert rules(Facts(TODAY, checkins=(answered(3, mood=4), answered(1, mood=3), answered(0, mood=2)))) == []
    assert rules(Facts(TODAY, checkins=(answered(1, mood=3), answered(0, mood=2)))) == []


def test_mood_falling_looks_at_the_last_three_answered_days_only():
    recovered = (answered(3, mood=5), answered(2, mood=4), answered(1, mood=3), answered(0, mood=4))
    assert rules(Facts(TODAY, checkins=recovered)) == []
    skipped = (answered(3, mood=4), answered(2, mood=3), unanswered(1), answered(0, mood=2))
    assert rules(Facts(TODAY, checkins=skipped)) == []
    last_week = (answered(8, mood=4), answered(7, mood=3), answered(6, mood=2))
    assert rules(Facts(TODAY, checkins=last_week)) == ["mood_falling"]
    stale = (answered(9, mood=4), answered(8, mood=3), answered(7, mood=2))
    assert rules(Facts(TODAY, checkins=stale)) == []


def test_no_history_raises_nothing():
    assert assess(Facts(TODAY)) == []


# -- in words ----------------------------------------------------------------------------------------------------
def test_the_numbers_in_the_words_in_both_languages(content):
    facts = Facts(
        TODAY,
        checkins=(answered(1, mood=4), answered(0, mood=3, craving=7), unanswered(2), unanswered(4),
                  answered(3, mood=5)),
        logged=usual([4] * 9 + [5], first_day=4) + ((ago(1), 7), (ago(2), 8)),
        slips=(ago(3),),
    )
    fired = assess(facts)
    assert [describe(content, "en", f) for f in fired] == [
        "craving 7.3 vs usual 4.1", "missed 2 of the last 7 check-ins", "a slip 3 days ago",
    ]
    assert [describe(content, "zh-HK", f) for f in fired] == [
        "心癮 7.3，平時大約 4.1", "最近 7 次報到之中有 2 次未有回覆", "3 日前有一次失守",
    ]
    falling = assess(Facts(TODAY, checkins=(answered(2, mood=4), answered(1, mood=3), answered(0, mood=2))))
    assert describe(content, "en", falling[0]) == "mood falling 4 → 3 → 2"
    assert describe(content, "zh-HK", falling[0]) == "心情連日向下：4 → 3 → 2"


def test_a_slip_today_and_yesterday_read_naturally(content):
    assert describe(content, "en", Fired("slip", {"days_ago": 0})) == "a slip today"
    assert describe(content, "en", Fired("slip", {"days_ago": 1})) == "a slip 1 day ago"
    assert describe(content, "zh-HK", Fired("slip", {"days_ago": 0})) == "今日有一次失守"


def test_every_rule_has_words_in_every_locale(content):
    for rule in risk.RULES:
        for locale in content.locales:
            assert f"risk.{rule.key}" in content._texts[locale], (rule.key, locale)


# -- loading from the database -------------------------------------------------------------------------------------
def add_client(session: Session, now: datetime, *, name: str | None = "Ken", timezone: str = "Asia/Hong_Kong",
               sober_since: date | None = None) -> int:
    person = Person(role="client", display_name=name, timezone=timezone, created_at=now, consent_at=now)
    session.add(person)
    session.flush()
    session.add(ClientProfile(person_id=person.id, sobriety_start=sober_since))
    return person.id


def at_local(day: date, hour: int, timezone: str) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def add_checkin(session: Session, client_id: int, day: date, *, timezone: str = "Asia/Hong_Kong",
                mood: int | None = None, craving: int | None = None, answered: bool = True,
                prompted: bool = True) -> None:
    session.add(CheckIn(client_id=client_id, local_date=day,
                        prompted_at=at_local(day, 20, timezone) if prompted else None,
                        answered_at=at_local(day, 21, timezone) if answered else None, mood=mood, craving=craving))


def test_risks_for_many_clients_agrees_with_the_rules(rt, clock):
    now = clock()
    today = now.astimezone(ZoneInfo("Asia/Hong_Kong")).date()
    with Session(rt.db) as session:
        worried = add_client(session, now, name="A")
        calm = add_client(session, now, name="B")
        for n, mood in ((3, 4), (2, 3), (1, 2)):
            add_checkin(session, worried, ago(n, today), mood=mood, craving=8)
        for n in range(4, 10):
            add_checkin(session, worried, ago(n, today), mood=5, craving=3)
        add_checkin(session, worried, ago(10, today), answered=False)
        add_checkin(session, worried, ago(12, today), answered=False)
        session.add(Craving(client_id=worried, logged_at=now - timedelta(hours=1), intensity=9))
        session.add(Slip(client_id=worried, occurred_on=ago(4, today), reported_at=now))
        add_checkin(session, calm, ago(1, today), mood=4, craving=2)
        session.commit()
        found = risk.risks_for(session, [worried, calm], {worried: today, calm: today})

    expected = Facts(
        today,
        checkins=tuple(sorted([answered(3, mood=4, craving=8), answered(2, mood=3, craving=8),
                               answered(1, mood=2, craving=8)]
                              + [answered(n, mood=5, craving=3) for n in range(4, 10)]
                              + [unanswered(10), unanswered(12)], key=lambda c: c.day)),
        logged=((today, 9),), slips=(ago(4, today),),
    )
    assert found[worried] == assess(expected)
    assert [f.rule for f in found[worried]] == ["craving_up", "slip", "mood_falling"]
    assert found[worried][0].numbers == {"recent": 8.3, "usual": 3.7}
    assert found[calm] == []


def test_a_logged_craving_falls_on_the_clients_own_local_day(rt, clock):
    # 03:00 UTC on 27 February is the 27th in Hong Kong but still the 26th in New York.
    now = clock()
    today = date(2026, 3, 1)  # the same local day for both, so only the craving's own day differs
    with Session(rt.db) as session:
        hk = add_client(session, now, timezone="Asia/Hong_Kong")
        ny = add_client(session, now, timezone="America/New_York")
        for client, zone in ((hk, "Asia/Hong_Kong"), (ny, "America/New_York")):
            for n in (5, 6, 7):
                add_checkin(session, client, ago(n, today), timezone=zone, craving=1)
            session.add(Craving(client_id=client, logged_at=datetime(2026, 2, 27, 3, tzinfo=UTC), intensity=9))
        session.commit()
        found = risk.risks_for(session, [hk, ny], {hk: today, ny: today})
    # Hong Kong: the 27th is among the last three days, 9 against a usual 1. New York: the 26th is usual.
    assert found[hk] == [Fired("craving_up", {"recent": 9.0, "usual": 1.0})]
    assert found[ny] == []


def test_risks_for_nobody_is_empty(rt):
    with Session(rt.db) as session:
        assert risk.risks_for(session, [], {}) == {}
