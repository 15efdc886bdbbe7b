"""What people type, read forgivingly: numbers, times, dates and places, in English and Chinese."""

from datetime import date, time

import pytest

from handlers.parsing import (
    has_words,
    normalize,
    parse_date,
    parse_int,
    parse_time,
    parse_time_range,
    parse_zone,
)

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize("text, value", [
    ("7", 7), (" 7 ", 7), ("７", 7), ("seven", 7), ("Seven!", 7), ("7/10", 7), ("about 7", 7), ("七", 7),
    ("十", 10), ("零", 0), ("8分", 8), ("zero", 0),
])
def test_numbers(text, value):
    assert parse_int(text) == value


@pytest.mark.parametrize("text", ["", "lots", "7 or 8", "🙂", "siete", "1e9", None])
def test_not_numbers(text):
    assert parse_int(text) is None


@pytest.mark.parametrize("text, value", [
    ("20:00", time(20)), ("8pm", time(20)), ("8 PM", time(20)), ("8:30 pm", time(20, 30)), ("8.30pm", time(20, 30)),
    ("0730", time(7, 30)), ("7am", time(7)), ("12am", time(0)), ("12pm", time(12)), ("noon", time(12)),
    ("晚上8點", time(20)), ("8點半", time(8, 30)), ("下午3點15分", time(15, 15)), ("21", time(21)), ("24:00", time(0)),
])
def test_times(text, value):
    assert parse_time(text) == value


@pytest.mark.parametrize("text", ["25:00", "13pm", "whenever", "", "7:75", "99"])
def test_not_times(text):
    assert parse_time(text) is None


def test_time_ranges():
    assert parse_time_range("22:00-07:00") == (time(22), time(7))
    assert parse_time_range("10pm to 6:30am") == (time(22), time(6, 30))
    assert parse_time_range("晚上10點至早上7點") == (time(22), time(7))
    assert parse_time_range("sometimes") is None
    assert parse_time_range("9-9") is None


@pytest.mark.parametrize("text, value", [
    ("today", TODAY), ("Yesterday", date(2026, 3, 1)), ("3 days ago", date(2026, 2, 27)),
    ("two weeks ago", date(2026, 2, 16)), ("2025-12-25", date(2025, 12, 25)), ("1/2/2026", date(2026, 2, 1)),
    ("25/12", date(2025, 12, 25)), ("3 March", date(2025, 3, 3)), ("Feb 1", date(2026, 2, 1)),
    ("Jan 5th, 2024", date(2024, 1, 5)), ("3日前", date(2026, 2, 27)), ("2026年2月1日", date(2026, 2, 1)),
    ("琴日", date(2026, 3, 1)),
])
def test_dates(text, value):
    assert parse_date(text, TODAY) == value


@pytest.mark.parametrize("text", ["ayer", "31/2/2026", "someday", "", "2026-13-01"])
def test_not_dates(text):
    assert parse_date(text, TODAY) is None


@pytest.mark.parametrize("text, zone", [
    ("Europe/London", "Europe/London"), ("london", "Europe/London"), ("New York", "America/New_York"),
    ("香港", "Asia/Hong_Kong"), ("HK", "Asia/Hong_Kong"), ("tokyo", "Asia/Tokyo"), ("Sydeny", "Australia/Sydney"),
])
def test_zones(text, zone, content):
    assert parse_zone(text, content.places) == zone


def test_unknown_places(content):
    assert parse_zone("Atlantis under the sea", content.places) is None
    assert parse_zone("", content.places) is None


def test_normalize_and_has_words():
    assert normalize("  Ｈｅｌｌｏ\u200b  World ") == "hello world"
    assert has_words("ok 🙂") and not has_words("🙂🙏!!")
