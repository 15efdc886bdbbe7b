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


def test_a_thumbs_up_answers_yes_to_a_yes_no_question(client):
    client.send("/checkin")
    for answer in ("3", "9", "no", "skip"):
        client.send(answer)
    assert "How strong is it" in client.send("👍")  # "log one now?" yes


# -- the same, in Cantonese -----------------------------------------------------------------------------------
@pytest.fixture
def zh(client, rt):
    set_locale(rt, client.person().id, "zh-HK")
    return client


def test_cantonese_thanks_gets_a_short_warm_reply(zh):
    reply = zh.send("唔該")
    assert len(reply.splitlines()) == 1 and zh.labels == []
    assert any(word in reply for word in ("唔使客氣", "隨時", "幫到你"))


def test_cantonese_hard_day_offer(zh, intents):
    reply = zh.send(intents.mark("今日好攰好down", "low_mood"))
    assert "今日辛苦你喇" in reply and zh.labels == ["記錄心癮", "搵人傾下", "一個幫到手嘅小步"]


def test_cantonese_unknown_and_journal(zh, intents):
    intents.mark("嗯", "none", likely=("checkin", "craving", "progress"))
    assert "我唔係好肯定" in zh.send("嗯") and zh.labels == ["報到", "記錄心癮", "睇我嘅進度"]
    vent = "今日返工俾老細當眾鬧 放工又落大雨 返到屋企成身濕晒 真係覺得好多嘢都唔順 想搵個地方講下先" * 2
    assert "私人筆記" in zh.send(vent)
    zh.tap("留低做筆記")
    assert len(zh.rows(JournalNote)) == 1


def test_cantonese_control_words_skip_and_undo(zh):
    zh.send("/craving")
    assert "唔可以略過" in zh.send("略過")
    zh.send("5")
    zh.send("完成")
    zh.send("略過")
    assert zh.state().step == "with_whom"
    zh.send("/menu")
    assert "收返啱啱記錄嘅心癮" in zh.send("復原")
    zh.tap("係，收返")
    assert zh.rows(Craving) == []


def test_cantonese_progress_and_settings_words(zh):
    assert "呢段清醒已經係第 30 日" in zh.send("進度")
    zh.send("暫停")
    assert (zh.state().flow, zh.state().step) == ("settings", "pause")


def test_cantonese_quiet_hours_warning_and_sharing_screen(zh, rt):
    from tests.scheduler.conftest import add_partner

    zh.send("/settings")
    zh.send("3")  # quiet hours
    assert "喺靜音時間" in zh.send("20:00-08:00")
    zh.tap("兩樣都保留")
    add_partner(rt, zh.person().id)
    zh.send("/settings")
    assert "Mum 應該知道你啲乜？而家：只係冇報到" in zh.send("6")
