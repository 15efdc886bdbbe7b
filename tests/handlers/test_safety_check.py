"""The safety check: a message in the unsure middle gets the numbers and "Are you safe right now?" together."""

import pytest

from data.models import Escalation, EscalationStep
from handlers.flows.crisis import SAFETY_CHECK_TIMEOUT
from handlers.safety import CrisisKind
from tests.handlers.conftest import set_locale
from tests.scheduler.conftest import outbox_for

UNSURE = "everything feels pointless lately"


def _steps(client) -> list[str]:
    from sqlmodel import Session, col, select

    with Session(client.rt.db) as session:
        return list(session.exec(
            select(EscalationStep.step).join(Escalation, col(Escalation.id) == EscalationStep.escalation_id)
            .where(Escalation.client_id == client.person().id).order_by(col(EscalationStep.id))))


def test_the_numbers_and_the_question_come_in_one_reply_with_three_buttons(client, clinician, triage, rt):
    triage.check(UNSURE)
    client.send(UNSURE)
    (message,) = client.last
    assert "999" in message.text and "2896 0000" in message.text and "Are you safe right now?" in message.text
    assert [o["label"] for o in message.options] == ["I'm safe", "I'm not safe", "Not sure"]
    assert "care team" not in message.text  # nobody has been told yet
    assert outbox_for(rt, clinician.id) == []
    (esc,) = client.rows(Escalation)
    assert (esc.kind, esc.reason, esc.priority, esc.status) == ("safety_check", "suicide", "normal", "open")
    assert esc.next_step_at == rt.clock() + SAFETY_CHECK_TIMEOUT


def test_safe_gets_support_and_a_coping_offer_and_the_clinician_a_note_that_is_not_urgent(client, clinician,
                                                                                         triage, rt):
    client.send(triage.check(UNSURE))
    reply = client.tap("I'm safe")
    assert "glad you're safe" in reply and "Would one of these help right now?" in reply
    assert set(client.labels) >= {"A grounding exercise", "Log a craving", "Reach out to someone", "Not now"}
    (note,) = outbox_for(rt, clinician.id)
    assert note.priority == "normal" and "not urgent" in note.text and "said they are safe" in note.text
    assert "Ken" in note.text and note.options == []
    (esc,) = client.rows(Escalation)
    assert (esc.status, esc.next_step_at) == ("resolved", None)


def test_the_coping_offer_leads_somewhere(client, triage):
    client.send(triage.check(UNSURE))
    client.tap("I'm safe")
    assert "Breathe in for 4" in client.tap("A grounding exercise")
    client.send(triage.check(UNSURE))
    client.tap("I'm safe")
    client.tap("Log a craving")
    assert client.state().flow == "craving"


@pytest.mark.parametrize(("answer", "said"), [("I'm not safe", "said they are not safe"),
                                              ("Not sure", "said they are not sure")])
def test_not_safe_or_not_sure_takes_the_crisis_path_at_once(client, clinician, triage, rt, answer, said):
    client.send(triage.check(UNSURE))
    reply = client.tap(answer)
    assert "call 999 now" in reply and "care team at Harbour Clinic" in reply
    assert "Are you safe right now?" in reply  # then asked again, as after any crisis
    (alert,) = outbox_for(rt, clinician.id)
    assert alert.priority == "urgent" and "URGENT: Ken" in alert.text and said in alert.text
    assert alert.options[0]["payload"].startswith("ack:")
    (esc,) = client.rows(Escalation)
    assert (esc.kind, esc.priority, esc.status) == ("crisis", "urgent", "open")


def test_not_sure_is_said_kindly(client, triage):
    client.send(triage.check(UNSURE))
    assert "Thank you for being honest" in client.tap("Not sure")


@pytest.mark.parametrize(("typed", "outcome"), [
    ("yes", "safe"), ("safe", "safe"), ("安全", "safe"), ("我安全", "safe"),
    ("no", "not_safe"), ("not safe", "not_safe"), ("唔安全", "not_safe"),
    ("not sure", "not_sure"), ("I don't know", "not_sure"), ("唔知", "not_sure"), ("3", "not_sure"),
])
def test_typed_answers_work(client, clinician, triage, rt, typed, outcome):
    client.send(triage.check(UNSURE))
    client.send(typed)
    assert f"check_{outcome}" in _steps(client)
    urgent = [m for m in outbox_for(rt, clinician.id) if m.priority == "urgent"]
    assert len(urgent) == (0 if outcome == "safe" else 1)


@pytest.mark.parametrize("unclear", ["ok", "k", "fine", "whatever"])
def test_an_unclear_answer_is_asked_again_and_the_deadline_stands(client, clinician, triage, rt, unclear):
    client.send(triage.check(UNSURE))
    reply = client.send(unclear)
    assert "ask once more" in reply and "Are you safe right now?" in reply
    assert client.labels == ["I'm safe", "I'm not safe", "Not sure"]
    assert outbox_for(rt, clinician.id) == []
    (esc,) = client.rows(Escalation)
    assert (esc.kind, esc.status) == ("safety_check", "open")


def test_in_cantonese(client, clinician, triage, rt):
    set_locale(rt, client.person().id, "zh-HK")
    client.send(triage.check("最近覺得乜都冇意思"))
    (message,) = client.last
    assert "你而家安唔安全？" in message.text and "2389 2222" in message.text
    assert [o["label"] for o in message.options] == ["我安全", "我唔安全", "唔肯定"]
    reply = client.send("唔肯定")
    assert "打 999" in reply and "醫護團隊" in reply


def test_a_crisis_message_during_a_check_takes_over_without_a_second_alert(client, clinician, triage, rt):
    client.send(triage.check(UNSURE))
    client.send("I want to kill myself")
    assert len(outbox_for(rt, clinician.id)) == 1
    check, crisis = client.rows(Escalation)
    assert (check.kind, check.status) == ("safety_check", "resolved")
    assert crisis.kind == "crisis"


def test_before_consent_nothing_is_stored_and_safe_goes_on_to_consent(chat, triage):
    reply = chat.send(triage.check(UNSURE, CrisisKind.SELF_HARM))
    assert "Are you safe right now?" in reply and "999" in reply
    assert chat.rows(Escalation) == []
    chat.tap("I'm safe")
    assert "Is that okay with you?" in chat.last[-1].text


def test_a_button_press_is_never_read_for_danger(client, triage):
    client.send(triage.check(UNSURE))
    triage.check("I'm safe")  # even a label the check would flag: a tapped button is an answer
    assert "glad you're safe" in client.tap("I'm safe")


def test_a_check_soon_after_a_crisis_adds_no_deadline_and_says_what_is_true(client, clinician, triage, rt):
    client.send("I want to kill myself")
    client.tap("I'm safe")
    client.send(triage.check(UNSURE))
    assert [e.kind for e in client.rows(Escalation)] == ["crisis"]  # the clinician already has the alert
    reply = client.tap("I'm not safe")
    assert "care team at Harbour Clinic" in reply
    assert len(outbox_for(rt, clinician.id)) == 1
