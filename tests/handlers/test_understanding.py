"""Free text outside a question, and inside one: each intent gets the reply that fits, never a menu wall."""

from __future__ import annotations

from datetime import time

import pytest

from data.models import CheckIn, ClientProfile, Craving, JournalNote, SupportContact
from tests.handlers.conftest import set_locale


def test_a_craving_opens_the_log_at_the_strength_question_with_their_words_kept(client, intents):
    said = intents.mark("i really want a drink right now", "craving")
    reply = client.send(said)
    assert "Thank you for telling me" in reply and "How strong is it" in reply
    assert "didn't quite catch" not in reply
    client.send("7")
    (row,) = client.rows(Craving)
    assert row.intensity == 7 and row.triggers == [f"note:{said}"]


def test_a_drink_emoji_alone_opens_the_craving_log(client):
    assert "How strong is it" in client.send("🍺🍺")


def test_a_slip_said_in_words_opens_the_slip_flow_without_shame(client, intents):
    reply = client.send(intents.mark("i drank last night", "slip"))
    assert "not failure" in reply and client.state().flow == "slip"


def test_checking_in_in_words_opens_the_checkin(client, intents):
    assert "1 (very low) to 5 (great)" in client.send(intents.mark("checking in", "checkin"))


def test_a_hard_day_gets_warmth_and_an_offer_naming_someone_in_their_network(client, intents):
    client.send("/network")
    client.send("Mum")
    client.send("9123 4567")
    client.send("/menu")
    reply = client.send(intents.mark("I'm having a rough day", "low_mood"))
    assert "I'm sorry today feels heavy, Ken" in reply
    assert client.labels == ["Log a craving", "Reach out to Mum", "A small step that helps"]
    assert "Mum: 9123 4567" in client.tap("Reach out to Mum")


def test_thanks_and_a_thumbs_up_get_a_short_warm_reply_and_no_menu(client):
    for text in ("thanks", "👍", "🙏"):
        reply = client.send(text)
        assert len(reply.splitlines()) == 1 and client.labels == [], text


def test_a_greeting_is_answered_warmly_with_two_things_to_do(client, intents):
    reply = client.send(intents.mark("hi there", "greeting"))
    assert reply.startswith("Hi Ken") and client.labels == ["Check in", "Log a craving"]


def test_hi_is_a_greeting_not_a_restart(client):
    assert "Welcome back" not in client.send("hi")


def test_progress_shows_the_streak_and_totals_in_words(client, intents):
    reply = client.send(intents.mark("how many days sober am i", "progress"))
    assert "day 30 of this streak" in reply and "Longest streak: 30 days" in reply
    assert "Longest streak: 30 days" in client.send("/progress")


@pytest.mark.parametrize("typed, target, expect", [
    ("quiet hours", "quiet", "quiet"), ("pause", "pause", "pause"), ("change my check-in time pls", "time", "time"),
])
def test_settings_words_go_straight_to_that_setting(client, intents, typed, target, expect):
    intents.mark(typed, "settings", target)
    client.send(typed)
    assert (client.state().flow, client.state().step) == ("settings", expect)


def test_chinese_switches_the_language_at_once(client):
    assert "由而家開始我會用中文" in client.send("中文")
    assert client.person().locale == "zh-HK"


def test_resume_ends_a_pause(client):
    client.send("/settings")
    client.tap("Pause")
    client.send("3")
    client.send("/menu")
    assert "back on" in client.send("resume")
    assert client.profile().paused_until is None


def test_unknown_short_text_names_the_likeliest_things(client, intents):
    intents.mark("hmm", "none", confidence=0.3, likely=("progress", "checkin", "help"))
    assert client.send("hmm") == "I'm not sure I understood. Did you mean one of these?"
    assert client.labels == ["See my progress", "Check in", "What can you do?"]


def test_a_long_vent_is_offered_a_place_as_a_journal_note(client):
    vent = ("work was a nightmare again and my manager shouted at me in front of everyone, then the bus broke "
            "down and I walked home in the rain thinking about all of it")
    assert "keep it as a private journal note" in client.send(vent)
    client.tap("Keep it as a note")
    (note,) = client.rows(JournalNote)
    assert note.text == vent


def test_a_vent_not_kept_is_not_stored(client):
    client.send("x " * 40)
    client.send("no")
    assert client.rows(JournalNote) == []


def test_a_craving_typed_in_the_middle_of_the_network_walk_is_not_saved_as_a_name(client, intents):
    client.send("/network")
    reply = client.send(intents.mark("i really want a drink right now", "craving"))
    assert "How strong is it" in reply
    assert client.rows(SupportContact) == []


def test_an_unsure_intent_does_not_take_someone_out_of_a_question(client, intents):
    client.send("/network")
    client.send(intents.mark("Auntie May", "craving", confidence=0.5))
    assert [c.name for c in client.rows(SupportContact)] == ["Auntie May"]


def test_a_wrong_answer_that_plainly_means_something_else_does_that(client, intents):
    client.send("/checkin")
    reply = client.send(intents.mark("how does this work", "help"))
    assert "Here's what I can do" in reply


def test_thanks_in_the_middle_of_a_question_gets_a_word_back_and_the_question(client):
    client.send("/checkin")
    reply = client.send("thanks")
    assert len(client.last) == 2 and "1 (very low) to 5 (great)" in reply


def test_a_thumbs_up_is_yes_where_yes_is_asked_but_never_yes_i_used(client):
    client.send("/checkin")
    client.send("4")
    client.send("0")
    client.send("👍")
    assert client.rows(CheckIn)[0].used is None and client.state().step == "used"
    client.send("no")
    assert client.rows(CheckIn)[0].used is False


@pytest.mark.parametrize("typed", ["我同意", "ok fine", "👍"])
def test_consent_takes_natural_short_words(chat, typed):
    chat.send("hello")
    chat.send(typed)
    assert chat.person().consent_at is not None


def test_resume_now_takes_the_word_resume(client):
    client.send("/settings")
    client.tap("Pause")
    client.send("3")
    client.tap("Pause")
    client.send("resume")
    assert client.profile().paused_until is None


def test_language_option_takes_the_word_chinese(client):
    client.send("/settings")
    client.tap("Language")
    client.send("chinese")
    assert client.person().locale == "zh-HK"


def test_in_cantonese_a_craving_opens_the_log_in_cantonese(client, rt, intents):
    set_locale(rt, client.person().id, "zh-HK")
    reply = client.send(intents.mark("我好想飲酒", "craving"))
    assert "多謝你話我知" in reply


@pytest.mark.real_model
@pytest.mark.parametrize("text, expect", [
    ("i really want a drink right now", "How strong is it"), ("我好想飲酒", "How strong is it"),
    ("I'm having a rough day", "I'm sorry today feels heavy"), ("today was ok", "1 (very low) to 5 (great)"),
])
def test_with_the_trained_model_the_issues_examples_get_the_right_reply(client, text, expect):
    assert expect in client.send(text)


def test_a_typed_time_is_kept_when_the_checkin_time_changes_through_words(client, intents):
    client.send(intents.mark("change my check-in time", "settings", "time"))
    client.send("20:30")
    assert client.profile().checkin_time == time(20, 30)
    assert isinstance(client.profile(), ClientProfile)
