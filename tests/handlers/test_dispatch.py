"""The message path itself: dedupe, commands that interrupt flows, no dead ends, stale buttons, odd input."""

import itertools
import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, col, func, select

from data import outbox
from data.models import CheckIn, Craving, InboundEvent, Outbox, Person, Role
from handlers.delivery import enqueue
from handlers.dispatch import dispatch
from handlers.types import Inbound, Outbound
from tests.chat import Chat
from tests.scheduler.conftest import add_person


def count(rt, table) -> int:
    with Session(rt.db) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def test_a_duplicate_external_id_is_ignored(client, rt):
    client.send("/craving", external_id="update-1")
    before = count(rt, Outbox)
    assert client.send("7", external_id="update-1") == ""
    assert client.result.duplicate is True
    assert count(rt, Outbox) == before and client.rows(Craving) == []
    client.send("7", external_id="update-2")
    assert len(client.rows(Craving)) == 1


def test_the_same_external_id_on_another_channel_is_a_different_message(rt):
    a = Chat(rt, address="same", channel="telegram")
    b = Chat(rt, address="same", channel="whatsapp")
    a.send("hi", external_id="42")
    b.send("hi", external_id="42")
    assert b.result.duplicate is False
    assert count(rt, Person) == 2


def test_commands_interrupt_any_flow(client):
    client.send("/checkin")
    client.send("3")
    reply = client.send("craving")  # a plain word works like the slash command
    assert "How strong is it" in reply
    assert client.rows(CheckIn)[0].mood == 3  # the half-done check-in kept its answer


def test_help_mid_flow_then_asks_the_same_question_again(client):
    client.send("/checkin")
    reply = client.send("/help")
    assert "/export" in reply
    assert "How is your mood" in client.last[-1].text
    client.send("4")
    assert client.rows(CheckIn)[0].mood == 4


def test_cancel_leaves_the_flow_and_offers_the_menu(client):
    client.send("/craving")
    reply = client.send("cancel")
    assert "stopped there" in reply
    assert "Check in" in client.labels
    assert client.state().flow == "menu"


def test_unknown_text_outside_a_flow_names_the_likeliest_things_not_the_whole_menu(client, intents):
    intents.mark("what's the weather like", "none", likely=("checkin", "craving", "progress"))
    reply = client.send("what's the weather like")
    assert reply == "I'm not sure I understood. Did you mean one of these?"
    assert client.labels == ["Check in", "Log a craving", "See my progress"]
    client.tap("Log a craving")
    assert "How strong is it" in client.last[-1].text


def test_unknown_slash_command_and_menu_command(client):
    assert "don't know that command" in client.send("/frobnicate")
    assert "What would you like to do?" in client.send("/menu")
    client.tap("Check in")
    assert "How is your mood" in client.last[-1].text


def test_a_button_from_an_earlier_question_is_not_taken_as_this_answer(client):
    client.send("/checkin")
    client.send("4")
    reply = client.send("Yes", payload="agree")  # a stale consent button
    assert "earlier question" in reply
    assert "cravings been since" in client.last[-1].text


def test_menu_button_payloads_work_even_when_stale(client):
    client.send("/checkin")
    client.send("Log a craving", payload="cmd:craving")
    assert "How strong is it" in client.last[-1].text


@pytest.mark.parametrize("text", ["", "   ", "🙂", "x" * 5000, "\x00\x07", "¿Qué tal?", "ok ok ok " * 600])
def test_any_shape_of_message_gets_an_answer(client, text):
    client.send(text)
    assert client.last, "every message gets a reply"


@pytest.mark.parametrize("text", ["", "😀😀", "five thousand" * 400, "ثلاثة"])
def test_odd_answers_to_a_scale_reask_and_keep_the_flow(client, text):
    client.send("/checkin")
    client.send("4")
    client.send(text)
    assert "from 0 to 10" in client.last[0].text
    assert client.state().step == "craving"
    assert client.rows(CheckIn)[0].mood == 4


def test_replies_carry_idempotency_keys_tied_to_the_inbound_message(client, rt):
    client.send("/checkin", external_id="abc")
    with Session(rt.db) as session:
        event = session.exec(select(InboundEvent).where(InboundEvent.external_id == "abc")).one()
    keys = [m.idempotency_key for m in client.last]
    assert keys == [f"in:{event.id}:{n}" for n in range(len(keys))]


def test_inbound_event_stores_the_dedupe_key_but_never_the_text(client, rt):
    client.send("my secret words", external_id="secret-1")
    with Session(rt.db) as session:
        row = session.exec(select(InboundEvent).where(InboundEvent.external_id == "secret-1")).one()
    assert "my secret words" not in repr(row.model_dump())


def test_concurrent_messages_from_one_person_are_handled_one_at_a_time(client, rt):
    """Ten workers deliver ten check-in answers at once; the person's row lock keeps each turn whole."""
    client.send("/craving")
    person_id = client.person().id
    errors = []

    def worker(n: int) -> None:
        try:
            dispatch(rt, Inbound("console", client.address, f"race-{n}", text="/craving"))
            dispatch(rt, Inbound("console", client.address, f"race-{n}-b", text=str(n % 11)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert count(rt, Person) == 1
    with Session(rt.db) as session:
        cravings = session.exec(select(Craving).where(Craving.client_id == person_id)).all()
    assert 1 <= len(cravings) <= 10  # each logged craving came from one whole turn
    assert count(rt, InboundEvent) == 1 + 7 + 20  # /craving + onboarding (7) + 20 racing messages


def test_first_messages_racing_from_a_new_address_make_one_person(rt):
    errors = []

    def worker(n: int) -> None:
        try:
            dispatch(rt, Inbound("telegram", "new-person", f"first-{n}", text="hi"))
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert count(rt, Person) == 1
    assert count(rt, InboundEvent) == 8


# -- replies leased to a channel that sends them at once (claim_for) ----------------------------------------
LEASE = timedelta(minutes=2)


def _queue(rt, address: str) -> list[Outbox]:
    with Session(rt.db) as session:
        return list(session.exec(select(Outbox).where(Outbox.address == address).order_by(col(Outbox.id))))


def _receive(rt, text: str, address: str = "client-1") -> list[Outbox]:
    inbound = Inbound("console", address, f"lease-{next(_lease_ids)}", text=text, received_at=rt.clock())
    return dispatch(rt, inbound, claim_for=outbox.Claimant("test", LEASE)).claimed


_lease_ids = itertools.count()


def mark_sent(db, sent, at) -> None:
    with db.begin() as conn:
        outbox.mark_sent(conn, sent, at)


def test_replies_are_handed_over_leased_and_stored_exactly_as_handed_over(client, rt, clock):
    client.send("/done")  # nothing queued for the chat now
    for row in _queue(rt, "client-1"):
        assert row.status == "pending"
    mark_sent(rt.db, [(r.id, "x") for r in _queue(rt, "client-1")], clock())
    claimed = _receive(rt, "/craving")
    assert claimed and all(r.status == "sending" and r.attempts == 1 and r.lease_until == clock() + LEASE
                           for r in claimed)
    stored = {r.id: r for r in _queue(rt, "client-1") if r.status != "sent"}
    assert [r.id for r in claimed] == sorted(stored)  # every unsent row, oldest first, nothing else
    for row in claimed:
        assert row.model_dump() == stored[row.id].model_dump()  # the sender sends what is stored


def test_an_earlier_message_due_for_the_chat_goes_out_first(client, rt, clock):
    mark_sent(rt.db, [(r.id, "x") for r in _queue(rt, "client-1")], clock())
    with Session(rt.db) as session:
        enqueue(session, [(Outbound(text="Time to check in", person_id=client.person().id), "prompt:1")],
                now=clock(), channel="console", address="client-1")
        session.commit()
    claimed = _receive(rt, "/craving")
    assert claimed[0].text == "Time to check in" and len(claimed) >= 2
    assert [r.id for r in claimed] == sorted(r.id for r in claimed)


def test_replies_wait_behind_a_message_still_being_sent_elsewhere(client, rt, clock):
    in_flight = [r for r in _queue(rt, "client-1")][-1]
    mark_sent(rt.db, [(r.id, "x") for r in _queue(rt, "client-1") if r.id != in_flight.id], clock())
    with Session(rt.db) as session:  # another sender holds it
        session.get(Outbox, in_flight.id).status = "sending"
        session.get(Outbox, in_flight.id).lease_until = clock() + LEASE
        session.commit()
    assert _receive(rt, "/craving") == []
    assert {r.status for r in _queue(rt, "client-1") if r.id > in_flight.id} == {"pending"}


def test_only_the_senders_own_chat_is_leased_not_alerts_for_others(client, rt, clock):
    mark_sent(rt.db, [(r.id, "x") for r in _queue(rt, "client-1")], clock())
    add_person(rt, role=Role.clinician, name="Dr Chan", address="clinician-1")
    claimed = _receive(rt, "I want to kill myself")
    assert claimed and {r.address for r in claimed} == {"client-1"}
    (alert,) = _queue(rt, "clinician-1")
    assert alert.status == "pending" and alert.kind == "alert"
