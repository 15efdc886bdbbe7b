"""A client's four weeks for their progress picture: the days as the clinician's story sees them, the streaks as
recovery.tally counts them (a slip never takes away the total or the longest), and the caption's words."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from data.models import ClientProfile, Person, Slip
from handlers import recovery
from handlers.progress import DAYS, DayMark, Progress, caption, load
from tests.handlers.test_caseload import HK, NY, TODAY, add_checkin, add_client, add_craving, ago


def statuses(p: Progress) -> list[str]:
    return [d.status for d in p.days]


# -- load -------------------------------------------------------------------------------------------------------
def test_a_full_month_has_every_day_its_check_in_its_slip_and_the_streaks(rt, clock):
    now = clock()
    with Session(rt.db) as session:
        ken = add_client(session, now, sobriety_start=ago(60), streak_start=ago(12), banked_sober_days=33,
                         longest_streak_days=30)
        for n in range(1, DAYS):
            if n in (3, 9, 20):
                add_checkin(session, ken, ago(n), answered=False)  # asked, not answered
            elif n != 25:  # 25 days ago nobody asked
                add_checkin(session, ken, ago(n), mood=1 + n % 5, craving=n % 11)
        add_checkin(session, ken, TODAY, answered=False)  # asked at 08:00, not yet answered at 10:00
        add_craving(session, ken, ago(9), 7)  # logged on a day without a check-in
        session.add(Slip(client_id=ken, occurred_on=ago(13), reported_at=now))
        session.add(Slip(client_id=ken, occurred_on=ago(40), reported_at=now))  # before the four weeks
        add_checkin(session, ken, ago(DAYS), mood=5, craving=0)  # the day before the four weeks
        session.commit()
        p = load(session, ken, now)

    assert p.name == "Ken" and p.today == TODAY
    assert len(p.days) == DAYS and p.days[0].day == ago(DAYS - 1) and p.days[-1].day == TODAY
    assert [d.day for d in p.days] == [ago(n) for n in range(DAYS - 1, -1, -1)]
    by_age = {(TODAY - d.day).days: d for d in p.days}
    assert by_age[0].status == "pending"
    assert {n for n, d in by_age.items() if d.status == "missed"} == {3, 9, 20}
    assert {n for n, d in by_age.items() if d.status == "not_prompted"} == {25}
    assert by_age[4] == DayMark(ago(4), "answered", mood=5, craving=4, slip=False)
    assert by_age[9] == DayMark(ago(9), "missed", mood=None, craving=7, slip=False)
    assert by_age[13].slip and sum(d.slip for d in p.days) == 1
    assert (p.answered_week, p.answered_month) == (5, 23)
    assert (p.current_streak, p.longest_streak, p.total_sober_days) == (12, 30, 45)
    assert not p.sparse


def test_a_sparse_month_is_a_few_check_ins_among_days_not_asked(rt, clock):
    now = clock()
    with Session(rt.db) as session:
        mei = add_client(session, now, name=None, sobriety_start=ago(5))
        add_checkin(session, mei, ago(1), mood=4, craving=2)
        add_checkin(session, mei, ago(2), answered=False)
        session.commit()
        p = load(session, mei, now)

    assert p.name is None
    assert statuses(p) == ["not_prompted"] * 25 + ["missed", "answered", "not_prompted"]
    assert p.days[-2].mood == 4 and p.days[-2].craving == 2
    assert (p.answered_week, p.answered_month) == (1, 1)
    assert (p.current_streak, p.longest_streak, p.total_sober_days) == (5, 5, 5)
    assert p.sparse


def test_nothing_yet_is_four_weeks_of_days_not_asked_and_no_streak(rt, clock):
    now = clock()
    with Session(rt.db) as session:
        new = add_client(session, now)
        session.commit()
        p = load(session, new, now)

    assert statuses(p) == ["not_prompted"] * DAYS
    assert all(d.mood is None and d.craving is None and not d.slip for d in p.days)
    assert (p.current_streak, p.longest_streak, p.total_sober_days, p.answered_week, p.answered_month) == (0,) * 5
    assert p.sparse


def test_a_slip_restarts_the_streak_but_keeps_the_total_and_the_longest(rt, clock):
    now = clock()
    with Session(rt.db) as session:
        ken = add_client(session, now, sobriety_start=ago(50))
        profile = session.get(ClientProfile, ken)
        recovery.record_slip(profile, ago(1), TODAY)
        session.add(Slip(client_id=ken, occurred_on=ago(1), reported_at=now))
        session.commit()
        p = load(session, ken, now)

    assert p.days[-2].slip
    assert (p.current_streak, p.longest_streak, p.total_sober_days) == (0, 49, 49)


def test_days_are_the_clients_own_local_days(rt, clock):
    now = clock()  # 10:00 on 2 March in Hong Kong; 21:00 on 1 March in New York
    with Session(rt.db) as session:
        ann = add_client(session, now, name="Ann", timezone=NY, sobriety_start=date(2026, 2, 1))
        add_checkin(session, ann, date(2026, 3, 1), timezone=NY, hour=20)
        session.commit()
        p = load(session, ann, now)

    assert p.today == date(2026, 3, 1) and p.days[-1].status == "answered"
    assert p.current_streak == 28


def test_nobody_and_someone_who_is_not_a_client_have_no_progress(rt, clock):
    now = clock()
    with Session(rt.db) as session:
        clinician = Person(role="clinician", display_name="Dr Chan", timezone=HK, created_at=now)
        session.add(clinician)
        session.commit()
        assert load(session, 9999, now) is None
        assert load(session, clinician.id, now) is None


# -- the caption ------------------------------------------------------------------------------------------------
def progress(answered: int, *, name: str | None = "Ken", streak: tuple[int, int, int] = (12, 30, 45),
             week: int | None = None) -> Progress:
    days = [DayMark(TODAY - timedelta(days=DAYS - 1 - n), "answered" if n >= DAYS - answered else "missed",
                    3, 2, False) for n in range(DAYS)]
    return Progress(name=name, today=TODAY, days=days, current_streak=streak[0], longest_streak=streak[1],
                    total_sober_days=streak[2], answered_week=min(answered, 7) if week is None else week,
                    answered_month=answered)


def test_the_caption_of_a_full_month_says_the_check_ins_and_streaks(content):
    p = progress(22, week=6)
    assert caption(content, "en", p) == (
        "Ken's last 4 weeks: checked in on 6 of the last 7 days and 22 of 28; streak 12 days (longest 30 days); "
        "45 days sober in all.")
    assert caption(content, "zh-HK", p) == (
        "Ken 過去 4 個星期：最近 7 日報到咗 6 日，28 日入面報到咗 22 日；連續清醒 12 日（最長 30 日）；累計清醒 45 日。")


def test_the_caption_counts_one_day_as_one_day_and_a_fresh_streak_as_day_one(content):
    assert "streak 1 day (longest 30 days)" in caption(content, "en", progress(20, streak=(1, 30, 45)))
    fresh = progress(20, name=None, streak=(0, 30, 45))
    assert caption(content, "en", fresh).startswith("Your last 4 weeks: checked in on 7 of the last 7 days")
    assert "day 1 of a new streak (longest 30 days)" in caption(content, "en", fresh)
    assert "新一段清醒嘅第 1 日（最長 30 日）" in caption(content, "zh-HK", fresh)


def test_a_sparse_month_gets_encouragement_not_a_count_of_missed_days(content):
    p = progress(2)
    en = caption(content, "en", p)
    assert en == ("Ken's last 4 weeks: streak 12 days (longest 30 days); 45 days sober in all. "
                  "Every check-in counts: your picture fills in as you go.")
    assert "of 28" not in en and "miss" not in en
    assert caption(content, "zh-HK", p) == (
        "Ken 過去 4 個星期：連續清醒 12 日（最長 30 日）；累計清醒 45 日。每一次報到都算數：你報到得越多，呢幅圖就越完整。")


def test_nothing_yet_and_no_sobriety_date_is_one_encouraging_line(content):
    empty = progress(0, name=None, streak=(0, 0, 0))
    assert caption(content, "en", empty) == (
        "Your last 4 weeks: every check-in counts, and your picture fills in as you go.")
    assert caption(content, "zh-HK", empty) == "你過去 4 個星期：每一次報到都算數，你報到得越多，呢幅圖就越完整。"
    no_date = progress(20, streak=(0, 0, 0), week=5)
    assert caption(content, "en", no_date) == (
        "Ken's last 4 weeks: checked in on 5 of the last 7 days and 20 of 28. Every check-in counts.")
    assert "\n" not in caption(content, "zh-HK", no_date)



def test_the_brief_figures_for_a_caption_match_the_whole_month(rt, clock, content):
    """The weekly pass writes captions from two counts; they must say what the picture will show."""
    from handlers.progress import brief

    now = clock()
    with Session(rt.db) as session:
        ken = add_client(session, now, sobriety_start=ago(60), streak_start=ago(12), banked_sober_days=33,
                         longest_streak_days=30)
        for n in range(0, DAYS + 3):
            add_checkin(session, ken, ago(n), mood=3, craving=2, answered=n % 4 != 1)
        mei = add_client(session, now, name=None, sobriety_start=ago(5))
        add_checkin(session, mei, ago(1), mood=4, craving=2)
        session.commit()
        for person_id in (ken, mei):
            whole, short = load(session, person_id, now), brief(session, person_id, now)
            assert short.days == [] and len(whole.days) == DAYS
            for field in ("name", "today", "current_streak", "longest_streak", "total_sober_days",
                          "answered_week", "answered_month"):
                assert getattr(short, field) == getattr(whole, field), (person_id, field)
            for locale in ("en", "zh-HK"):
                assert caption(content, locale, short) == caption(content, locale, whole)
