"""Daily check-in prompts: due clients are found by one indexed query and prompted in batches, once per local day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, select, update
from sqlmodel import Session, col

from data import outbox as queue
from data.db import dialect_insert
from data.models import (
    ChannelAddress,
    CheckIn,
    ClientProfile,
    ConversationState,
    Escalation,
    Person,
)
from handlers.flows import checkin
from handlers.types import Runtime
from handlers.when import in_quiet_hours, local_instant, next_prompt_at, refresh_schedule

BATCH = 1000
MISSED_DAYS_KEPT = 7  # after a long outage, the days before the last week are not recorded one by one


@dataclass(frozen=True)
class _Due:
    """What the planner reads of a due client: plain columns, not ORM objects (thousands per batch)."""

    person_id: int
    next_prompt_at: datetime
    checkin_time: time
    paused_until: date | None
    quiet_start: time | None
    quiet_end: time | None
    timezone: str
    locale: str
    display_name: str | None


def _due_profiles(session: Session, now: datetime, limit: int) -> list[_Due]:
    p, person = ClientProfile.__table__.c, Person.__table__.c
    stmt = (
        select(p.person_id, p.next_prompt_at, p.checkin_time, p.paused_until, p.quiet_start, p.quiet_end,
               person.timezone, person.locale, person.display_name)
        .join_from(ClientProfile.__table__, Person.__table__, person.id == p.person_id)
        .where(p.next_prompt_at <= now, person.consent_at.is_not(None))
        .order_by(p.next_prompt_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Several workers split the due clients between them instead of queueing on the same rows.
        stmt = stmt.with_for_update(of=ClientProfile.__table__, skip_locked=True)
    return [_Due(*row) for row in session.execute(stmt)]


def _addresses(session: Session, person_ids: list[int]) -> dict[int, tuple]:
    """Each person's preferred address: reachable, opted in, the one they wrote from most recently."""
    a = ChannelAddress.__table__.c
    rows = session.connection().execute(
        select(a.id, a.person_id, a.channel, a.address, a.last_inbound_at).where(
            a.person_id.in_(person_ids), a.unreachable_at.is_(None), a.opted_out_at.is_(None))
    ).all()
    best: dict[int, tuple] = {}
    for a in sorted(rows, key=lambda a: (a.last_inbound_at is not None, a.last_inbound_at or NEVER, -a.id)):
        best[a.person_id] = a  # sorted ascending, so the last one written wins
    return best


NEVER = datetime.min.replace(tzinfo=UTC)


def _backfill(rt: Runtime, now: datetime, batch: int) -> None:
    """Clients whose schedule was never computed (they joined before the scheduler existed) get one."""
    with Session(rt.db, expire_on_commit=False) as session:
        rows = session.execute(
            select(ClientProfile, Person).join(Person, col(Person.id) == ClientProfile.person_id)
            .where(col(ClientProfile.next_prompt_at).is_(None), col(Person.consent_at).is_not(None)).limit(batch)
        ).all()
        for profile, person in rows:
            refresh_schedule(profile, person.timezone, now)
        session.commit()


def plan_prompts(rt: Runtime, now: datetime, *, batch: int = BATCH) -> int:
    """Prompt every client whose check-in time has come; returns how many prompts were queued."""
    _backfill(rt, now, batch)
    queued = 0
    while True:
        with Session(rt.db, expire_on_commit=False) as session:
            due = _due_profiles(session, now, batch)
            if not due:
                return queued
            queued += _prompt_batch(rt, session, due, now)
            session.commit()
        if len(due) < batch:
            return queued


def _prompt_batch(rt: Runtime, session: Session, due: list[_Due], now: datetime) -> int:
    conn = session.connection()
    insert = dialect_insert(conn.dialect.name)
    ids = [d.person_id for d in due]
    addresses = _addresses(session, ids)
    states = {
        pid: flow
        for pid, flow in conn.execute(
            select(ConversationState.person_id, ConversationState.flow).where(
                col(ConversationState.person_id).in_(ids))
        )
    }
    checkins, schedule, prompts, unprompted = [], [], [], []
    for d in due:
        zone = ZoneInfo(d.timezone)
        # Always the client's current local day, whatever day the stored instant was for: after downtime
        # the days that passed are recorded as not prompted (and never escalated), and today is prompted
        # if its time has come (a pass that runs early for today waits for it).
        today = now.astimezone(zone).date()
        due_day = d.next_prompt_at.astimezone(zone).date()
        day = today if local_instant(today, d.checkin_time, zone) <= now else None
        missed_from = max(due_day, today - timedelta(days=MISSED_DAYS_KEPT))
        unprompted += [{"client_id": d.person_id, "local_date": missed, "prompted_at": None}
                       for missed in (missed_from + timedelta(days=n) for n in range((today - missed_from).days))
                       if d.paused_until is None or missed >= d.paused_until]
        schedule.append({"pid": d.person_id, "next": next_prompt_at(d.checkin_time, zone, now,
                                                                     not_before=d.paused_until)})
        paused = day is not None and d.paused_until is not None and day < d.paused_until
        if day is None or paused or d.person_id not in addresses:
            continue
        checkins.append({"client_id": d.person_id, "local_date": day, "prompted_at": now})
        prompts.append((d, day))
    conn.execute(
        update(ClientProfile.__table__)
        .where(ClientProfile.__table__.c.person_id == bindparam("pid"))
        .values(next_prompt_at=bindparam("next")),
        schedule,
    )
    if unprompted:  # days the service was down for: on record, with no prompt and no ladder
        conn.execute(insert(CheckIn.__table__).on_conflict_do_nothing(index_elements=["client_id", "local_date"]),
                     unprompted)
    if not checkins:
        return 0
    # One check-in per client per local day: a second pass or a second worker inserts nothing.
    # Executed as "many" (not one giant VALUES list) so the statement compiles once and is cached.
    created = {
        (row.client_id, row.local_date): row.id
        for row in conn.execute(
            insert(CheckIn.__table__)
            .on_conflict_do_nothing(index_elements=["client_id", "local_date"])
            .returning(CheckIn.__table__.c.id, CheckIn.__table__.c.client_id, CheckIn.__table__.c.local_date),
            checkins,
        )
    }
    messages, escalations, flows = [], [], []
    for d, day in prompts:
        checkin_id = created.get((d.person_id, day))
        if checkin_id is None:
            continue
        address = addresses[d.person_id]
        opens = checkin.opening(rt.content, d.locale, free=states.get(d.person_id) in (None, "menu"))
        name = d.display_name or ""
        quiet_end = in_quiet_hours(now, ZoneInfo(d.timezone), d.quiet_start, d.quiet_end)
        messages.append(queue.row(
            channel=address.channel, address=address.address, text=opens.text.replace("{name}", name),
            key=f"prompt:{d.person_id}:{day}", now=now, person_id=d.person_id,
            options=opens.option_rows, numbered=opens.numbered,
            kind="prompt", template_key="daily_prompt", template_vars={"1": name}, due_at=quiet_end))
        # The ladder counts from when the prompt can actually be read, after any quiet hours.
        escalations.append({
            "client_id": d.person_id, "kind": "missed_checkin", "reason": day.isoformat(), "priority": "normal",
            "level": 0, "status": "open", "checkin_id": checkin_id, "created_at": quiet_end or now,
            "next_step_at": (quiet_end or now) + rt.ladder.reminder_after,
        })
        state = opens.state(checkin_id)
        if state is not None:
            flows.append({"person_id": d.person_id, **state, "suspended": [], "updated_at": now})
    if messages:
        queue.add(conn, messages)
        conn.execute(insert(Escalation.__table__), escalations)
        _escalate_yesterday(conn, [d.person_id for d, _ in prompts], now)
    if flows:
        stmt = insert(ConversationState.__table__)
        stmt = stmt.on_conflict_do_update(
            index_elements=["person_id"],
            set_={c: stmt.excluded[c] for c in ("flow", "step", "data", "updated_at")},
        )
        conn.execute(stmt, flows)
    return len(messages)


def _escalate_yesterday(conn, client_ids: list[int], now: datetime) -> None:
    """A second missed day in a row brings the clinician alert forward to now (the ladder sees the newer day)."""
    table = Escalation.__table__
    conn.execute(
        update(table)
        .where(and_(table.c.client_id.in_(client_ids), table.c.kind == "missed_checkin",
                    table.c.status == "open", table.c.created_at < now, table.c.level < 3))
        .values(next_step_at=now)
    )
