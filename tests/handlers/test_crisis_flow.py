"""A crisis message skips everything: resources at once, an urgent escalation, and the flow can resume."""

from data.models import Escalation, Outbox


def test_crisis_mid_flow_gives_resources_escalates_and_resumes(client):
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
