"""What a clinician's dashboard shows: one row per client on the Clients page, and one client's story.

Both are read models: plain dataclasses, no ORM objects, and a fixed handful of queries however many
clients there are. Days are each client's own local days (Person.timezone); cravings are the answers to
check-ins and the cravings logged, alike.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from fractions import Fraction
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_
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
    conn = session.connection()  # Core queries: plain rows, none of the ORM's per-row work
    people = {row.id: row for row in conn.execute(
        select(Person.id, Person.display_name, Person.timezone, p.streak_start, p.sobriety_start,
               p.banked_sober_days, p.longest_streak_days)
        .outerjoin(ClientProfile, col(ClientProfile.person_id) == Person.id)
        .where(col(Person.id).in_(ids)))}
    ids = [i for i in ids if i in people]
    if not ids:
        return []
    zones = {i: risk.zone_of(people[i].timezone) for i in ids}
    today = {i: local_day(now, zones[i]) for i in ids}
    # The last two weeks day by day (the sparkline, the week, the risk rules' recent days); the weeks before
    # them as sums, in the database: a caseload of 500 is then 7,000 rows to read, not 18,500.
    facts = risk.load_facts(session, ids, today, zones=zones, days=DETAIL_DAYS, with_logged=False)
    older = _older(session, ids, today)
    logged = _logged(session, ids, zones, today)
    last = dict(conn.execute(
        select(CheckIn.client_id, func.max(CheckIn.answered_at))
        .where(col(CheckIn.client_id).in_(ids), col(CheckIn.answered_at).is_not(None))
        .group_by(col(CheckIn.client_id))).all())
    alerts = dict(conn.execute(
        select(Escalation.client_id, func.count(col(Escalation.id)))
        .where(col(Escalation.client_id).in_(ids), Escalation.status == "open")
        .group_by(col(Escalation.client_id))).all())

    rows = []
    for i in ids:
        person = people[i]
        usual_sum, usual_n, prior_sum, prior_n, answered_older = older.get(i, (0, 0, 0, 0, 0))
        mine = logged.get(i, {})
        found = replace(facts[i], logged=tuple((d, v) for d, values in sorted(mine.items()) for v in values),
                        earlier=(usual_sum, usual_n))
        tally = (recovery.tally(person, today[i]) if person.streak_start or person.sobriety_start
                 or person.banked_sober_days is not None else recovery.Tally(0, 0, 0))
        answered = {c.day: c.craving for c in found.checkins if c.answered}
        rows.append(_row(i, person.display_name, tally, today[i], answered, mine, last.get(i), alerts.get(i, 0),
                         risk.assess(found), (prior_sum, prior_n), answered_older))
    return rows


DETAIL_DAYS = 14  # read day by day; the sparkline's length, and more than the risk rules' recent days


def _older(session: Session, ids: list[int], today: dict[int, date]) -> dict[int, tuple[int, int, int, int, int]]:
    """Per client, over the days before the last DETAIL_DAYS: (sum, count) of answered check-ins' cravings in
    the risk rule's usual window, the same in the trend's 30-day prior window, and the check-ins answered
    within the last 30 days. One grouped query per distinct local today (clients in far zones may differ)."""
    found: dict[int, tuple[int, int, int, int, int]] = {}
    groups: dict[date, list[int]] = defaultdict(list)
    for i in ids:
        groups[today[i]].append(i)
    for day, members in groups.items():
        end = day - timedelta(days=DETAIL_DAYS)
        usual_from = day - timedelta(days=risk.CRAVING_RECENT_DAYS + risk.CRAVING_USUAL_DAYS - 1)
        prior_from = day - timedelta(days=WEEK + PRIOR_DAYS - 1)
        month_from = day - timedelta(days=MONTH - 1)
        c = CheckIn.__table__.c
        craving = case((c.answered_at.is_not(None), c.craving))

        def within(first: date, c=c, end=end):
            return and_(c.local_date >= first, c.local_date <= end)

        stmt = (select(c.client_id,
                       func.sum(case((within(usual_from), craving))), func.count(case((within(usual_from), craving))),
                       func.sum(case((within(prior_from), craving))), func.count(case((within(prior_from), craving))),
                       func.count(case((and_(within(month_from), c.answered_at.is_not(None)), 1))))
                .where(c.client_id.in_(members), c.local_date >= min(usual_from, prior_from, month_from),
                       c.local_date <= end)
                .group_by(c.client_id))
        for cid, usum, un, psum, pn, answered in session.connection().execute(stmt):
            found[cid] = (int(usum or 0), un, int(psum or 0), pn, answered)
    return found


def _logged(session: Session, ids: list[int], zones: dict[int, ZoneInfo],
            today: dict[int, date]) -> dict[int, dict[date, list[int]]]:
    """Each client's logged craving strengths over the trend's five weeks, by their local day."""
    span = WEEK + PRIOR_DAYS
    first = {i: today[i] - timedelta(days=span - 1) for i in ids}
    found: dict[int, dict[date, list[int]]] = defaultdict(lambda: defaultdict(list))
    for cid, at, level in session.connection().execute(
        select(Craving.client_id, Craving.logged_at, Craving.intensity)
        .where(col(Craving.client_id).in_(ids), col(Craving.logged_at) >= risk.utc_floor(min(first.values())))
    ):
        day = local_day(at, zones[cid])
        if first[cid] <= day <= today[cid]:
            found[cid][day].append(level)
    return found


def _row(client_id: int, display_name: str | None, tally: recovery.Tally, today: date,
         answered: dict[date, int | None], logged: dict[date, list[int]], last: datetime | None, alerts: int,
         flags: list[risk.Fired], prior_older: tuple[int, int], answered_older: int) -> ClientRow:
    """`answered` holds the last DETAIL_DAYS; `prior_older` and `answered_older` sum up the days before them."""
    span = WEEK + PRIOR_DAYS
    today_n = today.toordinal()  # days as numbers: no date arithmetic per value
    by_age: list[list[int]] = [[] for _ in range(span)]  # every craving value read one by one, by days ago
    answered_ages = [today_n - d.toordinal() for d in answered]
    for age, c in zip(answered_ages, answered.values(), strict=True):
        if c is not None and 0 <= age < span:
            by_age[age].append(c)
    for d, levels in logged.items():
        age = today_n - d.toordinal()
        if 0 <= age < span:
            by_age[age].extend(levels)
    recent = risk.average([v for values in by_age[:WEEK] for v in values])
    prior_values = [v for values in by_age[WEEK:] for v in values]
    prior_total, prior_count = sum(prior_values) + prior_older[0], len(prior_values) + prior_older[1]
    prior = Fraction(prior_total, prior_count) if prior_count else None
    checked = dict(zip(answered_ages, answered.values(), strict=True))
    # A day's craving: the check-in's answer, else the strongest logged that day (see daily_craving).
    line = [checked[age] if checked.get(age) is not None else max(by_age[age], default=None)
            for age in range(SPARKLINE_DAYS - 1, -1, -1)]
    return ClientRow(
        client_id=client_id, name=client_name(client_id, display_name),
        sober_days=tally.total, current_streak=tally.current, longest_streak=tally.longest, last_checkin=last,
        answered_7=sum(0 <= a < WEEK for a in answered_ages),
        answered_30=sum(0 <= a < MONTH for a in answered_ages) + answered_older,
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
    """The client's escalations raised since `start`, and any older one still not resolved, newest first. A
    check-in answered before the ladder's first step is no alert: such an escalation is left out."""
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
                  steps=steps[e.id]) for e in found if steps[e.id] or e.status != "resolved"]
