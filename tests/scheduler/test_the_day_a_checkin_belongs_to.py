"""The day a check-in belongs to: after downtime the bot prompts for today, never a stale day, and an
answer after local midnight belongs to the day that was asked about."""

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from data.models import CheckIn, Escalation
from tests.scheduler.conftest import outbox_for, tick

PROMPT = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # 21:00 on 2 March in Hong Kong, the client's check-in time


def _rows(rt, pid):
    with Session(rt.db) as session:
        checkins = {c.local_date: c for c in session.exec(select(CheckIn).where(CheckIn.client_id == pid))}
        escalations = list(session.exec(select(Escalation).where(Escalation.client_id == pid)
                                        .order_by(col(Escalation.id))))
    return checkins, escalations


def test_after_two_days_down_the_bot_prompts_for_today_and_never_escalates_the_missed_days(client, rt):
    pid = client.person().id
    tick(rt, PROMPT - timedelta(hours=1))  # the last pass before the outage
    back = PROMPT + timedelta(days=2)  # the scheduler comes back at 21:00 on 4 March
    assert tick(rt, back).prompts == 1
    checkins, escalations = _rows(rt, pid)
    assert checkins[date(2026, 3, 4)].prompted_at == back  # today, not 2 March
    assert checkins[date(2026, 3, 2)].prompted_at is None and checkins[date(2026, 3, 3)].prompted_at is None
    assert [e.reason for e in escalations] == ["2026-03-04"]
    for hours in (1, 3, 24):
        tick(rt, back + timedelta(hours=hours))
    _, escalations = _rows(rt, pid)
    assert {e.reason for e in escalations} <= {"2026-03-04", "2026-03-05"}  # the missed days never climb
    prompts = [m for m in outbox_for(rt, pid) if m.kind == "prompt"]
    assert [m.idempotency_key for m in prompts] == [f"prompt:{pid}:2026-03-04", f"prompt:{pid}:2026-03-05"]


def test_back_in_the_morning_the_bot_waits_for_todays_time(client, rt):
    pid = client.person().id
    tick(rt, PROMPT - timedelta(hours=1))
    morning = PROMPT + timedelta(hours=13)  # 10:00 on 3 March: 2 March's 21:00 passed while down
    assert tick(rt, morning).prompts == 0
    checkins, escalations = _rows(rt, pid)
    assert checkins[date(2026, 3, 2)].prompted_at is None and escalations == []
    assert tick(rt, PROMPT + timedelta(days=1)).prompts == 1  # 21:00 on 3 March, as usual


def test_an_answer_after_midnight_belongs_to_the_prompted_day_and_the_next_evening_is_prompted(client, rt):
    pid = client.person().id
    tick(rt, PROMPT)
    tick(rt, PROMPT + timedelta(hours=1))  # the reminder at 22:00
    rt.clock.now = PROMPT + timedelta(hours=3, minutes=30)  # 00:30 on 3 March
    client.send("/checkin")  # typed, or the reminder's button: the same rule
    for answer in ("3", "2", "no", "skip"):
        client.send(answer)
    checkins, escalations = _rows(rt, pid)
    assert checkins[date(2026, 3, 2)].answered_at is not None and date(2026, 3, 3) not in checkins
    assert escalations[0].status == "resolved"
    assert tick(rt, PROMPT + timedelta(days=1)).prompts == 1  # 3 March's prompt goes out
    checkins, _ = _rows(rt, pid)
    assert checkins[date(2026, 3, 3)].prompted_at == PROMPT + timedelta(days=1)


def test_after_the_next_prompt_time_an_answer_is_for_the_new_day(client, rt):
    pid = client.person().id
    tick(rt, PROMPT)
    rt.clock.now = PROMPT + timedelta(days=1, minutes=5)  # 21:05 on 3 March, before the pass runs
    client.send("/checkin")
    for answer in ("3", "2", "no", "skip"):
        client.send(answer)
    checkins, _ = _rows(rt, pid)
    assert checkins[date(2026, 3, 3)].answered_at is not None and checkins[date(2026, 3, 2)].answered_at is None
