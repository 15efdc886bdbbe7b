"""Control words at every question of every flow: never stored as an answer, and each does what it says."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from data.models import CheckIn, Craving, JournalNote, Person, Slip, SupportContact
from tests.chat import Chat

WORDS = ["back", "skip", "undo", "cancel", "stop", "取消", "menu", "help", "返回", "略過", "復原"]

# Each flow: the command that opens it, then (step name, an answer that moves past it), in order.
FLOWS = {
    "checkin": ("/checkin", [("mood", "4"), ("craving", "3"), ("used", "no"), ("note", "went to a meeting")]),
    "craving": ("/craving", [("intensity", "5"), ("triggers", "hungry"), ("triggers", "done"), ("where", "home"),
                             ("with_whom", "alone"), ("plan", "1"), ("outcome", None)]),
    "slip": ("/slip", [("when", "today"), ("what", "a party"), ("next_time", None)]),
    "network": ("/network", [("kind", "Mum"), ("reach", "9123 4567"), ("partner", None)]),
    "settings": ("/settings", [("pick", None)]),
}
SETTINGS_STEPS = ["time", "zone", "quiet", "pause", "language"]
ONBOARDING = [("name", "Ken"), ("timezone", "hong kong"), ("checkin_time", "21:00"), ("sobriety", None)]


def _stored_texts(rt) -> set[str]:
    texts: set[str] = set()
    with Session(rt.db) as session:
        for row in session.exec(select(Craving)):
            texts |= {row.where, row.with_whom, row.plan, *(t.split(":", 1)[-1] for t in row.triggers)}
        for row in session.exec(select(CheckIn)):
            texts.add(row.note)
        for row in session.exec(select(Slip)):
            texts |= {row.what_happened, row.next_time}
        for row in session.exec(select(SupportContact)):
            texts |= {row.name, row.reach}
        for row in session.exec(select(JournalNote)):
            texts.add(row.text)
        for row in session.exec(select(Person)):
            texts.add(row.display_name)
    return {t.casefold() for t in texts if t}


def _leave(chat: Chat) -> None:
    """Back to no flow, whatever the word did (a keep-or-discard question gets "keep")."""
    chat.send("/cancel")
    if chat.state().flow == "cancel":
        chat.send("keep")


@pytest.mark.parametrize("word", WORDS)
def test_a_control_word_at_any_step_is_never_stored_as_an_answer(client, rt, word):
    steps_seen = 0
    for flow, (command, script) in FLOWS.items():
        for k, (step, _) in enumerate(script):
            client.send(command)
            if client.state().step == "overview":  # the network has people in it now: walk it again
                client.tap("Go through all twelve")
            for _, answer in script[:k]:
                client.send(answer)
            assert (client.state().flow, client.state().step) == (flow, step), (flow, step)
            client.send(word)
            assert word.casefold() not in _stored_texts(rt), (flow, step, word)
            steps_seen += 1
            _leave(client)
    for number, step in enumerate(SETTINGS_STEPS, start=1):
        client.send("/settings")
        client.send(str(number))
        assert client.state().step == step
        client.send(word)
        assert word.casefold() not in _stored_texts(rt), ("settings", step, word)
        steps_seen += 1
        _leave(client)
    assert steps_seen == 23


@pytest.mark.parametrize("word", WORDS)
def test_a_control_word_during_onboarding_is_never_stored(rt, word):
    for k, (step, _) in enumerate(ONBOARDING):
        chat = Chat(rt, address=f"new-{word}-{k}")
        chat.send("hi")
        chat.tap("I agree")
        for _, answer in ONBOARDING[:k]:
            chat.send(answer)
        assert chat.state().step == step
        chat.send(word)
        assert word.casefold() not in _stored_texts(rt), (step, word)


def test_back_returns_to_the_previous_question_with_the_answer_kept(client):
    client.send("/checkin")
    client.send("2")
    client.send("7")
    assert client.state().step == "used"
    reply = client.send("back")
    assert "craving" in reply.casefold() and client.state().step == "craving"
    (row,) = client.rows(CheckIn)
    assert (row.mood, row.craving) == (2, 7)  # kept until answered again
    client.send("3")
    assert client.state().step == "used" and client.rows(CheckIn)[0].craving == 3


def test_back_at_the_first_question_says_so(client):
    client.send("/craving")
    assert "first question" in client.send("back")
    assert client.state().step == "intensity"


def test_back_in_cantonese(client, rt):
    from tests.handlers.conftest import set_locale

    set_locale(rt, client.person().id, "zh-HK")
    client.send("/checkin")
    client.send("3")
    client.send("返回")
    assert client.state().step == "mood"


def test_back_to_the_strength_of_a_craving_changes_it_and_logs_no_second_craving(client):
    client.send("/craving")
    client.send("4")
    client.send("back")
    client.send("8")
    (row,) = client.rows(Craving)
    assert row.intensity == 8


def test_skip_answers_an_optional_question_and_says_when_one_cannot_be_skipped(client):
    client.send("/craving")
    assert "can't be skipped" in client.send("skip")
    assert client.state().step == "intensity" and client.rows(Craving) == []
    client.send("5")
    client.send("hungry")
    client.send("done")
    client.send("skip")  # where: optional
    assert client.state().step == "with_whom" and client.rows(Craving)[0].where is None


def test_cancel_mid_entry_asks_to_keep_or_discard(client):
    client.send("/craving")
    client.send("6")
    assert "Keep what you've told me" in client.send("cancel")
    client.tap("Throw it away")
    assert client.rows(Craving) == [] and client.state().flow == "menu"
    client.send("/craving")
    client.send("6")
    client.send("cancel")
    client.tap("Keep it")
    assert [c.intensity for c in client.rows(Craving)] == [6]


def test_cancel_a_half_done_checkin_and_discard_leaves_it_unanswered(client):
    client.send("/checkin")
    client.send("2")
    client.send("取消")
    client.tap("Throw it away")
    (row,) = client.rows(CheckIn)
    assert (row.mood, row.answered_at) == (None, None)


def test_undo_right_after_a_craving_takes_it_back_after_a_yes(client):
    client.send("/craving")
    client.send("5")
    client.send("tired")
    client.send("done")
    client.send("skip")
    client.send("skip")
    client.send("1")
    client.tap("It passed")
    assert "Take back the craving" in client.send("undo")
    assert len(client.rows(Craving)) == 1  # nothing happens before the yes
    client.tap("Yes, take it back")
    assert client.rows(Craving) == []


def test_undo_a_slip_gives_the_streak_back(client):
    before = client.profile()
    client.send("/slip")
    client.tap("Today")
    assert client.profile().streak_start != before.streak_start
    client.send("undo")
    client.tap("Yes, take it back")
    after = client.profile()
    assert client.rows(Slip) == []
    assert (after.streak_start, after.banked_sober_days, after.longest_streak_days) == (
        before.streak_start, before.banked_sober_days, before.longest_streak_days)


def test_undo_long_after_says_there_is_nothing_to_undo(client, clock):
    client.send("/craving")
    client.send("5")
    client.send("/menu")
    clock.advance(hours=1)
    assert "nothing to undo" in client.send("undo")
    assert len(client.rows(Craving)) == 1


def test_saying_no_to_undo_keeps_the_entry(client):
    client.send("/checkin")
    for answer in ("4", "2", "no", "skip"):
        client.send(answer)
    client.send("undo")
    client.tap("No")
    assert client.rows(CheckIn)[0].answered_at is not None
