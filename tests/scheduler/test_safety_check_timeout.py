"""An unanswered safety check: after 15 minutes the crisis path, from the database, exactly once."""

import logging
import threading
from datetime import datetime, timedelta

import pytest
from sqlmodel import Session

from data.models import ClientProfile, Escalation
from handlers.delivery import enqueue
from handlers.flows import crisis
from handlers.types import Runtime
from scheduler import ladder
from tests.handlers.conftest import Triage
from tests.scheduler.conftest import outbox_for, tick

UNSURE = "everything feels pointless lately"


def _ask(client, monkeypatch) -> datetime:
    from handlers import dispatch

    triage = Triage()
    monkeypatch.setattr(dispatch, "check_safety", triage)
    client.send(triage.check(UNSURE))
    return client.rt.clock()


def _urgent(rt, person_id):
    return [m for m in outbox_for(rt, person_id) if m.priority == "urgent"]


def _guidance(rt, client):
    return [m for m in outbox_for(rt, client.person().id) if m.kind == "crisis"]


def test_answered_at_14_minutes_no_urgent_alert(client, rt, clinician, sender, monkeypatch):
    asked = _ask(client, monkeypatch)
    rt.clock.now = asked + timedelta(minutes=14)
    client.tap("I'm safe")
    for minutes in (15, 16, 60):
        tick(rt, asked + timedelta(minutes=minutes), sender)
    assert _urgent(rt, clinician.id) == []
    assert [m.priority for m in outbox_for(rt, clinician.id)] == ["normal"]
    assert _guidance(rt, client) == []


def test_unanswered_at_15_minutes_urgent_alert_exactly_once(client, rt, clinician, sender, monkeypatch):
    asked = _ask(client, monkeypatch)
    tick(rt, asked + timedelta(minutes=14, seconds=59), sender)
    assert outbox_for(rt, clinician.id) == []
    tick(rt, asked + timedelta(minutes=15), sender)
    tick(rt, asked + timedelta(minutes=15), sender)  # the same pass twice, or a second instance
    tick(rt, asked + timedelta(minutes=16), sender)
    (alert,) = _urgent(rt, clinician.id)
    assert "URGENT: Ken" in alert.text and "have not answered for 15 minutes" in alert.text
    assert "message at 10:00" in alert.text  # when the message came, not when the pass ran
    (guidance,) = _guidance(rt, client)
    assert guidance.priority == "urgent" and "haven't heard back" in guidance.text
    assert "call 999 now" in guidance.text and "care team at Harbour Clinic" in guidance.text
    (esc,) = client.rows(Escalation)
    assert (esc.kind, esc.priority, esc.status) == ("crisis", "urgent", "open")


def test_a_pass_that_runs_late_still_escalates(client, rt, clinician, sender, monkeypatch):
    asked = _ask(client, monkeypatch)
    tick(rt, asked + timedelta(hours=3), sender)
    (alert,) = _urgent(rt, clinician.id)
    assert "message at 10:00" in alert.text
    assert len(_guidance(rt, client)) == 1


def test_the_deadline_survives_a_restart(client, rt, clinician, sender, monkeypatch, content):
    asked = _ask(client, monkeypatch)
    restarted = Runtime(db=rt.db, content=content, clock=rt.clock, clinic=rt.clinic)  # nothing held in memory
    tick(restarted, asked + timedelta(minutes=15), sender)
    assert len(_urgent(rt, clinician.id)) == 1


def test_quiet_hours_never_hold_the_timeout(client, rt, clinician, sender, monkeypatch):
    with Session(rt.db) as session:
        profile = session.get(ClientProfile, client.person().id)
        profile.quiet_start, profile.quiet_end = datetime.min.time(), datetime.max.time().replace(microsecond=0)
        session.add(profile)
        session.commit()
    asked = _ask(client, monkeypatch)
    at = asked + timedelta(minutes=15)
    tick(rt, at)
    (alert,) = _urgent(rt, clinician.id)
    (guidance,) = _guidance(rt, client)
    assert alert.due_at == at and guidance.due_at == at


def test_then_a_late_safe_tells_the_clinician_without_another_alert(client, rt, clinician, sender, monkeypatch):
    asked = _ask(client, monkeypatch)
    tick(rt, asked + timedelta(minutes=15), sender)
    rt.clock.now = asked + timedelta(minutes=20)
    assert "glad you're safe" in client.tap("I'm safe")
    urgent, update = outbox_for(rt, clinician.id)
    assert urgent.priority == "urgent"
    assert update.priority == "normal" and "since said they are safe" in update.text


def test_then_a_late_not_safe_adds_no_second_alert(client, rt, clinician, sender, monkeypatch):
    asked = _ask(client, monkeypatch)
    tick(rt, asked + timedelta(minutes=15), sender)
    rt.clock.now = asked + timedelta(minutes=20)
    reply = client.tap("I'm not safe")
    assert "call 999 now" in reply and "care team" in reply
    assert len(_urgent(rt, clinician.id)) == 1


def test_unanswered_with_no_clinician_gives_the_numbers_and_tells_the_operator(client, rt, monkeypatch, caplog):
    asked = _ask(client, monkeypatch)
    with caplog.at_level(logging.WARNING):
        tick(rt, asked + timedelta(minutes=15))
    (guidance,) = _guidance(rt, client)
    assert "call 999 now" in guidance.text and "care team" not in guidance.text
    assert any("no clinician can receive crisis alerts" in r.getMessage() and r.levelno >= logging.WARNING
               for r in caplog.records)
    assert not any("Ken" in r.getMessage() or "pointless" in r.getMessage() for r in caplog.records)


def test_unanswered_the_alert_is_then_resent_like_any_crisis(client, rt, clinician, sender, monkeypatch):
    asked = _ask(client, monkeypatch)
    tick(rt, asked + timedelta(minutes=15), sender)
    tick(rt, asked + timedelta(minutes=30), sender)
    first, again = _urgent(rt, clinician.id)
    assert "STILL URGENT" in again.text and "message at 10:00" in again.text



# -- many instances (PostgreSQL row locks) -----------------------------------------------------------------------
def _pg_only(rt) -> None:
    if rt.db.dialect.name != "postgresql":
        pytest.skip("about PostgreSQL row locks, which SQLite does not have (it has one writer)")


def test_a_pass_skips_a_check_whose_answer_is_being_handled(client, rt, clinician, sender, monkeypatch):
    _pg_only(rt)
    asked = _ask(client, monkeypatch)
    (esc,) = client.rows(Escalation)
    with Session(rt.db) as answering:  # another instance, in the middle of handling "I'm safe"
        answering.get(Escalation, esc.id, with_for_update=True)
        assert ladder.climb(rt, asked + timedelta(minutes=15)) == 0
    rt.clock.now = asked + timedelta(minutes=15)
    client.tap("I'm safe")
    tick(rt, asked + timedelta(minutes=16), sender)
    assert _urgent(rt, clinician.id) == []


def test_an_answer_waits_for_a_pass_that_is_raising_the_check(client, rt, clinician, monkeypatch):
    _pg_only(rt)
    asked = _ask(client, monkeypatch)
    (esc,) = client.rows(Escalation)
    now = asked + timedelta(minutes=15)
    rt.clock.now = now
    with Session(rt.db) as passing:  # another instance's pass, not yet committed
        row = passing.get(Escalation, esc.id, with_for_update=True)
        for message in crisis.expire_check(passing, rt, row, now):
            enqueue(passing, [(message, message.idempotency_key)], now=now)
        answer = threading.Thread(target=client.tap, args=("I'm safe",))
        answer.start()
        answer.join(0.5)
        assert answer.is_alive()  # held until the pass commits
        passing.commit()
    answer.join(30)
    assert not answer.is_alive()
    urgent, update = outbox_for(rt, clinician.id)
    assert urgent.priority == "urgent" and "since said they are safe" in update.text
