"""What a clinician's dashboard shows: one row per client on the Clients page, and one client's story.

Both are read models: plain dataclasses, no ORM objects, and a fixed handful of queries however many
clients there are. Days are each client's own local days (Person.timezone); cravings are the answers to
check-ins and the cravings logged, alike.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from data.content import Content
from data.models import (
    CheckIn,
    ClientProfile,
    Craving,
    Escalation,
    EscalationStep,
    Person,
    Slip,
    SupportContact,
)
from handlers import recovery, risk

WEEK = 7
MONTH = 30
PRIOR_DAYS = 30  # the craving average a week is compared with: the 30 days before it
SPARKLINE_DAYS = 14
TREND_DEAD_BAND = 1  # points: a smaller change in the average craving is "flat"
STORY_DAYS = (30, 90)


@dataclass(frozen=True)
class ClientRow:
    """One client on the Clients page."""

    client_id: int
    name: str
    sober_days: int
    current_streak: int
    longest_streak: int
    last_checkin: datetime | None  # when the latest answered check-in was answered
    answered_7: int  # answered check-ins among the last 7 local days, today included
    answered_30: int
    craving_7: float | None  # average craving of the last 7 days (1 decimal)
    craving_prior_30: float | None  # average craving of the 30 days before those
    craving_trend: str | None  # "up" | "down" | "flat", or None without both averages
    sparkline: list[int | None] | None  # the last 14 days' craving, oldest first; None when there is none
    open_alerts: int
    risks: list[risk.Fired]


@dataclass(frozen=True)
class Day:
    """One local day of a client's story."""

    day: date
    mood: int | None
    craving: int | None  # the check-in's answer, else the strongest craving logged that day
    status: str  # "answered" | "missed" | "pending" (today's, asked and not yet answered) | "not_prompted"


@dataclass(frozen=True)
class Coverage:
    """One of the twelve kinds of support, and how many contacts the client has of that kind."""

    kind: str
    contacts: int


@dataclass(frozen=True)
class AlertStep:
    step: str
    recipient: str | None  # the recipient's name; None when nobody (or someone since erased)
    at: datetime


@dataclass(frozen=True)
class Alert:
    """An escalation and the steps it climbed, newest first."""

    id: int
    kind: str
    reason: str | None
    priority: str
    status: str
    level: int
    created_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    steps: list[AlertStep]


@dataclass(frozen=True)
class ClientStory:
    """One client's page: their days, slips, triggers, how cravings went, their network and their alerts."""

    client_id: int
    name: str
    today: date
    series: list[Day]  # one per local day, oldest first, ending today
    slips: list[date]
    triggers: list[tuple[str, int]]  # as stored (trig:lonely, note:...), most frequent first
    outcomes: dict[str, int]  # Craving.outcome values and how often each was given
    followup_outcomes: dict[str, int]
    support: list[Coverage]  # the twelve kinds, in the guide's order
    gaps: list[str]  # the kinds with no contact
    escalations: list[Alert]  # newest first
    # Each coping step chosen for a craving: (the step, times chosen, times the craving then passed).
    coping: list[tuple[str, int, int]] = field(default_factory=list)


def client_name(client_id: int, display_name: str | None) -> str:
    return display_name or f"Client {client_id}"


def local_day(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def rounded(value: Fraction | None) -> float | None:
    return None if value is None else risk.one_decimal(value)


def trend(recent: Fraction | None, prior: Fraction | None) -> str | None:
    """Up or down when the averages differ by the dead band or more; flat inside it."""
    if recent is None or prior is None:
        return None
    if recent - prior >= TREND_DEAD_BAND:
        return "up"
    if prior - recent >= TREND_DEAD_BAND:
        return "down"
    return "flat"


def daily_craving(checkin: int | None, logged: list[int]) -> int | None:
    """A day's craving: the check-in's answer, else the strongest one logged, else None."""
    if checkin is not None:
        return checkin
    return max(logged) if logged else None


# -- the Clients page ---------------------------------------------------------------------------------------
def caseload(session: Session, client_ids: Iterable[int], now: datetime) -> list[ClientRow]:
    """A row for each client (unknown ids are left out), in the order given, from a fixed number of queries.

    Plain columns, not ORM objects, and each client's last five weeks read once: the risk signals are assessed
    on the same facts the row's trend and sparkline come from (500 clients render in well under 200 ms)."""
    ids = list(dict.fromkeys(client_ids))
    if not ids:
        return []
    p = ClientProfile.__table__.c
    people = {row.id: row for row in session.execute(
        select(Person.id, Person.display_name, Person.timezone, p.streak_start, p.sobriety_start,
               p.banked_sober_days, p.longest_streak_days)
        .outerjoin(ClientProfile, col(ClientProfile.person_id) == Person.id)
        .where(col(Person.id).in_(ids)))}
    ids = [i for i in ids if i in people]
    if not ids:
        return []
    zones = {i: risk.zone_of(people[i].timezone) for i in ids}
    today = {i: local_day(now, zones[i]) for i in ids}
    facts = risk.load_facts(session, ids, today, zones=zones, days=WEEK + PRIOR_DAYS)
    last = dict(session.exec(
        select(CheckIn.client_id, func.max(CheckIn.answered_at))
        .where(col(CheckIn.client_id).in_(ids), col(CheckIn.answered_at).is_not(None))
        .group_by(col(CheckIn.client_id))).all())
    alerts = dict(session.exec(
        select(Escalation.client_id, func.count(col(Escalation.id)))
        .where(col(Escalation.client_id).in_(ids), Escalation.status == "open")
        .group_by(col(Escalation.client_id))).all())

    rows = []
    for i in ids:
        person, found = people[i], facts[i]
        tally = (recovery.tally(person, today[i]) if person.streak_start or person.sobriety_start
                 or person.banked_sober_days is not None else recovery.Tally(0, 0, 0))
        answered = {c.day: c.craving for c in found.checkins if c.answered}
        logged: dict[date, list[int]] = defaultdict(list)
        for day, level in found.logged:
            logged[day].append(level)
        rows.append(_row(i, person.display_name, tally, today[i], answered, logged, last.get(i), alerts.get(i, 0),
                         risk.assess(found)))
    return rows


def _row(client_id: int, display_name: str | None, tally: recovery.Tally, today: date,
         answered: dict[date, int | None],
         logged: dict[date, list[int]], last: datetime | None, alerts: int, flags: list[risk.Fired]) -> ClientRow:
    def days_ago(day: date) -> int:
        return (today - day).days

    def cravings(newest: int, oldest: int) -> list[int]:
        """Every craving value from `newest` to `oldest` days ago."""
        values = [c for d, c in answered.items() if c is not None and newest <= days_ago(d) <= oldest]
        return values + [v for d, levels in logged.items() if newest <= days_ago(d) <= oldest for v in levels]

    recent = risk.average(cravings(0, WEEK - 1))
    prior = risk.average(cravings(WEEK, WEEK + PRIOR_DAYS - 1))
    line = [daily_craving(answered.get(d), logged.get(d, []))
            for d in (today - timedelta(days=n) for n in range(SPARKLINE_DAYS - 1, -1, -1))]
    return ClientRow(
        client_id=client_id, name=client_name(client_id, display_name),
        sober_days=tally.total, current_streak=tally.current, longest_streak=tally.longest, last_checkin=last,
        answered_7=sum(days_ago(d) < WEEK for d in answered), answered_30=sum(days_ago(d) < MONTH for d in answered),
        craving_7=rounded(recent), craving_prior_30=rounded(prior), craving_trend=trend(recent, prior),
        sparkline=line if any(v is not None for v in line) else None, open_alerts=alerts, risks=flags,
    )


# -- one client's story -------------------------------------------------------------------------------------
@cache
def _default_content() -> Content:
    return Content()


def story(session: Session, client_id: int, now: datetime, days: int = STORY_DAYS[0], *,
          content: Content | None = None) -> ClientStory | None:
    """The client's page over their last `days` local days (30 or 90), or None when there is no such person.

    `content` names the twelve kinds of support (the clinic's own content, when the caller has it)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    person = session.get(Person, client_id)
    if person is None:
        return None
    zone = risk.zone_of(person.timezone)
    today = local_day(now, zone)
    first = today - timedelta(days=days - 1)
    start = risk.utc_floor(first)

    checkins = {row.local_date: row for row in session.exec(
        select(CheckIn).where(CheckIn.client_id == client_id, col(CheckIn.local_date) >= first,
                              col(CheckIn.local_date) <= today))}
    cravings = [c for c in session.exec(select(Craving).where(Craving.client_id == client_id,
                                                              col(Craving.logged_at) >= start))
                if first <= local_day(c.logged_at, zone) <= today]
    slips = sorted(session.exec(select(Slip.occurred_on).where(
        Slip.client_id == client_id, col(Slip.occurred_on) >= first, col(Slip.occurred_on) <= today)).all())
    kinds = [k.key for k in (content or _default_content()).support_kinds()]
    counts = dict(session.exec(
        select(SupportContact.category, func.count(col(SupportContact.id)))
        .where(SupportContact.client_id == client_id).group_by(col(SupportContact.category))).all())

    logged: dict[date, list[int]] = defaultdict(list)
    for c in cravings:
        logged[local_day(c.logged_at, zone)].append(c.intensity)
    series = [_day(d, checkins.get(d), logged.get(d, []), today)
              for d in (first + timedelta(days=n) for n in range(days))]
    triggers = Counter(t for c in cravings for t in c.triggers)
    return ClientStory(
        client_id=client_id, name=client_name(client_id, person.display_name), today=today, series=series,
        slips=list(slips), triggers=sorted(triggers.items(), key=lambda item: (-item[1], item[0])),
        outcomes=dict(Counter(c.outcome for c in cravings if c.outcome).most_common()),
        followup_outcomes=dict(Counter(c.followup_outcome for c in cravings if c.followup_outcome).most_common()),
        support=[Coverage(k, counts.get(k, 0)) for k in kinds], gaps=[k for k in kinds if not counts.get(k)],
        escalations=_alerts(session, client_id, start), coping=_coping(cravings),
    )


def _coping(cravings: list[Craving]) -> list[tuple[str, int, int]]:
    """Which coping steps were tried and how often the craving passed after them, most used first."""
    tried, passed = Counter(), Counter()
    for c in cravings:
        if c.plan:
            tried[c.plan] += 1
            passed[c.plan] += "passed" in (c.outcome, c.followup_outcome)
    return [(plan, n, passed[plan]) for plan, n in tried.most_common()]


def _day(day: date, row: CheckIn | None, logged: list[int], today: date) -> Day:
    answered = row is not None and row.answered_at is not None
    if answered:
        status = "answered"
    elif row is not None and row.prompted_at is not None:
        status = "pending" if day == today else "missed"
    else:
        status = "not_prompted"
    return Day(day=day, mood=row.mood if answered else None,
               craving=daily_craving(row.craving if answered else None, logged), status=status)


def _alerts(session: Session, client_id: int, start: datetime) -> list[Alert]:
    """The client's escalations raised since `start`, and any older one still not resolved, newest first."""
    found = session.exec(
        select(Escalation).where(Escalation.client_id == client_id,
                                 or_(col(Escalation.created_at) >= start, Escalation.status != "resolved"))
        .order_by(col(Escalation.created_at).desc(), col(Escalation.id).desc())).all()
    if not found:
        return []
    steps: dict[int, list[AlertStep]] = defaultdict(list)
    for step, recipient_id, name in session.exec(
        select(EscalationStep, Person.id, Person.display_name)
        .outerjoin(Person, col(Person.id) == EscalationStep.recipient_id)
        .where(col(EscalationStep.escalation_id).in_([e.id for e in found]))
        .order_by(col(EscalationStep.at).desc(), col(EscalationStep.id).desc())
    ):
        who = None if recipient_id is None else (name or f"#{recipient_id}")
        steps[step.escalation_id].append(AlertStep(step.step, who, step.at))
    return [Alert(id=e.id, kind=e.kind, reason=e.reason, priority=e.priority, status=e.status, level=e.level,
                  created_at=e.created_at, acknowledged_at=e.acknowledged_at, resolved_at=e.resolved_at,
                  steps=steps[e.id]) for e in found]
