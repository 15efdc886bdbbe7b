"""Risk flags on a clinician's dashboard: a few plain rules, each flag with the numbers that raised it.

No score and no model: a client is flagged when one of these rules holds, and the flag says why in
numbers the clinician can check against the client's record. Days are the client's local days.

- craving_up: the average craving of the last 3 days (today included) is at least 2 points above the
  client's usual, the average of the 30 days before them (at least 3 values). Cravings are the answers
  to check-ins and the cravings logged, alike.
- missed: 2 or more check-ins missed in the last 7 days (prompted, never answered, and from a day
  before today: today's is not missed yet).
- slip: a slip in the last 7 days (today included); says how many days ago the latest was.
- mood_falling: the last 3 answered check-ins, on 3 days in a row, the latest within the last 7 days,
  each with a lower mood than the one before.

`assess` applies the rules to one client's facts and touches no database; `risks_for` loads the facts
of many clients at once and assesses each; `describe` puts a flag into words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from itertools import pairwise
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast
from sqlmodel import Session, col, select

from data.content import Content
from data.models import CheckIn, Craving, Person, Slip

CRAVING_RECENT_DAYS = 3
CRAVING_USUAL_DAYS = 30
CRAVING_USUAL_MIN_VALUES = 3
CRAVING_RISE = 2  # points on the 0-10 scale
MISSED_DAYS = 7
MISSED_MIN = 2
SLIP_DAYS = 7
MOOD_RUN = 3
MOOD_WITHIN_DAYS = 7
# How far back the facts reach, today included: enough for every rule above.
LOOKBACK_DAYS = CRAVING_RECENT_DAYS + CRAVING_USUAL_DAYS
ARROW = " → "


class Check(NamedTuple):
    """One local day's check-in, as the rules see it (a tuple: thousands are built for one page)."""

    day: date
    prompted: bool = True
    answered: bool = True
    mood: int | None = None
    craving: int | None = None


@dataclass(frozen=True)
class Facts:
    """What the rules know about one client: their recent check-ins, logged cravings and slips."""

    today: date
    checkins: tuple[Check, ...] = ()
    logged: tuple[tuple[date, int], ...] = ()  # (local day, intensity) of each logged craving
    slips: tuple[date, ...] = ()
    # When `checkins` reach back only part of the usual-craving window (a caseload of 500 reads two weeks
    # day by day), the (sum, count) of the answered check-ins' cravings in the rest of that window.
    earlier: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Fired:
    """A rule that holds for a client, with the numbers that made it hold."""

    rule: str
    numbers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RiskRule:
    """One rule: its key (also its text, `risk.<key>`) and the check that returns its numbers when it holds."""

    key: str
    check: Callable[[Facts], dict[str, Any] | None]


def _days(today: date, count: int, *, ending: int = 0) -> tuple[date, date]:
    """The first and last of `count` days ending `ending` days before today."""
    last = today - timedelta(days=ending)
    return last - timedelta(days=count - 1), last


def craving_values(facts: Facts, first: date, last: date) -> list[int]:
    """Every craving strength on record from `first` to `last`: answered check-ins and logged cravings."""
    values = [c.craving for c in facts.checkins
              if c.answered and c.craving is not None and first <= c.day <= last]
    return values + [level for day, level in facts.logged if first <= day <= last]


def average(values: list[int]) -> Fraction | None:
    """The exact mean (so a threshold is met exactly at its value), or None without values."""
    return Fraction(sum(values), len(values)) if values else None


def one_decimal(value: Fraction) -> float:
    """A non-negative average to one decimal, halves rounded up as people do (6.25 is 6.3)."""
    n, d = value.numerator, value.denominator  # integers: Fraction arithmetic cost 30 us a call
    return (20 * n + d) // (2 * d) / 10


def craving_up(facts: Facts) -> dict[str, Any] | None:
    recent = average(craving_values(facts, *_days(facts.today, CRAVING_RECENT_DAYS)))
    usual_values = craving_values(facts, *_days(facts.today, CRAVING_USUAL_DAYS, ending=CRAVING_RECENT_DAYS))
    total, count = sum(usual_values) + facts.earlier[0], len(usual_values) + facts.earlier[1]
    if recent is None or count < CRAVING_USUAL_MIN_VALUES:
        return None
    usual = Fraction(total, count)
    if recent - usual < CRAVING_RISE:
        return None
    return {"recent": one_decimal(recent), "usual": one_decimal(usual)}


def missed(facts: Facts) -> dict[str, Any] | None:
    first, _ = _days(facts.today, MISSED_DAYS)
    days = {c.day for c in facts.checkins if c.prompted and not c.answered and first <= c.day < facts.today}
    if len(days) < MISSED_MIN:
        return None
    return {"missed": len(days), "days": MISSED_DAYS}


def slip(facts: Facts) -> dict[str, Any] | None:
    first, last = _days(facts.today, SLIP_DAYS)
    recent = [day for day in facts.slips if first <= day <= last]
    if not recent:
        return None
    return {"days_ago": (facts.today - max(recent)).days}


def mood_falling(facts: Facts) -> dict[str, Any] | None:
    answered = sorted((c.day, c.mood) for c in facts.checkins
                      if c.answered and c.mood is not None and c.day <= facts.today)
    run = answered[-MOOD_RUN:]
    if len(run) < MOOD_RUN or run[-1][0] < _days(facts.today, MOOD_WITHIN_DAYS)[0]:
        return None
    if any((b[0] - a[0]).days != 1 or b[1] >= a[1] for a, b in pairwise(run)):
        return None
    return {"moods": ARROW.join(str(mood) for _, mood in run)}


RULES: tuple[RiskRule, ...] = (
    RiskRule("craving_up", craving_up),
    RiskRule("missed", missed),
    RiskRule("slip", slip),
    RiskRule("mood_falling", mood_falling),
)


def assess(facts: Facts) -> list[Fired]:
    """The rules that hold for this client, in the order of RULES, each with its numbers."""
    found = []
    for rule in RULES:
        numbers = rule.check(facts)
        if numbers is not None:
            found.append(Fired(rule.key, numbers))
    return found


def describe(content: Content, locale: str, fired: Fired) -> str:
    """A fired rule in words a clinician reads at a glance: "craving 7.3 vs usual 4.1"."""
    numbers = dict(fired.numbers)
    key = f"risk.{fired.rule}"
    if fired.rule == "craving_up":
        numbers = {name: f"{value:.1f}" for name, value in numbers.items()}
    elif fired.rule == "slip" and numbers.get("days_ago") == 0:
        key = "risk.slip_today"
    return content.text(key, locale, **numbers)


# -- loading facts for many clients at once ------------------------------------------------------------------
def zone_of(name: str | None) -> ZoneInfo:
    """The client's time zone; UTC when the stored name is not one."""
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def zones_for(session: Session, client_ids: Iterable[int]) -> dict[int, ZoneInfo]:
    rows = session.exec(select(Person.id, Person.timezone).where(col(Person.id).in_(list(client_ids))))
    return {pid: zone_of(name) for pid, name in rows}


def utc_floor(day: date) -> datetime:
    """An instant before local midnight of `day` in every time zone (zones run at most 14 hours ahead)."""
    return datetime.combine(day - timedelta(days=1), time(), tzinfo=UTC)


def load_facts(session: Session, client_ids: Iterable[int], today_by_client: Mapping[int, date], *,
               zones: Mapping[int, ZoneInfo] | None = None, days: int = LOOKBACK_DAYS,
               with_logged: bool = True) -> dict[int, Facts]:
    """The facts of each client over their last `days` local days: three queries, however many clients
    (two without the logged cravings, for a caller that reads them over a longer span itself). Core
    queries on the session's connection: plain rows, none of the ORM's per-row work."""
    ids = [i for i in dict.fromkeys(client_ids) if i in today_by_client]
    if not ids:
        return {}
    if zones is None:
        zones = zones_for(session, ids)
    first = {i: today_by_client[i] - timedelta(days=days - 1) for i in ids}
    since = min(first.values())

    def within(client_id: int, day: date) -> bool:
        return first[client_id] <= day <= today_by_client[client_id]

    checks: dict[int, list[Check]] = defaultdict(list)
    # Whether prompted and answered, not when, and each day as its ISO text read once per distinct day: for
    # a caseload of 500 that is 18,000 rows, and parsing an instant or a date on every one cost more than
    # the query itself.
    days_seen: dict[str, date] = {}
    spans = {i: (first[i], today_by_client[i]) for i in ids}
    conn = session.connection()
    rows = conn.execute(
        select(CheckIn.client_id, cast(CheckIn.local_date, String), col(CheckIn.prompted_at).is_not(None),
               col(CheckIn.answered_at).is_not(None), CheckIn.mood, CheckIn.craving)
        .where(col(CheckIn.client_id).in_(ids), col(CheckIn.local_date) >= since)
        .order_by(col(CheckIn.client_id), col(CheckIn.local_date))).all()
    make = Check._make
    for cid, iso, prompted, answered, mood, craving in rows:
        day = days_seen.get(iso)
        if day is None:
            day = days_seen[iso] = date.fromisoformat(iso[:10])
        low, high = spans[cid]
        if low <= day <= high:
            checks[cid].append(make((day, prompted, answered, mood, craving)))
    logged: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for cid, at, level in conn.execute(
        select(Craving.client_id, Craving.logged_at, Craving.intensity)
        .where(col(Craving.client_id).in_(ids), col(Craving.logged_at) >= utc_floor(since))
    ) if with_logged else ():
        day = at.astimezone(zones.get(cid, ZoneInfo("UTC"))).date()
        if within(cid, day):
            logged[cid].append((day, level))
    slips: dict[int, list[date]] = defaultdict(list)
    for cid, day in conn.execute(
        select(Slip.client_id, Slip.occurred_on).where(col(Slip.client_id).in_(ids), col(Slip.occurred_on) >= since)
    ):
        if within(cid, day):
            slips[cid].append(day)
    return {
        i: Facts(today=today_by_client[i], checkins=tuple(checks[i]),  # in day order (the query's)
                 logged=tuple(sorted(logged[i])), slips=tuple(sorted(slips[i])))
        for i in ids
    }


def risks_for(session: Session, client_ids: Iterable[int], today_by_client: Mapping[int, date], *,
              zones: Mapping[int, ZoneInfo] | None = None) -> dict[int, list[Fired]]:
    """The flags of each client (an empty list when none holds), from a few queries for all of them.

    `today_by_client` is each client's local today; `zones`, when the caller already has them, saves the
    query for the time zones that place a logged craving on its local day."""
    facts = load_facts(session, client_ids, today_by_client, zones=zones)
    return {client_id: assess(found) for client_id, found in facts.items()}
