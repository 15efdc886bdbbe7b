"""A crisis message skips everything: resources at once, an urgent escalation, and the flow can resume."""

import logging

import pytest
from sqlmodel import Session, select

from data.models import (
    ChannelAddress,
    ClientProfile,
    ConsentState,
    Escalation,
    Outbox,
    Role,
    SupportContact,
)
from handlers.escalation import alert_readiness
from handlers.flows.crisis import who_is_in_danger
from handlers.safety import CrisisKind
from tests.handlers.conftest import set_locale
from tests.scheduler.conftest import add_person, outbox_for


def test_crisis_mid_flow_gives_resources_escalates_and_resumes(client, clinician):
    client.send("/craving")
    client.send("8")
    reply = client.send("honestly I want to kill myself")
    assert "2896 0000" in reply and "999" in reply and "18111" in reply
    assert "Are you safe right now?" in reply
    assert "care team at Harbour Clinic" in reply
    (esc,) = client.rows(Escalation)
    assert (esc.kind, esc.reason, esc.priority, esc.status) == ("crisis", "suicide", "urgent", "open")
    client.tap("Help me get through this")
    assert "Breathe in for 4" in client.last[0].text
    client.tap("I'm safe")
    assert "carry on" in client.last[-1].text
    client.tap("Yes, carry on")
    assert "What set it off?" in client.last[-1].text  # back at the craving's trigger question


def test_overdose_reply_says_call_emergency_and_naloxone(client):
    reply = client.send("my friend took an overdose and won't wake up")
    assert reply.index("Call 999 now") < reply.index("2896 0000")
    assert "naloxone" in reply
    assert client.rows(Escalation)[0].reason == "overdose"


def test_repeated_crisis_messages_do_not_flood_the_clinician(client, clock):
    client.send("I want to kill myself")
    client.send("I want to kill myself")
    assert len(client.rows(Escalation)) == 1
    clock.advance(hours=2)
    client.send("I want to kill myself")
    assert len(client.rows(Escalation)) == 2


def test_not_safe_repeats_the_emergency_number(client):
    client.send("I want to kill myself")
    reply = client.tap("I'm not safe")
    assert "call 999 now" in reply
    assert "Are you safe right now?" in reply


def test_crisis_before_consent_gets_resources_but_stores_nothing(chat):
    reply = chat.send("I want to kill myself")
    assert "2896 0000" in reply
    assert chat.rows(Escalation) == []
    chat.tap("I'm safe")
    assert "Is that okay with you?" in chat.last[-1].text  # then on to consent, as for anyone new


def test_crisis_resources_follow_the_clients_region(client):
    client.send("/settings")
    client.tap("Time zone")
    client.send("New York")
    reply = client.send("I want to kill myself")
    assert "988" in reply and "911" in reply
    assert "2896 0000" not in reply


def test_crisis_replies_are_queued_in_the_outbox_in_order(client, rt):
    from sqlmodel import Session, col, select

    client.send("I want to kill myself")
    with Session(rt.db) as session:
        rows = session.exec(select(Outbox).order_by(col(Outbox.id).desc()).limit(4)).all()
    assert [r.status for r in rows] == ["pending"] * 4
    assert "Are you safe" in rows[0].text


# -- never promise what did not happen ------------------------------------------------------------------------
def test_without_a_clinician_the_care_team_is_not_promised_and_the_operator_is_told(client, caplog, triage):
    reply = client.send("I want to kill myself")
    assert "999" in reply and "2896 0000" in reply
    assert "care team" not in reply and "flagged" not in reply
    (esc,) = client.rows(Escalation)  # still recorded: a clinician who joins soon gets it (the ladder retries)
    assert esc.kind == "crisis"
    loud = [r for r in caplog.records if "no clinician can receive crisis alerts" in r.getMessage()]
    assert loud and all(r.levelno >= logging.WARNING for r in loud)
    assert not any("kill" in r.getMessage() or "Ken" in r.getMessage() for r in caplog.records)


def test_with_a_clinician_the_care_team_is_told_and_says_so(client, clinician, triage, rt):
    reply = client.send("I want to kill myself")
    assert "I've also flagged this to the care team at Harbour Clinic" in reply
    assert [m.priority for m in outbox_for(rt, clinician.id)] == ["urgent"]


def test_an_unreachable_clinician_is_not_counted_as_told(client, clinician, triage, rt):
    with Session(rt.db) as session:
        for address in session.exec(select(ChannelAddress).where(ChannelAddress.person_id == clinician.id)):
            address.unreachable_at = rt.clock()
            session.add(address)
        session.commit()
    assert "care team" not in client.send("I want to kill myself")
    assert outbox_for(rt, clinician.id) == []


def test_an_unreachable_assigned_clinician_falls_back_to_one_who_can_be_reached(client, clinician, triage, rt):
    away = add_person(rt, role=Role.clinician, name="Dr Away", address="clinician-away")
    with Session(rt.db) as session:
        profile = session.get(ClientProfile, client.person().id)
        profile.clinician_id = away.id
        session.add(profile)
        for address in session.exec(select(ChannelAddress).where(ChannelAddress.person_id == away.id)):
            address.opted_out_at = rt.clock()
            session.add(address)
        session.commit()
    assert "care team" in client.send("I want to kill myself")
    assert len(outbox_for(rt, clinician.id)) == 1


def test_alert_readiness_says_whether_any_clinician_can_receive_alerts(rt, caplog):
    with Session(rt.db) as session:
        assert alert_readiness(session) is False
    (record,) = [r for r in caplog.records if "no clinician can receive crisis alerts" in r.getMessage()]
    assert record.levelno >= logging.WARNING
    caplog.clear()
    add_person(rt, role=Role.clinician, name="Dr Chan", address="clinician-1")
    with Session(rt.db) as session:
        assert alert_readiness(session) is True
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# -- only a clear yes closes the crisis conversation ----------------------------------------------------------
@pytest.mark.parametrize("unclear", ["ok", "k", "fine", "whatever", "okay", "冇事"])
def test_an_unclear_answer_is_asked_again_kindly(client, triage, unclear):
    client.send("I want to kill myself")
    reply = client.send(unclear)
    assert "ask once more" in reply and "Are you safe right now?" in reply
    assert "I'm glad" not in reply
    assert (client.state().flow, client.state().step) == ("crisis", "safe")


@pytest.mark.parametrize("clear", ["I'm safe", "safe", "yes I'm safe", "Yes, I'm safe.", "yes", "安全", "我安全", "係"])
def test_a_clear_yes_closes_it(client, triage, clear):
    client.send("I want to kill myself")
    assert "I'm glad" in client.send(clear)
    assert client.state().flow != "crisis"


def test_the_safe_button_and_its_number_close_it(client, triage):
    client.send("I want to kill myself")
    assert "I'm glad" in client.tap("I'm safe")
    client.send("I want to kill myself")
    assert "I'm glad" in client.send("1")


def test_a_cantonese_client_is_asked_again_after_an_unclear_answer(client, triage, rt):
    set_locale(rt, client.person().id, "zh-HK")
    client.send("I want to kill myself")
    assert "再問多一次" in client.send("冇事")
    assert "我好高興" in client.send("我安全")


# -- who is in danger ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "who"), [
    ("took all my pills", "self"),
    ("I took all my pills", "self"),
    ("help me i took 30 pills", "self"),
    ("我食晒啲藥", "self"),
    ("my brother took all his pills", "other"),
    ("my friend took an overdose and won't wake up", "other"),
    ("I think my brother overdosed", "other"),
    ("she took too much", "other"),
    ("佢食晒啲藥", "other"),
    ("我朋友食咗好多藥", "other"),
    ("食晒啲藥", "unknown"),
    ("overdose", "unknown"),
])
def test_who_is_in_danger(text, who):
    assert who_is_in_danger(text) == who


def test_an_overdose_of_ones_own_gets_steps_for_oneself(client, triage):
    reply = client.send("took all my pills")
    assert "Call 999 now" in reply and "Unlock your door" in reply and "tell someone near you" in reply
    assert "Stay with the person" not in reply
    assert reply.index("Call 999 now") < reply.index("2896 0000")


def test_someone_elses_overdose_gets_the_bystander_steps(client, triage):
    reply = client.send("my brother took all his pills")
    assert "Call 999 now" in reply and "Stay with the person" in reply and "naloxone" in reply
    assert "Unlock your door" not in reply


def test_an_overdose_in_cantonese_tells_apart_who_took_it(client, triage, rt):
    set_locale(rt, client.person().id, "zh-HK")
    mine = triage.crisis("我食晒啲藥", CrisisKind.OVERDOSE)
    theirs = triage.crisis("佢食晒啲藥", CrisisKind.OVERDOSE)
    reply = client.send(mine)
    assert "打 999" in reply and "打開門鎖" in reply and "側躺" not in reply
    client.send("/menu")
    reply = client.send(theirs)
    assert "打 999" in reply and "側躺" in reply and "打開門鎖" not in reply


def test_an_unclear_overdose_gets_both_sets_of_steps(client, triage):
    reply = client.send(triage.crisis("overdose", CrisisKind.OVERDOSE))
    assert "Call 999 now" in reply and "If it's you" in reply and "If it's someone else" in reply


def test_an_overdose_message_gets_999_in_the_very_first_reply_before_onboarding(chat):
    reply = chat.send("I took all my pills")
    first = chat.last[0].text
    assert "Call 999 now" in first
    assert "Is that okay with you?" not in reply  # consent comes later
    assert chat.rows(Escalation) == []


# -- the client's own people on the "not safe" path ---------------------------------------------------------------
def _contact(rt, client_id, name, *, reach, partner, state):
    with Session(rt.db) as session:
        session.add(SupportContact(client_id=client_id, category="family_friends", name=name, reach=reach,
                                   is_partner=partner, consent_state=state, created_at=rt.clock()))
        session.commit()


def test_not_safe_offers_the_clients_accepted_partners_by_name_and_number(client, triage, rt):
    pid = client.person().id
    _contact(rt, pid, "Mum", reach="9123 4567", partner=True, state=ConsentState.accepted)
    _contact(rt, pid, "Ah Keung", reach="9876 5432", partner=True, state=ConsentState.invited)
    _contact(rt, pid, "Coach", reach="6000 0000", partner=False, state=ConsentState.none)
    _contact(rt, pid, "Sis", reach=None, partner=True, state=ConsentState.accepted)
    client.send("I want to kill myself")
    assert "9123 4567" not in "\n".join(m.text for m in client.last)  # only on the "not safe" path
    reply = client.tap("I'm not safe")
    assert "call 999 now" in reply and "Mum: 9123 4567" in reply
    assert "9876 5432" not in reply and "6000 0000" not in reply and "Sis" not in reply


def test_not_safe_without_partners_gives_the_numbers_alone(client, triage):
    client.send("I want to kill myself")
    reply = client.tap("I'm not safe")
    assert "call 999 now" in reply and "someone who's there for you" not in reply
