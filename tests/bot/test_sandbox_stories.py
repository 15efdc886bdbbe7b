"""The sandbox's stories (bot/channels/sandbox_stories.py): a world played forward through the real flows."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from bot.channels.sandbox import LINK, World
from bot.channels.sandbox_stories import STORIES, play
from data.models import CheckIn, ClientProfile, Craving, Person
from handlers import caseload, risk
from handlers.when import local_instant

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Hong Kong
HK = ZoneInfo("Asia/Hong_Kong")
LADDER = ("reminder", "partner_nudge", "clinician_alert")


def played(root, content, name: str) -> World:
    world = World(root, start=START, content=content)
    asyncio.run(play(world, name))
    return world


@pytest.fixture(scope="module")
def two_weeks(tmp_path_factory, content):
    """One played story for the tests that only look at it."""
    world = played(tmp_path_factory.mktemp("two_weeks") / "world", content, "two_weeks")
    yield world
    world.close()


@pytest.fixture
def fresh_two_weeks(tmp_path, content):
    """A played story of its own, for a test that moves its clock on."""
    world = played(tmp_path / "world", content, "two_weeks")
    yield world
    world.close()


def texts(world: World, role: str) -> list[str]:
    return [b.text for b in world.phones[role].bubbles if not b.mine]


def ken(session: Session) -> Person:
    return session.exec(select(Person).where(Person.display_name == "Ken")).one()


def missed_prompt(world: World) -> datetime:
    """Yesterday's 21:00, Hong Kong time: the prompt Ken left unanswered."""
    yesterday = world.clock().astimezone(HK).date() - timedelta(days=1)
    return local_instant(yesterday, time(21, 0), HK)


def ladder(world: World) -> list[tuple[datetime, str, str | None]]:
    return [(at, step, who) for at, step, who, *_ in world.decisions() if step in LADDER]


def test_the_stories_have_names_and_labels():
    assert {"empty", "two_weeks"} <= set(STORIES)
    for name, story in STORIES.items():
        assert story.name == name
        assert story.label_key == f"story_{name}"  # in [texts.sandbox]


def test_every_story_label_is_in_the_content(content):
    keys = [f"sandbox.{s.label_key}" for s in STORIES.values()]
    missing = [key for key in keys if not content.has(key)]
    if missing:
        pytest.skip(f"not yet in data/content/locale.*.toml: {missing}")
    for key in keys:
        assert len({content.text(key, locale) for locale in content.locales}) == len(content.locales)  # translated


def test_an_unknown_story_is_refused(tmp_path, content):
    world = World(tmp_path / "world", start=START, content=content)
    try:
        with pytest.raises(LookupError, match="no such story"):
            asyncio.run(play(world, "three_weeks"))
    finally:
        world.close()


def test_two_weeks_starts_before_the_first_evenings_prompt(tmp_path, content):
    world = World(tmp_path / "world", start=START.replace(hour=13, minute=30), content=content)  # 21:30 in Hong Kong
    try:
        with pytest.raises(ValueError, match="before 21:00"):
            asyncio.run(play(world, "two_weeks"))
        assert not world.phones["clinician"].bubbles
    finally:
        world.close()


def test_the_empty_story_leaves_the_clinicians_invitation_ready_to_give(tmp_path, content):
    world = played(tmp_path / "world", content, "empty")
    try:
        assert LINK.search(texts(world, "clinician")[-1])
        assert not world.phones["client"].bubbles and not world.phones["partner"].bubbles
        assert world.clock() == START + STORIES["empty"].lead
        assert world.next_event() is None
    finally:
        world.close()


def test_two_weeks_of_checkins_with_cravings_rising_and_the_last_prompt_unanswered(two_weeks):
    world = two_weeks
    assert world.clock() == START + STORIES["two_weeks"].lead
    now = world.clock().astimezone(HK)
    assert (now.date() - START.astimezone(HK).date()).days == 15 and now.time() == time(10, 0)
    with Session(world.rt.db) as session:
        client = ken(session)
        profile = session.get(ClientProfile, client.id)
        checkins = session.exec(select(CheckIn).where(CheckIn.client_id == client.id)
                                .order_by(col(CheckIn.local_date))).all()
        logged = session.exec(select(Craving).where(Craving.client_id == client.id)).all()
    assert client.timezone == "Asia/Hong_Kong" and profile.checkin_time == time(21, 0)
    assert profile.sobriety_start == START.date() - timedelta(weeks=6)
    # A prompt every evening for 15 days: the first 14 answered, the last (yesterday's) not.
    assert [c.local_date for c in checkins] == [START.date() + timedelta(days=d) for d in range(15)]
    assert all(c.prompted_at is not None for c in checkins)
    *answered, last = checkins
    assert all(c.answered_at is not None and c.used is False for c in answered)
    assert last.local_date == now.date() - timedelta(days=1) and last.answered_at is None
    cravings = [c.craving for c in answered]
    first_week, last_week = cravings[:7], cravings[7:]
    assert sum(last_week) / 7 >= sum(first_week) / 7 + 2
    assert last_week == sorted(last_week) and last_week[-1] >= 7
    moods = [c.mood for c in answered]
    assert sum(moods[7:]) < sum(moods[:7]) and moods[-1] < moods[0]
    # Two cravings logged through /craving (one offered by the strong check-in), both ridden out.
    assert sorted(c.intensity for c in logged) == [6, 7]
    assert all(c.outcome == "passed" for c in logged)


def test_the_missed_prompt_has_had_its_reminder_and_nudge_and_the_clinician_not_yet(two_weeks):
    world = two_weeks
    prompt = missed_prompt(world)
    steps = [(at, step, who) for at, step, who in ladder(world) if at >= prompt]
    assert steps == [(prompt + timedelta(hours=1), "reminder", "Ken"),
                     (prompt + timedelta(hours=3), "partner_nudge", "Mum")]
    assert all(step != "clinician_alert" for _, step, _ in ladder(world))  # never, in the whole fortnight
    assert "today's check-in is still open" in texts(world, "client")[-1]
    assert "Ken hasn't done today's check-in" in texts(world, "partner")[-1]
    assert world.next_event() == prompt + timedelta(hours=24)  # the clinician's alert is the next rung


def test_the_dashboard_flags_kens_rising_craving_and_falling_mood(two_weeks):
    world = two_weeks
    with Session(world.rt.db) as session:
        client = ken(session)
        today = world.clock().astimezone(HK).date()
        facts = risk.load_facts(session, [client.id], {client.id: today})[client.id]
        (row,) = caseload.caseload(session, [client.id], world.clock())
    assert risk.craving_up(facts) == {"recent": 7.0, "usual": 3.6}  # the check-in and the craving logged after it
    assert risk.missed(facts) is None  # one missed check-in, not two
    fired = {f.rule for f in risk.assess(facts)}
    assert "craving_up" in fired and "mood_falling" in fired
    assert {f.rule for f in row.risks} == fired  # the Clients page shows the same flags
    assert row.craving_trend == "up"


def test_the_next_rung_is_the_clinicians_alert(fresh_two_weeks):
    world = fresh_two_weeks
    prompt = missed_prompt(world)

    async def until_alert():
        for _ in range(5):
            if any(step == "clinician_alert" for _, step, _ in ladder(world)):
                return
            await world.to_next_event()

    asyncio.run(until_alert())
    assert ladder(world)[-1] == (prompt + timedelta(hours=24), "clinician_alert", "Dr Chan")
    assert any("Missed check-in: Ken" in t for t in texts(world, "clinician"))
