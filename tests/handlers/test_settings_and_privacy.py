"""Settings changes, export of all data as JSON, and erasure after confirmation."""

import json
from datetime import date, time

from sqlmodel import Session, func, select

from data.models import (
    ChannelAddress,
    CheckIn,
    ClientProfile,
    ConversationState,
    Craving,
    Escalation,
    InboundEvent,
    Outbox,
    Person,
    Slip,
    SupportContact,
)


def test_change_time_zone_quiet_hours_pause_and_language(client):
    reply = client.send("/settings")
    assert "Check-in time: 21:00" in reply and "Time zone: Hong Kong time" in reply
    client.tap("Check-in time")
    client.send("7:15am")
    client.tap("Time zone")
    client.send("Europe/London")
    client.tap("Quiet hours")
    assert "22:00-07:00" in client.last[-1].text
    client.send("23:00 to 06:30")
    client.tap("Pause")
    assert "paused until 2026-03-09" in client.send("7")
    client.tap("Done")
    profile = client.profile()
    assert profile.checkin_time == time(7, 15)
    assert (profile.quiet_start, profile.quiet_end) == (time(23, 0), time(6, 30))
    assert profile.paused_until == date(2026, 3, 9)
    assert client.person().timezone == "Europe/London"


def test_bad_settings_answers_reask(client):
    client.send("/settings")
    client.tap("Quiet hours")
    assert "range like 22:00-07:00" in client.send("sometimes")
    client.tap("Off")
    client.tap("Pause")
    assert "from 1 to 90" in client.send("500")
    client.tap("1 day")
    client.tap("Pause")
    client.tap("Resume now")
    assert client.profile().paused_until is None


def test_language_switch_changes_the_bots_language(client):
    client.send("/settings")
    client.tap("Language")
    client.tap("繁體中文")
    assert client.person().locale == "zh-HK"
    assert "Check-in time" not in client.last[-1].text


def test_export_sends_everything_as_a_json_file(client):
    client.send("/network")
    client.send("Mum")
    client.send("9123 4567")
    client.tap("Yes")
    client.tap("Finish")
    client.send("/craving")
    client.send("5")
    reply = client.send("/export")
    assert "recovery-export-2026-03-02.json" in reply
    data = json.loads(client.last[-1].attachment["content"])
    assert data["person"]["display_name"] == "Ken"
    assert data["support_network"][0]["name"] == "Mum"
    assert data["cravings"][0]["intensity"] == 5
    assert data["profile"][0]["checkin_time"] == "21:00:00"


def test_delete_needs_confirmation_then_erases_everything(client, rt):
    client.send("/network")
    client.send("Mum")
    client.tap("Skip")
    client.tap("Yes")
    client.tap("Finish")
    client.send("/checkin")
    client.send("3")
    client.send("3")
    client.tap("Yes")
    client.tap("Today")
    client.send("I want to kill myself")
    client.tap("I'm safe")
    client.send("/delete")
    assert "keep my data" in client.labels[-1].casefold()
    client.tap("No, keep")
    assert client.person() is not None
    client.send("/delete")
    reply = client.tap("Yes, erase")
    assert "Everything is erased" in reply
    assert client.last[-1].person_id is None
    assert client.person() is None
    with Session(rt.db) as session:
        for table in (Person, ChannelAddress, ClientProfile, SupportContact, CheckIn, Craving, Slip, Escalation,
                      ConversationState):
            assert session.exec(select(func.count()).select_from(table)).one() == 0, table.__name__
        assert session.exec(select(func.count()).select_from(Outbox)).one() == 1  # only the goodbye
        assert all(e.person_id is None for e in session.exec(select(InboundEvent)))
    assert "Is that okay with you?" in client.send("hi again")  # a fresh start


def test_time_zones_are_shown_as_places_in_the_persons_language(client, rt):
    from tests.handlers.conftest import set_locale

    set_locale(rt, client.person().id, "zh-HK")
    assert "時區：香港時間" in client.send("/settings")
    client.send("2")
    client.send("london")
    assert "倫敦時間" in client.last[-1].text and "Europe/London" not in client.last[-1].text


def test_quiet_hours_over_the_checkin_time_get_a_warning_and_a_choice(client):
    from datetime import time

    client.send("/settings")
    client.tap("Quiet hours")
    reply = client.send("20:00-08:00")
    assert "your check-in time, 21:00, is inside your quiet hours (20:00-08:00)" in reply
    assert client.labels == ["Change check-in time", "Change quiet hours", "Keep both"]
    client.tap("Change check-in time")
    client.send("19:30")
    assert client.profile().checkin_time == time(19, 30)
    assert "inside your quiet hours" not in client.last[-1].text  # no clash any more
    client.send("/settings")
    client.tap("Check-in time")
    client.send("23:00")  # into the quiet hours from the other side
    assert "inside your quiet hours" in client.last[-1].text
    client.tap("Keep both")
    assert client.profile().checkin_time == time(23, 0)
