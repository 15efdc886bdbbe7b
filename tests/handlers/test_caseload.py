"""The clinician's Clients page and client story: the numbers a clinician reads, in the client's own days."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlmodel import Session

from data.models import (
    CheckIn,
    ClientProfile,
    Craving,
    Escalation,
    EscalationStep,
    Person,
    Slip,
    SupportContact,
)
from handlers import risk
from handlers.caseload import Alert, AlertStep, Coverage, caseload, story, trend
from handlers.risk import Check, Facts, Fired

HK = "Asia/Hong_Kong"
NY = "America/New_York"
TODAY = date(2026, 3, 2)  # the fixed clock's day in Hong Kong (10:00); it is still 1 March, 21:00, in New York


def ago(n: int, today: date = TODAY) -> date:
    return today - timedelta(days=n)


def at_local(day: date, hour: int, timezone: str = HK) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def add_client(session: Session, now: datetime, *, name: str | None = "Ken", timezone: str = HK,
               profile: bool = True, **settings) -> int:
    person = Person(role="client", display_name=name, timezone=timezone, created_at=now, consent_at=now)
    session.add(person)
    session.flush()
    if profile:
        session.add(ClientProfile(person_id=person.id, **settings))
    return person.id


def add_checkin(session: Session, client_id: int, day: date, *, timezone: str = HK, mood: int | None = 3,
                craving: int | None = None, answered: bool = True, prompted: bool = True,
                hour: int = 9) -> CheckIn:
    row = CheckIn(client_id=client_id, local_date=day, prompted_at=at_local(day, 8, timezone) if prompted else None,
                  answered_at=at_local(day, hour, timezone) if answered else None,
                  mood=mood if answered else None, craving=craving if answered else None)
    session.add(row)
    return row


def add_craving(session: Session, client_id: int, day: date, intensity: int, *, timezone: str = HK,
                triggers: list[str] | None = None, outcome: str | None = None,
                followup_outcome: str | None = None) -> None:
    session.add(Craving(client_id=client_id, logged_at=at_local(day, 7, timezone), intensity=intensity,
                        triggers=triggers or [], outcome=outcome, followup_outcome=followup_outcome))


def add_escalation(session: Session, client_id: int, created: datetime, status: str = "open",
                   kind: str = "missed_checkin") -> int:
    row = Escalation(client_id=client_id, kind=kind, status=status, created_at=created)
    session.add(row)
    session.flush()
    return row.id


@contextmanager
def counting(engine):
    """Counts the statements sent to the database inside the block."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


# -- a row on the Clients page ----------------------------------------------------------------------------------
def test_a_client_row_shows_streaks_check_ins_cravings_alerts_and_flags(rt, clock):
    now = clock()
    with Session(rt.db) as session:
        ken = add_client(session, now, sobriety_start=ago(40), streak_start=ago(10), banked_sober_days=30,
                         longest_streak_days=30)
        for n, craving in ((0, 6), (1, 6), (2, 5), (3, 5), (4, 4), (10, 3), (20, 2), (35, 1)):
            add_checkin(session, ken, ago(n), craving=craving)
        add_checkin(session, ken, ago(5), answered=False)
        add_checkin(session, ken, ago(6), answered=False)
        add_craving(session, ken, ago(1), 8)  # the check-in's 6 is that day's craving; the 8 counts in the average
        add_craving(session, ken, ago(8), 2)
        add_craving(session, ken, ago(8), 1)
        session.add(Slip(client_id=ken, occurred_on=ago(10), reported_at=now))
        for status in ("open", "open", "acknowledged", "resolved"):
            add_escalation(session, ken, now - timedelta(days=1), status)
        session.commit()
        [row] = caseload(session, [ken], now)
        flags = risk.risks_for(session, [ken], {ken: TODAY})

    assert (row.client_id, row.name) == (ken, "Ken")
    assert (row.sober_days, row.current_streak, row.longest_streak) == (40, 10, 30)
    assert row.last_checkin == at_local(TODAY, 9)
    assert (row.answered_7, row.answered_30) == (5, 7)
    # Last 7 days: 6, 6, 5, 5, 4 and the logged 8 (5.67); the 30 before: 3, 2, 1 and the logged 2 and 1 (1.8).
    assert (row.craving_7, row.craving_prior_30, row.craving_trend) == (5.7, 1.8, "up")
    assert row.sparkline == [None, None, None, 3, None, 2, None, None, None, 4, 5, 5, 6, 6]
    assert row.open_alerts == 2
    expected = Facts(TODAY, checkins=(
        Check(ago(6), True, False), Check(ago(5), True, False), Check(ago(4), True, True, 3, 4),
        Check(ago(3), True, True, 3, 5), Check(ago(2), True, True, 3, 5), Check(ago(1), True, True, 3, 6),
        Check(ago(0), True, True, 3, 6), Check(ago(10), True, True, 3, 3), Check(ago(20), True, True, 3, 2),
    ), logged=((ago(1), 8), (ago(8), 2), (ago(8), 1)), slips=(ago(10),))
    assert row.risks == flags[ken] == risk.assess(expected)
    # Recent 6, 6, 5 and the logged 8 (6.25, shown 6.3); usual 5, 4, 3, 2 and the logged 2 and 1 (2.8).
    assert row.risks == [Fired("craving_up", {"recent": 6.3, "usual": 2.8}), Fired("missed", {"missed": 2, "days": 7})]


def test_the_last_check_in_is_shown_however_long_ago_it_was(rt, clock):
    now = clock()
    with Session(rt.db) as session:
        away = add_client(session, now)
        add_checkin(session, away, ago(100), hour=21)
        add_checkin(session, away, ago(120), hour=21)
        session.commit()
        [row] = caseload(session, [away], now)
    assert row.last_checkin == at_local(ago(100), 21)
    assert (row.answered_7, row.answered_30, row.sparkline) == (0, 0, None)


def test_a_client_with_no_history_gets_a_calm_row(rt, clock):
    now = clock()
    with Session(rt.db) as session:
        new = add_client(session, now, name=None)
        bare = add_client(session, now, name="Mei", profile=False)
        session.commit()
        rows = caseload(session, [new, bare], now)
    for row in rows:
        assert (row.sober_days, row.current_streak, row.longest_streak) == (0, 0, 0)
        assert (row.last_checkin, row.answered_7, row.answered_30, row.open_alerts) == (None, 0, 0, 0)
        assert (row.craving_7, row.craving_prior_30, row.craving_trend, row.sparkline) == (None, None, None, None)
        assert row.risks == []
    assert [r.name for r in rows] == [f"Client {new}", "Mei"]


def test_rows_come_in_the_order_asked_and_unknown_ids_are_left_out(rt, clock):
    now = clock()
    with Session(rt.db) as session:
        a = add_client(session, now, name="A")
        b = add_client(session, now, name="B")
        session.commit()
        assert [r.name for r in caseload(session, [b, 999_999, a, b], now)] == ["B", "A"]
        assert caseload(session, [], now) == []


def test_the_craving_trend_has_a_one_point_dead_band():
    assert trend(Fraction(5), Fraction(4)) == "up"
    assert trend(Fraction(49, 10), Fraction(4)) == "flat"
    assert trend(Fraction(3), Fraction(4)) == "down"
    assert trend(Fraction(31, 10), Fraction(4)) == "flat"
    assert trend(None, Fraction(4)) is None
    assert trend(Fraction(4), None) is None


def test_a_trend_needs_both_weeks(rt, clock):
    now = clock()
    with Session(rt.db) as session:
        ken = add_client(session, now)
        add_checkin(session, ken, ago(1), craving=4)
        session.commit()
        [row] = caseload(session, [ken], now)
    assert (row.craving_7, row.craving_prior_30, row.craving_trend) == (4.0, None, None)


# -- time zones ----------------------------------------------------------------------------------------------------
def test_each_clients_own_time_zone_decides_today(rt, clock):
    """At 02:00 UTC on 2 March it is the 2nd in Hong Kong and still the 1st in New York: the same rows read
    differently. The check-in of 1 March is missed in Hong Kong, still open in New York."""
    now = clock()
    with Session(rt.db) as session:
        ids = {}
        for zone in (HK, NY):
            ids[zone] = client = add_client(session, now, name=zone, timezone=zone)
            add_checkin(session, client, date(2026, 3, 1), timezone=zone, answered=False)
            add_checkin(session, client, date(2026, 2, 28), timezone=zone, answered=False)
            add_checkin(session, client, date(2026, 2, 23), timezone=zone, craving=2)
        session.commit()
        rows = {r.client_id: r for r in caseload(session, ids.values(), now)}
        hk_story = story(session, ids[HK], now, 30, content=rt.content)
        ny_story = story(session, ids[NY], now, 30, content=rt.content)

    hk, ny = rows[ids[HK]], rows[ids[NY]]
    assert hk.risks == [Fired("missed", {"missed": 2, "days": 7})]
    assert ny.risks == []
    # 23 February is 7 days back in Hong Kong, 6 in New York: inside New York's week only.
    assert (hk.answered_7, ny.answered_7) == (0, 1)
    # Each sparkline ends on that client's today, so the same day sits one place further back in New York.
    assert (hk.sparkline.index(2), ny.sparkline.index(2)) == (6, 7)
    assert (hk_story.today, ny_story.today) == (date(2026, 3, 2), date(2026, 3, 1))
    assert [(d.day, d.status) for d in hk_story.series[-2:]] == [
        (date(2026, 3, 1), "missed"), (date(2026, 3, 2), "not_prompted")]
    assert [(d.day, d.status) for d in ny_story.series[-2:]] == [
        (date(2026, 2, 28), "missed"), (date(2026, 3, 1), "pending")]


# -- many clients ----------------------------------------------------------------------------------------------------
def test_caseload_asks_the_database_the_same_few_times_for_50_clients_as_for_500(rt, clock):
    now = clock()
    with Session(rt.db) as session:
        people = [Person(role="client", display_name=f"C{n}", timezone=(HK, NY, "Europe/London")[n % 3],
                         created_at=now, consent_at=now) for n in range(500)]
        session.add_all(people)
        session.flush()
        ids = [p.id for p in people]
        for n, pid in enumerate(ids):
            session.add(ClientProfile(person_id=pid, sobriety_start=ago(n % 60)))
            for d in range(n % 4):
                add_checkin(session, pid, ago(d + 1), craving=(n + d) % 11, answered=d != 2)
            add_craving(session, pid, ago(n % 9), n % 11)
            if n % 7 == 0:
                session.add(Slip(client_id=pid, occurred_on=ago(n % 10), reported_at=now))
                add_escalation(session, pid, now - timedelta(hours=n % 30))
        session.commit()

    with Session(rt.db) as session, counting(rt.db) as few:
        small = caseload(session, ids[:50], now)
    with Session(rt.db) as session, counting(rt.db) as many:
        large = caseload(session, ids, now)
    assert len(small) == 50 and len(large) == 500
    assert len(few) == len(many) <= 10
    assert large[:50] == small
    assert sum(r.open_alerts for r in large) == len(range(0, 500, 7))


# -- a client's story ----------------------------------------------------------------------------------------------
def test_the_story_has_one_day_per_local_date_with_what_happened(rt, clock):
    now = clock()
    with Session(rt.db) as session:
        ken = add_client(session, now)
        add_checkin(session, ken, ago(1), mood=4, craving=3)
        add_craving(session, ken, ago(1), 9)  # the check-in's answer is that day's craving
        add_checkin(session, ken, ago(2), answered=False)
        add_craving(session, ken, ago(2), 5)
        add_craving(session, ken, ago(2), 7)  # no check-in answer: the strongest logged
        add_checkin(session, ken, ago(3), prompted=False, answered=False)
        add_checkin(session, ken, ago(29), mood=2, craving=8)
        add_checkin(session, ken, ago(30), mood=1, craving=10)  # a day before the 30
        add_checkin(session, ken, TODAY, answered=False)
        session.add(Slip(client_id=ken, occurred_on=ago(5), reported_at=now))
        session.add(Slip(client_id=ken, occurred_on=ago(45), reported_at=now))
        session.commit()
        month = story(session, ken, now, 30, content=rt.content)
        quarter = story(session, ken, now, 90, content=rt.content)

    assert len(month.series) == 30 and len(quarter.series) == 90
    assert (month.series[0].day, month.series[-1].day, quarter.series[0].day) == (ago(29), TODAY, ago(89))
    by_day = {d.day: d for d in month.series}
    assert (by_day[ago(1)].mood, by_day[ago(1)].craving, by_day[ago(1)].status) == (4, 3, "answered")
    assert (by_day[ago(2)].mood, by_day[ago(2)].craving, by_day[ago(2)].status) == (None, 7, "missed")
    assert by_day[ago(3)].status == by_day[ago(4)].status == "not_prompted"
    assert (by_day[TODAY].status, by_day[ago(29)].mood) == ("pending", 2)
    assert month.slips == [ago(5)] and quarter.slips == [ago(45), ago(5)]


def test_the_story_counts_triggers_and_how_cravings_went(rt, clock):
    now = clock()
    with Session(rt.db) as session:
        ken = add_client(session, now)
        add_craving(session, ken, ago(1), 6, triggers=["trig:lonely", "trig:tired"], outcome="passed")
        add_craving(session, ken, ago(2), 7, triggers=["trig:lonely"], outcome="passed")
        add_craving(session, ken, ago(3), 8, triggers=["note:after work", "trig:tired", "trig:lonely"],
                    outcome="used", followup_outcome="used")
        add_craving(session, ken, ago(4), 5, followup_outcome="still")
        add_craving(session, ken, ago(40), 9, triggers=["trig:angry"], outcome="used")  # outside the 30 days
        session.commit()
        found = story(session, ken, now, 30, content=rt.content)
    assert found.triggers == [("trig:lonely", 3), ("trig:tired", 2), ("note:after work", 1)]
    assert found.outcomes == {"passed": 2, "used": 1}
    assert found.followup_outcomes == {"used": 1, "still": 1}


def test_the_story_shows_which_kinds_of_support_are_covered_and_which_are_gaps(rt, clock, content):
    now = clock()
    with Session(rt.db) as session:
        ken = add_client(session, now)
        for category, name in (("family_friends", "Mum"), ("family_friends", "Ah Wai"), ("sponsor", "Sam")):
            session.add(SupportContact(client_id=ken, category=category, name=name, created_at=now))
        session.commit()
        found = story(session, ken, now, 30, content=rt.content)
    kinds = [k.key for k in content.support_kinds()]
    assert len(found.support) == 12
    assert [c.kind for c in found.support] == kinds
    assert found.support[0] == Coverage("family_friends", 2)
    assert Coverage("sponsor", 1) in found.support
    assert found.gaps == [k for k in kinds if k not in ("family_friends", "sponsor")]


def test_the_story_lists_escalations_and_their_steps_newest_first(rt, clock):
    now = clock()
    with Session(rt.db) as session:
        ken = add_client(session, now)
        mum = Person(role="partner", display_name="Mum", created_at=now)
        chan = Person(role="clinician", display_name="Dr Chan", created_at=now)
        session.add_all([mum, chan])
        session.flush()
        first = now - timedelta(days=3)
        older = add_escalation(session, ken, first, "resolved")
        for step, who, hours in (("reminder", None, 1), ("partner_nudge", mum.id, 3), ("all_clear", mum.id, 5)):
            session.add(EscalationStep(escalation_id=older, step=step, recipient_id=who,
                                       at=first + timedelta(hours=hours)))
        newer = add_escalation(session, ken, now - timedelta(hours=2), "acknowledged", kind="crisis")
        session.add(EscalationStep(escalation_id=newer, step="crisis_alert", recipient_id=chan.id,
                                   at=now - timedelta(hours=2)))
        session.add(EscalationStep(escalation_id=newer, step="acknowledged", recipient_id=chan.id,
                                   at=now - timedelta(hours=1)))
        add_escalation(session, ken, now - timedelta(days=1), "resolved")  # answered before any step: no alert
        long_ago = now - timedelta(days=60)
        add_escalation(session, ken, long_ago, "resolved")  # over and outside the 30 days: left out
        still_open = add_escalation(session, ken, long_ago, "open")  # outside, but still open: shown
        session.commit()
        found = story(session, ken, now, 30, content=rt.content)

    assert [e.id for e in found.escalations] == [newer, older, still_open]
    assert found.escalations[0] == Alert(
        id=newer, kind="crisis", reason=None, priority="normal", status="acknowledged", level=0,
        created_at=now - timedelta(hours=2), acknowledged_at=None, resolved_at=None,
        steps=[AlertStep("acknowledged", "Dr Chan", now - timedelta(hours=1)),
               AlertStep("crisis_alert", "Dr Chan", now - timedelta(hours=2))])
    assert [(s.step, s.recipient) for s in found.escalations[1].steps] == [
        ("all_clear", "Mum"), ("partner_nudge", "Mum"), ("reminder", None)]
    assert found.escalations[2].steps == []


def test_no_story_for_someone_who_is_not_there(rt, clock):
    with Session(rt.db) as session:
        assert story(session, 999_999, clock(), 30, content=rt.content) is None


def test_the_two_week_detail_with_older_sums_agrees_with_reading_every_day(rt, clock):
    """The Clients page reads two weeks day by day and the weeks before as sums in the database: for random
    five-week records in two zones, every number and flag equals the one computed from every day read."""
    import random

    rnd = random.Random(11)
    with Session(rt.db) as session:
        ids = []
        for n in range(24):
            zone = HK if n % 3 else NY
            cid = add_client(session, clock(), name=f"C{n}", timezone=zone)
            ids.append(cid)
            today = clock().astimezone(ZoneInfo(zone)).date()
            for back in range(40):
                if rnd.random() < 0.85:
                    add_checkin(session, cid, ago(back, today), timezone=zone, answered=rnd.random() < 0.8,
                                craving=rnd.choice([None, *range(11)]), mood=rnd.randint(1, 5))
                if rnd.random() < 0.2:
                    add_craving(session, cid, ago(back, today), rnd.randint(0, 10), timezone=zone)
        session.commit()
    with Session(rt.db) as session:
        rows = {r.client_id: r for r in caseload(session, ids, clock())}
        for cid in ids:
            zone = ZoneInfo(HK if ids.index(cid) % 3 else NY)
            today = clock().astimezone(zone).date()
            full = risk.load_facts(session, [cid], {cid: today}, zones={cid: zone}, days=37)[cid]
            values = {age: [] for age in range(37)}
            for c in full.checkins:
                if c.answered and c.craving is not None:
                    values[(today - c.day).days].append(c.craving)
            for day, level in full.logged:
                values[(today - day).days].append(level)
            week = [v for a in range(7) for v in values[a]]
            before = [v for a in range(7, 37) for v in values[a]]
            row = rows[cid]
            assert row.answered_30 == sum(c.answered and (today - c.day).days < 30 for c in full.checkins)
            assert row.craving_prior_30 == (risk.one_decimal(Fraction(sum(before), len(before))) if before else None)
            assert row.craving_7 == (risk.one_decimal(Fraction(sum(week), len(week))) if week else None)
            assert row.risks == risk.assess(full), cid
