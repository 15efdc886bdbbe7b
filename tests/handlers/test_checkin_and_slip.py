"""The daily check-in answer and the slip flow: streaks restart, totals and the longest streak never vanish."""

from datetime import date

from data.models import CheckIn, Slip


def test_checkin_records_answers_and_shows_the_streak(client):
    client.send("/checkin")
    assert "1 (very low) to 5 (great)" in client.last[-1].text
    client.send("good")  # a word for a scale value
    client.send("3")
    client.tap("No")
    reply = client.send("Went to a meeting")
    assert "Current streak: 30 days. Total sober days: 30" in reply
    (row,) = client.rows(CheckIn)
    assert (row.mood, row.craving, row.used, row.note, row.streak_days) == (4, 3, False, "Went to a meeting", 30)
    assert row.local_date == date(2026, 3, 2)
    assert row.answered_at is not None


def test_checkin_is_one_per_local_day_and_can_be_updated(client):
    client.send("/checkin")
    client.send("3")
    client.send("2")
    client.tap("No")
    client.tap("Skip")
    assert "already checked in today" in client.send("check in")
    client.tap("Update")
    client.send("5")
    client.send("0")
    client.tap("No")
    client.tap("Skip")
    (row,) = client.rows(CheckIn)
    assert (row.mood, row.craving) == (5, 0)


def test_strong_craving_at_checkin_offers_the_craving_log(client):
    client.send("/checkin")
    client.send("2")
    client.send("8")
    client.tap("No")
    client.tap("Skip")
    assert "log one now" in client.last[-1].text
    client.tap("Yes")
    assert "How strong is it" in client.last[-1].text


def test_used_yes_leads_to_a_slip_that_keeps_totals_and_longest(client, clock):
    client.send("/checkin")
    client.send("2")
    client.send("9")
    reply = client.tap("Yes")
    assert "Thank you for being honest" in reply
    reply = client.tap("Yesterday")
    assert "not failure" in reply
    assert "Total sober days: 29" in reply and "Longest streak: 29 days" in reply
    client.send("A party with old friends")
    reply = client.send("Leave early and call my sponsor")
    assert "Be kind to yourself" in reply
    (slip,) = client.rows(Slip)
    assert slip.occurred_on == date(2026, 3, 1) and slip.streak_days_before == 29
    assert (slip.what_happened, slip.next_time) == ("A party with old friends", "Leave early and call my sponsor")
    assert client.rows(CheckIn)[0].used is True
    profile = client.profile()
    assert (profile.banked_sober_days, profile.longest_streak_days, profile.streak_start) == (29, 29, date(2026, 3, 2))
    # Ten days later: the new streak is 10, the total keeps growing from 29, the longest stays 29.
    clock.advance(days=10)
    client.send("/checkin")
    client.send("4")
    client.send("1")
    client.tap("No")
    reply = client.tap("Skip")
    assert "Current streak: 10 days. Total sober days: 39. Longest streak: 29 days" in reply


def test_slip_command_with_a_typed_date_and_skips(client):
    client.send("/slip")
    client.send("3 days ago")
    client.tap("Skip")
    client.tap("Skip")
    (slip,) = client.rows(Slip)
    assert slip.occurred_on == date(2026, 2, 27)
    assert slip.what_happened is None and slip.next_time is None


def test_slip_date_in_the_future_reasks(client):
    client.send("/slip")
    assert "still to come" in client.send("2027-01-01")
    assert client.rows(Slip) == []


def test_first_day_of_a_streak_is_called_day_one(chat):
    chat.onboard(sober="today")
    chat.send("/checkin")
    chat.send("3")
    chat.send("1")
    chat.tap("No")
    assert "Today is day one of this streak" in chat.tap("Skip")


def _checkin(client, mood="4", craving="1"):
    client.send("/checkin")
    client.send(mood)
    client.send(craving)
    client.send("no")
    return client.send("skip")


def test_a_milestone_is_celebrated_once_and_streak_figures_agree(chat, clock):
    chat.onboard(sober="6 days ago")
    clock.advance(days=1)
    done = _checkin(chat)
    assert "7 days in a row" in done and "Current streak: 7 days" in done
    assert "day 7 of this streak" in chat.send("/progress")  # one function, the same figure everywhere
    chat.send("/checkin")
    chat.tap("Update it")
    for answer in ("4", "1", "no"):
        chat.send(answer)
    assert "in a row" not in chat.send("skip")  # updating the same day does not celebrate again
    clock.advance(days=1)
    assert "in a row" not in _checkin(chat)  # day 8 is no milestone


def test_the_lowest_mood_is_heard_before_the_next_question_and_support_is_offered(client):
    client.send("/checkin")
    reply = client.send("1")
    assert reply.index("I'm sorry today is so hard") < reply.index("How strong have cravings been")
    client.send("2")
    client.send("no")
    client.send("skip")
    assert client.labels == ["Log a craving", "Reach out to someone", "A small step that helps"]


def test_a_very_strong_craving_is_acknowledged_before_the_next_question(client):
    client.send("/checkin")
    client.send("3")
    reply = client.send("9")
    assert reply.index("A 9 out of 10") < reply.index("Have you used")
    client.send("no")
    client.send("skip")
    assert "Would you like to log one now" in client.last[-1].text


def test_milestone_and_acknowledgements_in_cantonese(chat, clock, rt):
    from tests.handlers.conftest import set_locale

    chat.onboard(sober="today")
    set_locale(rt, chat.person().id, "zh-HK")
    clock.advance(days=1)
    chat.send("/checkin")
    assert "辛苦你喇" in chat.send("1")
    chat.send("2")
    chat.send("冇")
    assert "連續 1 日" in chat.send("略過")
