"""No alert floods: many missed check-ins reaching one clinician at once become one message; crises never wait;
the alert carries the same risk signals as the dashboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from data.models import ClientProfile, Escalation, EscalationStep, Slip
from tests.chat import Chat
from tests.scheduler.conftest import outbox_for, tick

PROMPT = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # 21:00 in Hong Kong


def clients_of(rt, clinician, count: int) -> list[Chat]:
    people = []
    for n in range(count):
        chat = Chat(rt, address=f"client-{n}")
        chat.onboard(name=f"Client{n:02d}")
        with Session(rt.db) as session:
            session.get(ClientProfile, chat.person().id).clinician_id = clinician.id
            session.commit()
        people.append(chat)
    return people


def test_many_missed_checkins_reach_a_clinician_as_one_message_with_the_way_to_the_queue(rt, clinician, sender):
    rt.dashboard_url = "https://bot.example.org/dashboard"
    people = clients_of(rt, clinician, 6)
    for at in (PROMPT, PROMPT + timedelta(hours=1), PROMPT + timedelta(hours=3), PROMPT + timedelta(hours=24)):
        tick(rt, at, sender)
    to_her = [m for m in outbox_for(rt, clinician.id) if m.kind in ("alert", "private")]
    assert len(to_her) == 1 and to_her[0].text == "[removed once sent]"  # names many clients: not kept
    (digest,) = [m for m in sender.sent if m.person_id == clinician.id]  # as she read it
    assert "6 clients missed their check-in" in digest.text
    assert all(f"Client{n:02d}" in digest.text for n in range(6))
    assert "https://bot.example.org/dashboard" in digest.text
    with Session(rt.db) as session:  # each client's escalation still reached her, to be acknowledged on its own
        alerted = session.exec(select(EscalationStep.escalation_id).where(
            EscalationStep.step == "clinician_alert", EscalationStep.recipient_id == clinician.id)).all()
    assert len(set(alerted)) == len(people)


def test_a_few_missed_checkins_still_come_one_by_one_with_their_buttons(rt, clinician, sender):
    clients_of(rt, clinician, rt.ladder.digest_at - 1)
    for at in (PROMPT, PROMPT + timedelta(hours=24)):
        tick(rt, at, sender)
    alerts = [m for m in outbox_for(rt, clinician.id) if m.kind == "alert"]
    assert len(alerts) == rt.ladder.digest_at - 1
    assert all(m.options and m.options[0]["label"].startswith("Acknowledge") for m in alerts)


def test_a_crisis_goes_alone_and_at_once_even_on_a_busy_evening(rt, clinician, sender):
    people = clients_of(rt, clinician, 6)
    tick(rt, PROMPT, sender)
    tick(rt, PROMPT + timedelta(hours=24) - timedelta(minutes=1), sender)
    people[0].send("I want to end my life tonight")
    urgent = [m for m in outbox_for(rt, clinician.id) if m.kind == "alert" and m.priority == "urgent"]
    assert len(urgent) == 1 and "Client00" in urgent[0].text
    tick(rt, PROMPT + timedelta(hours=24), sender)
    assert len([m for m in outbox_for(rt, clinician.id) if m.kind == "private"]) == 1  # the digest, later


def test_the_chat_alert_names_the_risk_signals_the_dashboard_shows(client, rt, clinician, sender):
    with Session(rt.db) as session:
        session.add(Slip(client_id=client.person().id, occurred_on=PROMPT.date() - timedelta(days=2),
                         reported_at=PROMPT - timedelta(days=2)))
        session.commit()
    for at in (PROMPT, PROMPT + timedelta(hours=24)):
        tick(rt, at, sender)
    (alert,) = [m for m in outbox_for(rt, clinician.id) if m.kind == "alert"]
    assert "Risk signals: a slip 3 days ago." in alert.text, alert.text
    with Session(rt.db) as session:
        assert session.exec(select(Escalation).where(col(Escalation.client_id) == client.person().id)).first()
