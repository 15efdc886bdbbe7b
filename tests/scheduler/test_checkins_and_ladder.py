"""Daily prompts at local time, the escalation ladder, crisis alerts, follow-ups and weekly summaries."""

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from data.models import CheckIn, ClientProfile, Craving, Escalation, EscalationStep
from tests.scheduler.conftest import add_partner, add_person, outbox_for, tick

PROMPT = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # 21:00 in Hong Kong, the client's check-in time


def steps(rt, client_id: int) -> list[tuple[str, str | None, datetime]]:
    with Session(rt.db) as session:
        rows = session.exec(
            select(EscalationStep, Escalation).join(Escalation, col(Escalation.id) == EscalationStep.escalation_id)
            .where(Escalation.client_id == client_id).order_by(col(EscalationStep.id))).all()
        names = {}
        for step, _ in rows:
            if step.recipient_id:
                from data.models import Person
                names[step.recipient_id] = session.get(Person, step.recipient_id).display_name
        return [(s.step, names.get(s.recipient_id), s.at) for s, _ in rows]


def test_prompt_goes_out_once_at_local_time_and_opens_the_checkin(client, rt):
    pid = client.person().id
    assert tick(rt, PROMPT - timedelta(minutes=1)).prompts == 0
    assert tick(rt, PROMPT).prompts == 1
    assert tick(rt, PROMPT + timedelta(minutes=5)).prompts == 0  # a repeated pass prompts nobody twice
    (prompt,) = [m for m in outbox_for(rt, pid) if m.kind == "prompt"]
    assert prompt.template_key == "daily_prompt" and "today's check-in" in prompt.text
    assert [o["label"] for o in prompt.options][0] == "1 · Very low"
    (row,) = client.rows(CheckIn)
    assert (row.local_date, row.prompted_at) == (date(2026, 3, 2), PROMPT)
    assert client.profile().next_prompt_at == PROMPT + timedelta(days=1)
    client.seen = prompt.id
    client.send("Good", payload="mood:4")  # the prompt's own button
    client.send("2")
    client.tap("No")
    client.tap("Skip")
    assert client.rows(CheckIn)[0].mood == 4 and client.rows(CheckIn)[0].answered_at is not None


def test_the_prompt_opens_the_same_question_the_checkin_flow_asks_itself(client, rt):
    """The planner writes no step names or payloads of its own: the state after the prompt is the state after
    the client types /checkin (the flow exports how a prompt opens), buttons and all."""
    tick(rt, PROMPT)
    prompted = client.state()
    prompt = [m for m in outbox_for(rt, client.person().id) if m.kind == "prompt"][0]
    client.send("/checkin")  # the same question, put by the flow itself
    asked = client.state()
    assert (prompted.flow, prompted.step) == (asked.flow, asked.step) == ("checkin", "mood")
    assert prompted.data == asked.data  # the same check-in, the same remembered buttons
    assert [[o["label"], o["payload"]] for o in prompt.options] == asked.data["_opts"]


def test_a_client_mid_conversation_gets_a_button_instead_of_a_hijacked_flow(client, rt):
    client.send("/craving")
    tick(rt, PROMPT)
    prompt = [m for m in outbox_for(rt, client.person().id) if m.kind == "prompt"][0]
    assert prompt.options == [{"label": "Check in", "payload": "cmd:checkin"}]
    assert client.state().flow == "craving"


def test_paused_clients_are_not_prompted_until_the_pause_ends(client, rt, clock):
    client.send("/settings")
    client.tap("Pause")
    client.tap("3 day")  # paused until 2026-03-05
    for day in range(3):
        assert tick(rt, PROMPT + timedelta(days=day)).prompts == 0
    assert tick(rt, PROMPT + timedelta(days=3)).prompts == 1


def test_quiet_hours_hold_the_prompt_until_they_end(client, rt):
    client.send("/settings")
    client.tap("Quiet hours")
    client.send("20:30-07:00")
    tick(rt, PROMPT)
    prompt = [m for m in outbox_for(rt, client.person().id) if m.kind == "prompt"][0]
    morning = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)  # 07:00 in Hong Kong
    assert prompt.due_at == morning
    tick(rt, PROMPT + timedelta(hours=2))  # no reminder for a prompt nobody could have read yet
    assert [m.kind for m in outbox_for(rt, client.person().id)].count("reminder") == 0
    tick(rt, morning + timedelta(hours=1))
    assert [m.kind for m in outbox_for(rt, client.person().id)].count("reminder") == 1


def test_the_whole_ladder_then_acknowledgment_then_all_clear(client, rt, clinician, sender):
    pid = client.person().id
    partner = add_partner(rt, pid)
    tick(rt, PROMPT, sender)
    tick(rt, PROMPT + timedelta(minutes=59), sender)
    assert steps(rt, pid) == []
    tick(rt, PROMPT + timedelta(hours=1), sender)
    assert [s[:2] for s in steps(rt, pid)] == [("reminder", "Ken")]
    tick(rt, PROMPT + timedelta(hours=3), sender)
    nudge = outbox_for(rt, partner.id)[-1]
    assert "Ken hasn't done today's check-in" in nudge.text
    assert "craving" not in nudge.text.lower() and "slip" not in nudge.text.lower()
    tick(rt, PROMPT + timedelta(hours=24), sender)
    alert = outbox_for(rt, clinician.id)[-1]
    assert "Missed check-in: Ken" in alert.text and "Partners nudged: Mum" in alert.text
    assert alert.options[0]["label"].startswith("Acknowledge")
    assert [s[:2] for s in steps(rt, pid)] == [
        ("reminder", "Ken"), ("partner_nudge", "Mum"), ("clinician_alert", "Dr Chan")]
    assert [s[2] for s in steps(rt, pid)] == [PROMPT + timedelta(hours=h) for h in (1, 3, 24)]

    from tests.chat import Chat

    doctor = Chat(rt, address="clinician-1")
    doctor.seen = alert.id
    assert "You've got Ken" in doctor.send("Acknowledge", payload=alert.options[0]["payload"])
    assert "already acknowledged by Dr Chan" in doctor.send("Acknowledge", payload=alert.options[0]["payload"])
    tick(rt, PROMPT + timedelta(hours=30), sender)
    assert len([m for m in outbox_for(rt, clinician.id) if m.kind == "alert"]) == 1  # no more alerts

    client.send("/checkin")  # the next day's check-in, answered
    client.send("3")
    client.send("2")
    client.tap("No")
    client.tap("Skip")
    assert "Ken has checked in" in outbox_for(rt, partner.id)[-1].text
    assert "All clear: Ken" in outbox_for(rt, clinician.id)[-1].text
    names = [s[0] for s in steps(rt, pid)]
    assert "acknowledged" in names and names[-2:] == ["all_clear", "all_clear"]  # one each, not one per day


def test_answering_in_time_stops_the_ladder_quietly(client, rt, clinician, sender):
    pid = client.person().id
    partner = add_partner(rt, pid)
    tick(rt, PROMPT, sender)
    tick(rt, PROMPT + timedelta(hours=1), sender)  # reminder only
    client.send("/checkin")
    client.send("4")
    client.send("0")
    client.tap("No")
    client.tap("Skip")
    tick(rt, PROMPT + timedelta(hours=23), sender)
    assert outbox_for(rt, partner.id) == [] and outbox_for(rt, clinician.id) == []
    with Session(rt.db) as session:
        assert session.exec(select(Escalation)).one().status == "resolved"


def test_a_second_missed_day_alerts_the_clinician(client, rt, clinician, sender):
    tick(rt, PROMPT, sender)
    tick(rt, PROMPT + timedelta(hours=3), sender)
    with Session(rt.db) as session:  # make the alert threshold longer than a day
        assert session.exec(select(Escalation)).one().level == 2
    from dataclasses import replace
    rt.ladder = replace(rt.ladder, clinician_alert_after=timedelta(hours=36))
    tick(rt, PROMPT + timedelta(days=1), sender)  # the next prompt: a second day missed
    tick(rt, PROMPT + timedelta(days=1, seconds=1), sender)
    assert any("Missed check-in: Ken" in m.text for m in outbox_for(rt, clinician.id))


def test_crisis_alerts_the_clinician_at_once_even_in_quiet_hours_then_resends(client, rt, clinician, sender):
    backup = add_person(rt, role="clinician", name="Dr Wong", address="clinician-2")
    with Session(rt.db) as session:
        profile = session.get(ClientProfile, client.person().id)
        profile.clinician_id, profile.backup_clinician_id = clinician.id, backup.id
        profile.quiet_start, profile.quiet_end = datetime.min.time(), datetime.max.time().replace(microsecond=0)
        session.add(profile)
        session.commit()
    client.send("I want to kill myself")
    (alert,) = outbox_for(rt, clinician.id)
    assert alert.priority == "urgent" and alert.due_at == rt.clock() and "URGENT: Ken" in alert.text
    assert outbox_for(rt, backup.id) == []
    start = rt.clock()
    tick(rt, start + timedelta(minutes=14), sender)
    assert len(outbox_for(rt, clinician.id)) == 1
    tick(rt, start + timedelta(minutes=15), sender)
    assert "STILL URGENT" in outbox_for(rt, clinician.id)[-1].text
    assert "STILL URGENT" in outbox_for(rt, backup.id)[-1].text
    from tests.chat import Chat

    Chat(rt, address="clinician-2").send("Acknowledge", payload=outbox_for(rt, backup.id)[-1].options[0]["payload"])
    tick(rt, start + timedelta(minutes=45), sender)
    assert len(outbox_for(rt, clinician.id)) == 2  # acknowledged: nothing more


def test_craving_follow_ups_at_20_and_60_minutes_unless_answered(client, rt, sender):
    client.send("/craving")
    client.send("6")
    logged = rt.clock()
    pid = client.person().id
    assert tick(rt, logged + timedelta(minutes=19)).followups == 0
    assert tick(rt, logged + timedelta(minutes=20)).followups == 1
    assert tick(rt, logged + timedelta(minutes=21)).followups == 0
    assert tick(rt, logged + timedelta(minutes=60)).followups == 1
    ask = [m for m in outbox_for(rt, pid) if m.kind == "followup"][-1]
    assert "60 minutes ago" in ask.text and [o["label"] for o in ask.options] == ["It passed", "Still strong", "I used"]
    client.seen = ask.id
    assert "Well done" in client.send("It passed", payload=ask.options[0]["payload"])
    assert client.rows(Craving)[0].followup_outcome == "passed"
    assert tick(rt, logged + timedelta(hours=5)).followups == 0


def test_answering_the_craving_in_the_flow_cancels_follow_ups(client, rt):
    client.send("/craving")
    client.send("6")
    client.tap("Done")
    client.tap("Skip")
    client.tap("Skip")
    client.tap("Ride the wave")
    client.tap("It passed")
    assert tick(rt, rt.clock() + timedelta(minutes=20)).followups == 0


def test_weekly_summary_on_sunday_evening(client, rt):
    client.send("/checkin")
    client.send("4")
    client.send("5")
    client.tap("No")
    client.tap("Skip")
    sunday = datetime(2026, 3, 8, 11, 0, tzinfo=UTC)  # 19:00 Sunday in Hong Kong
    assert tick(rt, sunday - timedelta(minutes=1)).summaries == 0
    assert tick(rt, sunday).summaries == 1
    assert tick(rt, sunday + timedelta(hours=1)).summaries == 0
    summary = [m for m in outbox_for(rt, client.person().id) if m.kind == "summary"][0]
    assert "Check-ins: 1 of 7" in summary.text and "longest: 36" in summary.text
    assert summary.template_key == "weekly_summary"


import pytest  # noqa: E402


@pytest.mark.parametrize("typed", ["ack", "1", "got it", "收到"])
def test_a_clinician_can_acknowledge_by_typing(client, rt, clinician, sender, typed):
    from tests.chat import Chat

    pid = client.person().id
    doctor = Chat(rt, address="clinician-1")
    assert "no open alert" in doctor.send(typed)  # nothing to acknowledge yet
    for hours in (0, 1, 3, 24):
        tick(rt, PROMPT + timedelta(hours=hours), sender)
    assert "You've got Ken" in doctor.send(typed)
    with Session(rt.db) as session:
        alerted = session.exec(select(Escalation).where(Escalation.client_id == pid, Escalation.level >= 3)).all()
        assert [(e.status, e.acknowledged_by) for e in alerted] == [("acknowledged", clinician.id)]
    assert "no open alert" in doctor.send(typed)


def test_a_late_follow_up_says_earlier_and_a_very_late_one_is_not_sent(client, rt):
    client.send("/craving")
    client.send("6")
    logged = rt.clock()
    pid = client.person().id
    # The service was down: the 20-minute follow-up's pass runs three hours late.
    assert tick(rt, logged + timedelta(hours=3)).followups == 1
    (ask,) = [m for m in outbox_for(rt, pid) if m.kind == "followup"]
    assert "earlier you logged a craving" in ask.text and "minutes ago" not in ask.text
    # And the 60-minute one, after a long outage, is dropped rather than asking about last night.
    assert tick(rt, logged + timedelta(hours=13)).followups == 0
    assert len([m for m in outbox_for(rt, pid) if m.kind == "followup"]) == 1
    assert client.rows(Craving)[0].followup_due_at is None
