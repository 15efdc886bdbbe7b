"""Typed answers inside a flow: the step's own parser first, then option words, then close spellings (confirmed)."""

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.handlers.conftest import set_locale


def _to_time_question(chat) -> None:
    chat.send("/settings")
    chat.tap("Check-in time")


@pytest.mark.parametrize("typed, saved", [
    ("20:30", time(20, 30)), ("21:10", time(21, 10)), ("08:30", time(8, 30)), ("12:03", time(12, 3)),
    ("18:01", time(18, 1)), ("8.30pm", time(20, 30)), ("晚上九點半", time(21, 30)),
])
def test_a_typed_time_is_saved_exactly_never_traded_for_a_nearby_button(client, typed, saved):
    _to_time_question(client)
    reply = client.send(typed)
    assert "Did you mean" not in reply
    assert client.profile().checkin_time == saved


@pytest.mark.parametrize("typed", ["20:30", "08:30", "21:10"])
def test_a_typed_time_in_onboarding_is_saved_exactly(chat, typed):
    chat.send("hi")
    chat.tap("I agree")
    chat.send("Ken")
    chat.send("hong kong")
    chat.send(typed)
    assert chat.profile().checkin_time == time.fromisoformat(typed)


def test_a_close_spelling_of_a_time_asks_before_saving(client):
    _to_time_question(client)
    before = client.profile().checkin_time
    reply = client.send("21:0")
    assert "Did you mean 21:00?" in reply
    assert client.profile().checkin_time == before  # nothing saved on a guess
    client.tap("Yes")
    assert client.profile().checkin_time == time(21, 0)


def test_saying_no_to_a_guess_asks_the_question_again_and_saves_nothing(client):
    client.send("/settings")
    client.tap("Check-in time")
    client.profile()
    client.send("18:0")
    reply = client.send("no")
    assert "What time" in reply or "time" in reply.casefold()
    assert client.profile().checkin_time == time(21, 0)
    client.send("18:45")
    assert client.profile().checkin_time == time(18, 45)


def test_a_fresh_answer_instead_of_yes_or_no_is_read_as_the_answer(client):
    _to_time_question(client)
    client.send("12:3")
    client.send("07:15")
    assert client.profile().checkin_time == time(7, 15)


def test_a_typed_number_of_pause_days_means_days_not_the_nth_button(client):
    client.send("/settings")
    client.tap("Pause")
    client.send("2")
    profile = client.profile()
    today = client.rt.clock().astimezone(ZoneInfo("Asia/Hong_Kong")).date()
    assert profile.paused_until == today + timedelta(days=2)
    client.send("/settings")
    client.tap("Pause")  # now "Resume now" is the first button
    client.send("3")
    assert (client.profile().paused_until - profile.paused_until).days == 1  # 3 days from today, not "resume"


def test_a_typed_scale_value_is_the_value_in_chinese_too(client, rt):
    set_locale(rt, client.person().id, "zh-HK")
    client.send("/checkin")
    client.send("四")
    client.send("7")
    from data.models import CheckIn
    row = client.rows(CheckIn)[-1]
    assert (row.mood, row.craving) == (4, 7)


def test_a_close_spelling_of_a_word_option_is_accepted_without_asking(client):
    client.send("/craving")
    client.send("6")
    reply = client.send("lonley")
    assert "Did you mean" not in reply
    from data.models import Craving
    assert "trig:lonely" in client.rows(Craving)[-1].triggers


def test_a_typed_sober_date_wins_over_the_today_button(chat):
    chat.send("hi")
    chat.tap("I agree")
    chat.send("Ken")
    chat.send("hong kong")
    chat.send("21:00")
    chat.send("2026-01-05")
    assert chat.profile().sobriety_start == date(2026, 1, 5)
