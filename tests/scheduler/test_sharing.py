"""What a partner hears at each sharing level the client chose: nothing more, ever."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from data.models import SupportContact
from tests.scheduler.conftest import add_partner, outbox_for, tick

PROMPT = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # 21:00 in Hong Kong


def _checkins(client, days: int, mood: str = "2", craving: str = "6") -> None:
    """Check in on the `days` days before the prompt day, one a day."""
    clock = client.rt.clock
    start = clock.now
    for back in range(days, 0, -1):
        clock.now = PROMPT - timedelta(days=back)
        client.send("/checkin")
        client.send(mood)
        client.send(craving)
        client.send("no")
        client.send("skip")
    clock.now = start


def _set_level(rt, client_id: int, level: str) -> None:
    with Session(rt.db) as session:
        contact = session.exec(select(SupportContact).where(SupportContact.client_id == client_id)).one()
        contact.sharing = level
        session.add(contact)
        session.commit()


def _nudge(client, rt, level: str | None, *, slip: bool = False) -> str:
    pid = client.person().id
    partner = add_partner(rt, pid)
    if level:
        _set_level(rt, pid, level)
    _checkins(client, 3)
    if slip:
        rt.clock.now = PROMPT - timedelta(hours=5)
        client.send("/slip")
        client.tap("Today")
        client.send("skip")
        client.send("skip")
    for hours in (0, 1, 3):
        tick(rt, PROMPT + timedelta(hours=hours))
    (nudge,) = [m for m in outbox_for(rt, partner.id) if m.kind == "nudge"]
    return nudge.text


def test_by_default_a_partner_hears_only_the_missed_checkin(client, rt):
    text = _nudge(client, rt, None, slip=True)
    assert "Ken hasn't done today's check-in" in text
    for private in ("streak", "mood", "craving", "slip", "checked in"):
        assert private not in text.casefold(), private


def test_at_streaks_a_partner_also_hears_the_streak_and_checkin_days(client, rt):
    text = _nudge(client, rt, "streaks", slip=True)
    assert "Current streak:" in text and "checked in 3 of the last 7 days" in text
    assert "mood" not in text and "slip" not in text


def test_at_trends_a_partner_also_hears_mood_and_craving_but_not_slips(client, rt):
    text = _nudge(client, rt, "trends", slip=True)
    assert "average mood 2.0 (1-5), craving 6.0 (0-10)" in text
    assert "slip" not in text


def test_slips_are_told_only_at_their_own_level(client, rt):
    text = _nudge(client, rt, "slips", slip=True)
    assert "a slip this week" in text and "not failure" in text


@pytest.mark.parametrize("level", ["missed", "streaks"])
def test_the_all_clear_honours_the_level_too(client, rt, level):
    pid = client.person().id
    partner = add_partner(rt, pid)
    _set_level(rt, pid, level)
    for hours in (0, 1, 3):
        tick(rt, PROMPT + timedelta(hours=hours))
    client.send("/checkin")
    client.send("4")
    client.send("1")
    client.send("no")
    client.send("skip")
    clear = outbox_for(rt, partner.id)[-1].text
    assert "Ken has checked in" in clear
    assert ("Current streak" in clear) == (level == "streaks")


def test_the_client_chooses_the_level_in_network_and_in_settings(client, rt):
    pid = client.person().id
    add_partner(rt, pid)
    client.send("/settings")
    reply = client.tap("What partners see")
    assert "What should Mum hear about you? Now: Missed check-ins only." in reply
    client.tap("+ mood and craving trend")
    assert "Mum will hear: + mood and craving trend" in client.last[-1].text
    client.send("/network")
    client.tap("Change someone")
    client.tap("Mum")
    client.tap("What they see")
    client.tap("Missed check-ins only")
    with Session(rt.db) as session:
        assert session.exec(select(SupportContact)).one().sharing == "missed"
