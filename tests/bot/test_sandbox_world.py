"""The sandbox's world (bot/channels/sandbox.py): three phones and a clock play the whole accountability loop."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.channels.sandbox import World

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Hong Kong
PROMPT = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # 21:00 in Hong Kong


@pytest.fixture
def world(tmp_path, content):
    found = World(tmp_path / "world", start=START, content=content)
    yield found
    found.close()


def texts(world: World, role: str) -> list[str]:
    return [b.text for b in world.phones[role].bubbles if not b.mine]


async def loop_until_alert(world: World) -> None:
    await world.clinician_joins()
    await world.say("clinician", "/invite")
    await world.forward_link("clinician", "client")
    await world.tap("client", "Yes")
    await world.say("client", "Ken")
    await world.tap("client", "Hong Kong")
    await world.say("client", "21:00")
    await world.say("client", "30 days ago")
    await world.tap("client", "Later")
    await world.say("client", "/network")
    await world.say("client", "Mum")
    await world.say("client", "9123 4567")
    await world.tap("client", "Yes")
    await world.tap("client", "Finish")
    await world.say("client", "/invite")
    await world.tap("client", "Mum")
    await world.forward_link("client", "partner")
    await world.tap("partner", "Yes")


def test_next_event_plays_the_ladder_in_order_and_the_all_clear_reaches_both(world):
    async def scenario():
        await loop_until_alert(world)
        assert any("Mum accepted" in t for t in texts(world, "client"))
        assert world.next_event() == PROMPT
        assert await world.to_next_event() == PROMPT
        assert "time for today's check-in" in texts(world, "client")[-1]
        for _ in range(3):  # the reminder, the partner's nudge, the clinician's alert
            await world.to_next_event()
        assert [(d.step, d.at) for d in world.decisions()] == [
            (step, PROMPT + timedelta(hours=h)) for step, h in
            [("prompt", 0), ("reminder", 1), ("partner_nudge", 3), ("clinician_alert", 24), ("prompt", 24)]]
        assert "Ken hasn't done today's check-in" in texts(world, "partner")[-1]
        assert "Missed check-in: Ken" in texts(world, "clinician")[-1]
        await world.tap("clinician", "Acknowledge")
        assert "You've got Ken" in texts(world, "clinician")[-1]
        await world.say("client", "/checkin")
        await world.tap("client", "Good")
        await world.say("client", "2")
        await world.tap("client", "No")
        await world.tap("client", "Skip")

    asyncio.run(scenario())
    assert "Good news: Ken has checked in" in texts(world, "partner")[-1]
    assert "All clear: Ken has checked in" in texts(world, "clinician")[-1]


def test_advancing_a_day_runs_every_pass_on_the_way_in_order(world):
    async def scenario():
        await loop_until_alert(world)
        await world.advance(timedelta(hours=35))  # to the clinician's alert, a day after the 21:00 prompt

    asyncio.run(scenario())
    assert [d.step for d in world.decisions()] == ["prompt", "reminder", "partner_nudge", "clinician_alert", "prompt"]
    assert world.clock() == START + timedelta(hours=35)


def test_two_worlds_are_separate(tmp_path, content):
    first, second = World(tmp_path / "a", start=START, content=content), World(tmp_path / "b", start=START,
                                                                                   content=content)
    try:
        asyncio.run(first.clinician_joins())
        assert texts(first, "clinician") and not texts(second, "clinician")
        assert second.next_event() is None
    finally:
        first.close()
        second.close()


def test_a_phone_switched_to_chinese_onboards_in_chinese_and_the_others_stay_in_english(world):
    async def scenario():
        await world.clinician_joins()
        await world.say("clinician", "/invite")
        world.set_language("client", "zh-HK")
        await world.forward_link("clinician", "client")
        assert "邀請你用診所嘅康復同行小幫手" in texts(world, "client")[-1]
        await world.tap("client", "好")
        assert "Welcome" not in texts(world, "client")[-1]
        await world.say("clinician", "/help")
        assert "You're a clinician" in texts(world, "clinician")[-1]
        world.set_language("clinician", "zh-HK")  # someone who has written already: like /settings
        await world.say("clinician", "/help")
        assert "臨床人員" in texts(world, "clinician")[-1]

    asyncio.run(scenario())


def test_what_happened_tells_the_prompt_and_a_reminder_held_by_quiet_hours(world):
    async def scenario():
        await loop_until_alert(world)
        await world.say("client", "quiet hours")
        await world.tap("client", "22:00 to 07:00")
        await world.to_next_event()  # 21:00: the prompt
        await world.to_next_event()  # 22:00: the reminder's turn, inside quiet hours

    asyncio.run(scenario())
    held = [d for d in world.decisions() if d.step == "held"]
    assert [d.step for d in world.decisions()][:3] == ["prompt", "reminder", "held"]
    assert held[0].who == "Ken" and held[0].until == datetime(2026, 3, 2, 23, 0, tzinfo=UTC)  # 07:00 in Hong Kong
    assert "time for today's check-in" in texts(world, "client")[-1]  # the reminder has not arrived yet


def test_back_to_now_returns_the_database_the_phones_and_the_clock_to_before_the_jumps(world):
    async def scenario():
        await loop_until_alert(world)
        before = (world.clock(), [b.text for b in world.phones["partner"].bubbles], world.next_event())
        assert not world.ahead and not world.back_to_now()  # nothing to undo yet
        await world.advance(timedelta(days=2))
        assert world.ahead and len(world.decisions()) >= 4
        assert world.back_to_now()
        assert (world.clock(), [b.text for b in world.phones["partner"].bubbles], world.next_event()) == before
        assert world.decisions() == [] and not world.ahead
        await world.say("client", "/checkin")  # and the present goes on as if the jumps never happened
        await world.tap("client", "Good")

    asyncio.run(scenario())
    assert "craving" in texts(world, "client")[-1].lower()


def test_every_change_moves_the_version_and_wakes_a_waiting_page(world):
    async def scenario():
        seen = world.version
        waiting = asyncio.create_task(world.wait_change(seen, 5))
        await asyncio.sleep(0)
        await world.clinician_joins()
        return seen, await waiting

    seen, woke_at = asyncio.run(scenario())
    assert woke_at > seen
    assert asyncio.run(world.wait_change(world.version, 0.05)) == world.version  # no change: times out quietly
