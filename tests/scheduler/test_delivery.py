"""Delivery when things go wrong: retries in order, rate limits, unreachable people, refused messages."""

import asyncio
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from data.models import ChannelAddress, Outbox, Person
from scheduler.outbox import Delivery, RateLimited, RecipientUnreachable, Rejected, TransientError
from tests.chat import Chat
from tests.scheduler.conftest import RecordingSender, add_person, outbox_for


def drain(rt, *senders: RecordingSender, **kw) -> int:
    return asyncio.run(Delivery(rt, {s.channel: s for s in senders}, limits={}, **kw).drain())


def statuses(rt, person_id: int) -> list[str]:
    return [m.status for m in outbox_for(rt, person_id)]


def test_a_sender_down_for_a_while_delivers_everything_after_in_order(rt, clock):
    people = [Chat(rt, address=f"p{n}") for n in range(3)]
    for chat in people:
        chat.send("hi")
        chat.send("1")  # consent: several replies each
    sender = RecordingSender()
    sender.fail = [TransientError("502")] * 3
    for _ in range(12):
        drain(rt, sender)
        clock.advance(minutes=1)
    with Session(rt.db) as session:
        rows = list(session.exec(select(Outbox).order_by(col(Outbox.id))))
    assert all(r.status == "sent" for r in rows)
    for chat in people:
        mine = [m.id for m in sender.sent if m.address == chat.address]
        assert mine == sorted(mine) and len(mine) == len([r for r in rows if r.address == chat.address])


def test_a_failed_message_holds_back_later_ones_to_the_same_person_only(rt, clock):
    a, b = Chat(rt, address="a"), Chat(rt, address="b")
    a.send("hi")
    b.send("hi")
    a.send("1")
    sender = RecordingSender()
    sender.fail = [TransientError("timeout")]  # the first message (to a) fails
    drain(rt, sender)
    assert [m.address for m in sender.sent] == ["b"]  # b unaffected; a's second message waited
    first, *rest = outbox_for(rt, a.person().id)
    assert first.status == "pending" and first.attempts == 1 and first.due_at > clock()
    assert all(m.status == "pending" and m.attempts == 0 for m in rest)
    clock.advance(minutes=1)
    drain(rt, sender)
    assert [m.id for m in sender.sent if m.address == "a"] == [first.id] + [m.id for m in rest]


def test_rate_limited_waits_exactly_what_the_platform_says(rt, clock):
    chat = Chat(rt, address="a")
    chat.send("hi")
    sender = RecordingSender()
    sender.fail = [RateLimited(7)]
    drain(rt, sender)
    (row,) = outbox_for(rt, chat.person().id)
    assert (row.status, row.attempts, row.due_at) == ("pending", 0, clock() + timedelta(seconds=7))
    clock.advance(seconds=6)
    assert drain(rt, sender) == 0
    clock.advance(seconds=1)
    assert drain(rt, sender) == 1


def test_giving_up_after_the_last_attempt(rt, clock):
    chat = Chat(rt, address="a")
    chat.send("hi")
    sender = RecordingSender()
    sender.fail = [ConnectionError("down")] * 3
    for _ in range(3):
        drain(rt, sender, max_attempts=3)
        clock.advance(hours=1)
    (row,) = outbox_for(rt, chat.person().id)
    assert (row.status, row.attempts, row.last_error) == ("failed", 3, "ConnectionError")


def test_a_refused_message_is_not_retried_and_does_not_block_the_next(rt, clock):
    chat = Chat(rt, address="a")
    chat.send("hi")
    chat.send("1")
    sender = RecordingSender()
    sender.fail = [Rejected("message text is empty")]
    drain(rt, sender)
    first, *rest = outbox_for(rt, chat.person().id)
    assert first.status == "failed" and first.last_error.startswith("rejected")
    assert all(m.status == "sent" for m in rest)


def test_unreachable_address_falls_back_to_the_persons_other_channel(rt, clock):
    chat = Chat(rt, address="tg-1", channel="telegram")
    chat.send("hi")
    person_id = chat.person().id
    with Session(rt.db) as session:  # the same person also reaches us on WhatsApp
        session.add(ChannelAddress(person_id=person_id, channel="whatsapp", address="whatsapp:+85291234567"))
        session.commit()
    telegram, whatsapp = RecordingSender("telegram"), RecordingSender("whatsapp")
    telegram.fail = [RecipientUnreachable("tg-1", "bot was blocked by the user")]
    drain(rt, telegram, whatsapp)
    with Session(rt.db) as session:
        tg = session.exec(select(ChannelAddress).where(ChannelAddress.address == "tg-1")).one()
        assert tg.unreachable_at is not None
        rows = list(session.exec(select(Outbox).order_by(col(Outbox.id))))
    assert rows[0].status == "failed" and "blocked" in rows[0].last_error
    assert [m.text for m in whatsapp.sent] == [rows[0].text]
    assert rows[-1].channel == "whatsapp" and rows[-1].status == "sent"


def test_an_unreachable_client_with_no_other_channel_is_reported_to_the_clinician(rt, clock):
    doctor = add_person(rt, role="clinician", name="Dr Chan", address="doc", channel="telegram")
    chat = Chat(rt, address="tg-2", channel="telegram")
    chat.onboard()
    sender = RecordingSender("telegram")
    drain(rt, sender)  # onboarding replies go out
    chat.send("/checkin")
    sender.fail = [RecipientUnreachable("tg-2", "bot was blocked by the user")]
    drain(rt, sender)
    (note,) = outbox_for(rt, doctor.id)
    assert "Ken can't be reached on telegram" in note.text
    assert all(s in ("sent", "failed") for s in statuses(rt, chat.person().id))


def test_a_message_held_for_quiet_hours_does_not_hold_back_a_reply(rt, clock):
    chat = Chat(rt, address="a")
    chat.send("hi")
    with Session(rt.db) as session:
        held = session.exec(select(Outbox)).one()
        held.due_at = clock() + timedelta(hours=8)  # e.g. a reminder waiting for the morning
        session.add(held)
        session.commit()
        held_id = held.id
    chat.send("1")
    sender = RecordingSender()
    drain(rt, sender)
    assert sender.sent and held_id not in [m.id for m in sender.sent]


def test_stopping_finishes_the_message_in_hand_and_hands_back_the_rest(rt):
    chat = Chat(rt, address="a")
    chat.send("hi")
    chat.send("1")

    class StopsAfterOne(RecordingSender):
        async def send(self, message):
            result = await super().send(message)
            delivery.stop()
            return result

    sender = StopsAfterOne()
    delivery = Delivery(rt, {"console": sender}, limits={})
    assert asyncio.run(delivery.drain()) == 1
    rest = [m for m in outbox_for(rt, chat.person().id) if m.status != "sent"]
    assert rest and all(m.status == "pending" and m.attempts == 0 for m in rest)


def test_person_deleted_goodbye_still_reaches_the_bare_address(rt):
    chat = Chat(rt, address="a")
    chat.onboard()
    chat.send("/delete")
    chat.tap("Yes, erase")
    sender = RecordingSender()
    drain(rt, sender)
    assert sender.sent[-1].text.startswith("Everything is erased")
    with Session(rt.db) as session:
        assert session.exec(select(Person)).all() == []


def test_a_rerouted_message_keeps_everything_it_carried_whichever_way_it_failed(rt, clock):
    """One copy rule for every re-route: the attachment, template, priority and whom it is about all go with
    it (a second, hand-written copy once dropped the attachment of an undelivered WhatsApp message)."""
    from data import outbox as queue
    from handlers.delivery import enqueue
    from handlers.types import Attachment, Outbound
    from scheduler.outbox import policy

    client = add_person(rt, role="client", name="Ken", address="whatsapp:+85291234567", channel="whatsapp")
    export = Outbound(text="Your data", person_id=client.id, kind="export", priority="urgent",
                      attachment=Attachment("export.json", '{"a": 1}', "application/json"),
                      template_key="weekly_summary", template_vars={"1": "Ken"}, about=client.id)
    with Session(rt.db) as session:
        session.add(ChannelAddress(person_id=client.id, channel="telegram", address="1001"))
        enqueue(session, [(export, "export:1")], now=clock(), channel="whatsapp", address="whatsapp:+85291234567")
        session.commit()
    whatsapp, telegram = RecordingSender("whatsapp"), RecordingSender("telegram")
    whatsapp.fail = [RecipientUnreachable("whatsapp:+85291234567", "not a WhatsApp number")]
    drain(rt, whatsapp, telegram)  # unreachable: re-routed at once
    with Session(rt.db) as session:  # the person writes from WhatsApp again; a second export is accepted ...
        session.execute(update(ChannelAddress).where(ChannelAddress.channel == "whatsapp").values(unreachable_at=None))
        enqueue(session, [(export, "export:2")], now=clock(), channel="whatsapp", address="whatsapp:+85291234567")
        session.commit()
        second = [m for m in outbox_for(rt, client.id) if m.idempotency_key == "export:2"][0]
        policy.undelivered(session, second, clock(), outside_window=False)  # ... then reported undelivered
        session.commit()
    originals = [m for m in outbox_for(rt, client.id) if m.channel == "whatsapp"]
    copies = [m for m in outbox_for(rt, client.id) if m.channel == "telegram"]
    assert [c.idempotency_key for c in copies] == ["export:1>telegram", "export:2>telegram"]
    for original, copy in zip(originals, copies, strict=True):
        assert copy.address == "1001"
        assert {n: getattr(copy, n) for n in queue.CONTENT} == {n: getattr(original, n) for n in queue.CONTENT}
    assert copies[0].attachment == {"filename": "export.json", "content": '{"a": 1}', "mime_type": "application/json"}
