"""Partners hear good news too: the weekly note at each sharing level, Send encouragement, "I reached out" after
a nudge, and switching the note off (by the client's choice of day, or by the partner)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from data.models import EscalationStep, SupportContact
from tests.chat import Chat
from tests.scheduler.conftest import add_partner, outbox_for, tick
from tests.scheduler.test_sharing import PROMPT, _checkins, _set_level

NOTE_AT = datetime(2026, 3, 8, 11, 30, tzinfo=UTC)  # Sunday 19:30 in Hong Kong, the week of PROMPT


def _notes(rt, partner_id: int) -> list[str]:
    return [m.text for m in outbox_for(rt, partner_id) if m.kind == "digest"]


def _week(client, rt, level: str | None = None, *, slip: bool = False):
    pid = client.person().id
    partner = add_partner(rt, pid)
    if level:
        _set_level(rt, pid, level)
    rt.clock.now = NOTE_AT - timedelta(days=1)
    start = rt.clock.now
    for back in range(5, 0, -1):  # checked in on five of the last seven days
        rt.clock.now = start - timedelta(days=back - 1)
        client.send("/checkin")
        client.send("2")
        client.send("6")
        client.send("no")
        client.send("skip")
    if slip:
        client.send("/slip")
        client.tap("Today")
        client.send("skip")
        client.send("skip")
    tick(rt, NOTE_AT)
    return partner


def test_by_default_the_weekly_note_says_only_how_many_days_were_checked_in(client, rt):
    partner = _week(client, rt, slip=True)
    (note,) = _notes(rt, partner.id)
    assert "Ken checked in on 5 of the last 7 days." in note
    for private in ("streak", "mood", "craving", "slip"):
        assert private not in note.casefold(), private


@pytest.mark.parametrize("level, told, untold", [
    ("streaks", ["Current streak:", "checked in 5 of the last 7 days"], ["mood", "craving", "slip"]),
    ("trends", ["Current streak:", "average mood 2.0 (1-5), craving 6.0 (0-10)"], ["slip"]),
    ("slips", ["Current streak:", "a slip this week", "not failure"], []),
])
def test_the_weekly_note_says_exactly_what_the_level_allows(client, rt, level, told, untold):
    partner = _week(client, rt, level, slip=True)
    (note,) = _notes(rt, partner.id)
    for words in told:
        assert words in note, (words, note)
    for words in untold:
        assert words not in note.casefold(), (words, note)


def test_the_note_comes_on_the_day_the_client_chose_and_not_when_they_turned_it_off(client, rt):
    pid = client.person().id
    partner = add_partner(rt, pid)
    client.send("/settings")
    client.tap("Partners' weekly note")
    client.tap("Wednesday")
    due = client.profile().next_digest_at
    local = due.astimezone(ZoneInfo("Asia/Hong_Kong"))
    assert (local.weekday(), local.hour, local.minute) == (2, 19, 30)
    tick(rt, due - timedelta(minutes=1))
    assert _notes(rt, partner.id) == []
    tick(rt, due)
    assert len(_notes(rt, partner.id)) == 1
    client.send("/settings")
    client.tap("Partners' weekly note")
    client.tap("Off")
    assert client.profile().digest_weekday is None and client.profile().next_digest_at is None
    tick(rt, due + timedelta(days=7))
    assert len(_notes(rt, partner.id)) == 1


def test_send_encouragement_reaches_the_client_as_from_the_partner_in_the_client_language(client, rt):
    partner = _week(client, rt)
    mum = Chat(rt, address="partner-1")
    mum.last = mum.new_messages()
    asked = mum.tap("Send encouragement")
    assert "Pick a message for Ken" in asked
    mum.tap("Every day counts")
    assert "Sent to Ken" in "\n".join(m.text for m in mum.last)
    got = [m.text for m in outbox_for(rt, client.person().id) if m.kind == "encouragement"]
    assert got == ["A message from Mum: “Every day counts. I'm here if you want to talk.”"]
    assert mum.state().flow is None  # done: Mum's next words are not sent on to Ken
    mum.send("thanks")
    assert len([m for m in outbox_for(rt, client.person().id) if m.kind == "encouragement"]) == 1
    assert partner.id is not None


def test_a_partner_may_type_their_own_encouragement(client, rt):
    _week(client, rt)
    mum = Chat(rt, address="partner-1")
    mum.last = mum.new_messages()
    mum.tap("Send encouragement")
    mum.send("Dinner on Friday? My treat.")
    got = [m.text for m in outbox_for(rt, client.person().id) if m.kind == "encouragement"]
    assert got == ["A message from Mum: “Dinner on Friday? My treat.”"]


def test_no_more_weekly_notes_from_the_partner_side(client, rt):
    partner = _week(client, rt)
    mum = Chat(rt, address="partner-1")
    mum.last = mum.new_messages()
    assert "no more weekly notes about Ken" in mum.tap("No more weekly notes")
    with Session(rt.db) as session:
        assert session.exec(select(SupportContact.digest)).one() is False
    tick(rt, NOTE_AT + timedelta(days=7))
    assert len(_notes(rt, partner.id)) == 1


def test_i_reached_out_is_recorded_on_the_alert_and_the_client_hears_someone_cares(client, rt):
    pid = client.person().id
    partner = add_partner(rt, pid)
    _checkins(client, 2)
    for hours in (0, 1, 3):
        tick(rt, PROMPT + timedelta(hours=hours))
    (nudge,) = [m for m in outbox_for(rt, partner.id) if m.kind == "nudge"]
    assert [o["label"] for o in nudge.options] == ["I reached out"]
    mum = Chat(rt, address="partner-1")
    mum.new_messages()
    mum.last = [nudge]
    assert "I've noted that you reached out to Ken" in mum.tap("I reached out")
    with Session(rt.db) as session:
        steps = [s.step for s in session.exec(select(EscalationStep).order_by(EscalationStep.id))]
    assert steps[-1] == "partner_reached_out"
    told = [m.text for m in outbox_for(rt, pid) if m.kind == "encouragement"]
    assert told == ["Mum reached out today because they care about you. No need to reply to me."]


def test_someone_else_cannot_use_a_partner_button(client, rt):
    _week(client, rt)
    with Session(rt.db) as session:
        contact_id = session.exec(select(SupportContact.id)).one()
    stranger = Chat(rt, address="someone-else")
    stranger.send("x", payload=f"digestoff:{contact_id}")
    with Session(rt.db) as session:
        assert session.exec(select(SupportContact.digest)).one() is True


def test_the_client_switches_one_partner_note_off_in_network_and_a_stepped_back_partner_is_told_kindly(client, rt):
    partner = _week(client, rt)
    client.send("/network")
    client.tap("Change someone")
    client.tap("Mum")
    client.tap("What they see")
    assert "Stop their weekly note" in client.labels
    assert "won't get the weekly note" in client.tap("Stop their weekly note")
    tick(rt, NOTE_AT + timedelta(days=7))
    assert len(_notes(rt, partner.id)) == 1  # the first week's only
    client.send("/network")
    client.tap("Change someone")
    client.tap("Mum")
    client.tap("Stop being a partner")
    (told,) = [m.text for m in outbox_for(rt, partner.id) if m.kind == "notice"]
    assert "you won't hear from me about them for now" in told
    for private in ("slip", "craving", "mood", "why"):
        assert private not in told.casefold()


def test_a_partner_switches_the_note_off_and_on_in_their_own_settings(client, rt):
    partner = _week(client, rt)
    mum = Chat(rt, address="partner-1")
    mum.new_messages()
    mum.send("/settings")
    assert "no more weekly notes about Ken" in mum.tap("Stop the weekly note about Ken")
    tick(rt, NOTE_AT + timedelta(days=7))
    mum.send("/settings")
    assert "weekly note about Ken again" in mum.tap("Send me the weekly note about Ken")
    tick(rt, NOTE_AT + timedelta(days=14))
    assert len(_notes(rt, partner.id)) == 2  # the first week's and the third's


def test_quiet_hours_hold_an_encouragement_until_morning(client, rt):
    _week(client, rt)
    client.send("quiet hours")
    client.tap("22:00 to 07:00")
    rt.clock.now = NOTE_AT + timedelta(hours=4)  # 23:30 in Hong Kong: inside Ken's quiet hours
    mum = Chat(rt, address="partner-1")
    mum.last = [m for m in outbox_for(rt, mum.person().id) if m.kind == "digest"]
    mum.tap("Send encouragement")
    mum.tap("Thinking of you")
    (held,) = [m for m in outbox_for(rt, client.person().id) if m.kind == "encouragement"]
    assert held.due_at == datetime(2026, 3, 8, 23, 0, tzinfo=UTC)  # 07:00 on Monday in Hong Kong
