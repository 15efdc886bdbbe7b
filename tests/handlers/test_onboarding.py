"""Onboarding as a conversation: consent first, then name, time zone, check-in time and sober date."""

from datetime import date, time

from data.models import ClientProfile, ConversationState, Person


def test_first_message_asks_for_consent_and_stores_only_the_address(chat):
    reply = chat.send("hello")
    assert "Harbour Clinic" in reply
    assert "/delete" in reply and "/export" in reply
    assert chat.labels[:3] == ["I agree", "Tell me more", "Not now"]
    person = chat.person()
    assert person.consent_at is None and person.display_name is None
    assert chat.rows(ClientProfile) == []


def test_not_now_keeps_nothing_and_start_brings_consent_back(chat):
    chat.send("hi")
    assert "haven't saved anything" in chat.tap("Not now")
    assert chat.person().consent_at is None
    assert "Is that okay with you?" in chat.send("/start")


def test_commands_before_consent_lead_back_to_consent(chat):
    chat.send("hi")
    reply = chat.send("/checkin")
    assert "OK on privacy" in reply and "Is that okay with you?" in reply


def test_tell_me_more_explains_then_asks_again(chat):
    chat.send("hi")
    reply = chat.tap("Tell me more")
    assert "nothing but the address" in reply
    assert "I agree" in chat.labels


def test_full_onboarding_stores_the_answers(chat):
    chat.send("hi")
    chat.send("1")  # typed number picks "I agree"
    assert "call you" in chat.last[-1].text
    chat.send("  Ken  ")
    assert "Which city" in chat.last[-1].text
    chat.send("london")
    chat.send("8:30 pm")
    reply = chat.send("2026-02-01")
    assert "all set, Ken" in reply and "20:30 (London time)" in reply
    person = chat.person()
    assert person.display_name == "Ken" and person.timezone == "Europe/London"
    assert person.consent_at is not None
    profile = chat.profile()
    assert profile.checkin_time == time(20, 30)
    assert profile.sobriety_start == date(2026, 2, 1) == profile.streak_start
    assert chat.labels == ["Yes, let's start", "Later"]


def test_profile_name_is_offered_as_a_button(rt):
    from tests.chat import Chat

    chat = Chat(rt, address="tg-77", channel="telegram", profile_name="Mei")
    chat.send("hi")
    chat.tap("I agree")
    assert "Mei" in chat.labels
    chat.tap("Mei")
    assert chat.person().display_name == "Mei"


def test_chinese_first_message_answers_in_chinese_and_language_can_switch(chat):
    chat.send("你好，我想開始")
    assert chat.person().locale == "zh-HK"
    chat.tap("English")
    assert chat.person().locale == "en"
    assert "Is that okay with you?" in chat.last[-1].text


def test_skip_sobriety_date_counts_from_today(chat):
    chat.send("hi")
    chat.tap("I agree")
    chat.send("Ken")
    chat.tap("Hong Kong")
    chat.tap("21:00")
    assert "start counting from today" in chat.tap("Skip")
    profile = chat.profile()
    assert profile.sobriety_start is None and profile.streak_start == date(2026, 3, 2)


def test_bad_answers_reask_with_a_hint_and_keep_earlier_answers(chat):
    chat.send("hi")
    chat.tap("I agree")
    assert "letters or numbers" in chat.send("🙂🙂🙂")
    assert chat.state().step == "name"
    assert "shorter name" in chat.send("x" * 5000)
    chat.send("Ken")
    assert "don't know that place" in chat.send("Atlantis under the sea")
    chat.tap("Hong Kong")
    assert "couldn't read that as a time" in chat.send("whenever")
    assert "couldn't read that as a time" in chat.send("")
    assert "couldn't read that as a time" in chat.send("25:99")
    chat.send("7am")
    assert "still to come" in chat.send("2099-01-01")
    assert "couldn't read that as a date" in chat.send("ayer")
    chat.tap("Today")
    assert chat.person().display_name == "Ken"
    assert chat.profile().checkin_time == time(7, 0)


def test_out_of_range_number_for_a_button_question_reasks(chat):
    chat.send("hi")
    reply = chat.send("9")
    assert "Tap \"I agree\" to begin" in reply and "Is that okay with you?" not in reply
    assert chat.labels[:3] == ["I agree", "Tell me more", "Not now"]
    assert chat.person().consent_at is None


def test_restart_mid_flow_continues_at_the_same_step(rt, content, clock):
    """A new process on the same database picks the conversation up where it was."""
    from handlers.types import Runtime
    from tests.chat import Chat

    first = Chat(rt, address="client-restart")
    first.send("hi")
    first.tap("I agree")
    first.send("Ken")
    rt.db.dispose()
    fresh = Runtime(db=rt.db, content=content, clock=clock)  # as a new process would build it
    second = Chat(fresh, address="client-restart")
    second.seen = first.seen
    second.send("Asia/Tokyo")
    assert "What time each day" in second.last[-1].text
    assert second.person().timezone == "Asia/Tokyo"


def test_state_lives_in_the_database(chat, rt):
    from sqlmodel import Session

    chat.send("hi")
    chat.tap("I agree")
    person_id = chat.person().id
    with Session(rt.db) as session:
        state = session.get(ConversationState, person_id)
        assert (state.flow, state.step) == ("onboarding", "name")
        assert session.get(Person, person_id).consent_at is not None
