"""Turns what people type (numbers, words, times, dates, places) into values, forgivingly and in two languages."""

from __future__ import annotations

import difflib
import re
import unicodedata
from datetime import date, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

_SPACE = re.compile(r"\s+")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))

EN_NUMBERS = {
    "zero": 0, "none": 0, "nil": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}


def normalize(text: str | None) -> str:
    """Lower-case, width-fold and tidy a message so comparisons forgive case, spacing and full-width digits."""
    if not text:
        return ""
    # Button labels and short answers repeat across everyone, many times per message: remember them.
    return _normalize_short(text) if len(text) <= 64 else _normalize(text)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH)
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return _SPACE.sub(" ", text).strip().casefold()


_normalize_short = lru_cache(maxsize=8192)(_normalize)


def has_words(text: str | None) -> bool:
    """True when the text holds at least one letter or digit (not only emoji or punctuation)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text or "")


def _zh_number(text: str) -> int | None:
    if text in ZH_DIGITS:
        return ZH_DIGITS[text]
    m = re.fullmatch(r"([一二三四五六七八九兩两])?十([一二三四五六七八九])?", text)
    if m:
        tens = ZH_DIGITS[m.group(1)] if m.group(1) else 1
        return tens * 10 + (ZH_DIGITS[m.group(2)] if m.group(2) else 0)
    return None


def parse_int(text: str | None) -> int | None:
    """A whole number said as digits, English words or Chinese numerals ("7", "seven", "七", "7/10")."""
    t = normalize(text)
    if not t:
        return None
    m = re.fullmatch(r"(?:about |around |maybe |like |大概|約)?(-?\d{1,3})(?: ?/ ?10| out of 10|分)?[.!]?", t)
    if m:
        return int(m.group(1))
    word = t.strip(".! ")
    if word in EN_NUMBERS:
        return EN_NUMBERS[word]
    return _zh_number(word.removesuffix("分"))


def parse_time(text: str | None) -> time | None:
    """A time of day: "20:00", "8pm", "8.30 pm", "0830", "晚上8點半", "noon"."""
    t = normalize(text).replace(" ", "")
    if not t:
        return None
    if t in {"noon", "midday", "中午"}:
        return time(12, 0)
    if t in {"midnight", "午夜"}:
        return time(0, 0)
    zh = re.fullmatch(r"(早上|上午|朝早|中午|下午|晏晝|晚上|夜晚|夜晚黑|夜晚|凌晨|夜)?(\d{1,2}|[一二三四五六七八九十]+)[點点時时](半|(\d{1,2})分?)?", t)
    if zh:
        hour = int(zh.group(2)) if zh.group(2).isdigit() else _zh_number(zh.group(2))
        minute = 30 if zh.group(3) == "半" else int(zh.group(4) or 0)
        if hour is None:
            return None
        if zh.group(1) in {"下午", "晏晝", "晚上", "夜晚", "夜晚黑", "夜"} and hour < 12:
            hour += 12
        return _time_or_none(hour, minute)
    m = re.fullmatch(r"(\d{1,2})(?:[:.h](\d{2}))?(am|pm|a\.m\.|p\.m\.)?", t)
    if not m:
        m4 = re.fullmatch(r"(\d{2})(\d{2})", t)
        return _time_or_none(int(m4.group(1)), int(m4.group(2))) if m4 else None
    hour, minute, half = int(m.group(1)), int(m.group(2) or 0), (m.group(3) or "").replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif m.group(2) is None and hour > 24:
        return None
    return _time_or_none(hour, minute)


def _time_or_none(hour: int, minute: int) -> time | None:
    if hour == 24 and minute == 0:
        hour = 0
    return time(hour, minute) if 0 <= hour < 24 and 0 <= minute < 60 else None


def parse_time_range(text: str | None) -> tuple[time, time] | None:
    """Two times such as "22:00-07:00", "10pm to 7am" or "晚上10點至早上7點"."""
    parts = re.split(r"\s*(?:-|–|—|~|to|until|till|至|到)\s*", normalize(text), maxsplit=1)
    if len(parts) != 2:
        return None
    start, end = parse_time(parts[0]), parse_time(parts[1])
    return (start, end) if start is not None and end is not None and start != end else None


MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


def parse_date(text: str | None, today: date) -> date | None:
    """A past or present date: "today", "yesterday", "3 days ago", "2025-03-01", "1/3/2025" (day first), "3 March"."""
    t = normalize(text).strip(".")
    if not t:
        return None
    if t in {"today", "今日", "今天"}:
        return today
    if t in {"yesterday", "昨日", "琴日", "尋日", "昨天"}:
        return today - timedelta(days=1)
    m = re.fullmatch(r"(\d{1,4}|[a-z]+) ?(day|week|month|year)s? ago|(\d{1,4}) ?(日|天|星期|個星期|週|個月|月|年)前", t)
    if m:
        n = parse_int(m.group(1) or m.group(3))
        unit = m.group(2) or {"日": "day", "天": "day", "星期": "week", "個星期": "week", "週": "week",
                              "個月": "month", "月": "month", "年": "year"}[m.group(4)]
        if n is None:
            return None
        days = n * {"day": 1, "week": 7, "month": 30, "year": 365}[unit]
        return today - timedelta(days=days) if days <= 365 * 80 else None
    try:
        return _calendar_date(t, today)
    except ValueError:
        return None


def _calendar_date(t: str, today: date) -> date | None:
    if m := re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", t):
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?", t):
        year = int(m.group(3)) if m.group(3) else today.year
        year += 2000 if year < 100 else 0
        found = date(year, int(m.group(2)), int(m.group(1)))
        return _last_past(found, today, explicit_year=bool(m.group(3)))
    if m := re.fullmatch(r"(\d{1,2})月(\d{1,2})[日號号]", t):
        return _last_past(date(today.year, int(m.group(1)), int(m.group(2))), today, False)
    if m := re.fullmatch(r"(\d{1,2}) ?([a-z]{3})[a-z]*,? ?(\d{4})?|([a-z]{3})[a-z]* (\d{1,2})(?:st|nd|rd|th)?,? ?(\d{4})?", t):
        day, mon, year = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(5), m.group(4), m.group(6))
        if mon not in MONTHS:
            return None
        found = date(int(year) if year else today.year, MONTHS[mon], int(day))
        return _last_past(found, today, explicit_year=bool(year))
    return None


def _last_past(found: date, today: date, explicit_year: bool) -> date:
    # "3 March" typed in January means last March, not a date still to come.
    if not explicit_year and found > today:
        return found.replace(year=found.year - 1)
    return found


@lru_cache(maxsize=1)
def _zone_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for zone in sorted(available_timezones()):
        if "/" not in zone or zone.startswith(("Etc/", "SystemV/")):
            continue
        index.setdefault(zone.casefold(), zone)
        index.setdefault(zone.rsplit("/", 1)[1].replace("_", " ").casefold(), zone)
    return index


def parse_zone(text: str | None, places: dict[str, str] | None = None) -> str | None:
    """An IANA time zone from a zone name ("Europe/London"), a city ("london") or a known place ("香港")."""
    t = normalize(text).strip(".!")
    if not t:
        return None
    if places and t in places:
        return places[t]
    index = _zone_index()
    if t in index:
        return index[t]
    if t.replace(" ", "_") in index:
        return index[t.replace(" ", "_")]
    close = difflib.get_close_matches(t, list(index) + list(places or {}), n=1, cutoff=0.8)
    if close:
        return (places or {}).get(close[0]) or index.get(close[0])
    return None


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (KeyError, ValueError):
        return False
    return True


def close_match(text: str, candidates: list[str], cutoff: float = 0.8) -> str | None:
    """The candidate a short typo most likely meant ("lonley" -> "lonely")."""
    if not text or len(text) > 40:
        return None
    found = difflib.get_close_matches(text, candidates, n=1, cutoff=cutoff)
    return found[0] if found else None


ID_MAX = 2**31 - 1  # the database's integer columns


def parse_id(text: str | None) -> int | None:
    """A row id from a button's payload: ASCII digits only ("²" is a digit to str.isdigit), within range."""
    if not text or len(text) > 10 or not text.isascii() or not text.isdecimal():
        return None
    value = int(text)
    return value if 0 < value <= ID_MAX else None


_SURROGATES = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """What a person sent, storable anywhere: no NUL or other control characters (PostgreSQL refuses NUL),
    no lone surrogates (not valid UTF-8); anything else is kept as written."""
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    return _CONTROLS.sub("", text)
