"""The escalation ladder: reminder, partner nudge, clinician alert for missed check-ins; re-sends for crises."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from data.models import CheckIn, ClientProfile, Escalation, EscalationStep, Person
from handlers import digest, risk, sharing
from handlers import escalation as esc_mod
from handlers.delivery import enqueue
from handlers.flows import crisis
from handlers.types import PRIVATE_KIND, Option, Outbound, Runtime
from handlers.when import in_quiet_hours

log = logging.getLogger(__name__)

BATCH = 1000  # escalations per transaction; also the most alerts one digest gathers (see _send_alerts)
REMINDER, PARTNERS, CLINICIAN = 1, 2, 3


def climb(rt: Runtime, now: datetime, *, batch: int = BATCH) -> int:
    """Take every escalation whose next step is due one rung up; returns how many moved."""
    moved = 0
    while True:
        alerts: dict[int, list[tuple[Person, Outbound]]] = defaultdict(list)  # missed check-ins, per clinician
        with Session(rt.db, expire_on_commit=False) as session:
            stmt = (
                select(Escalation)
                .where(col(Escalation.next_step_at) <= now, col(Escalation.status) == "open")
                .order_by(col(Escalation.next_step_at))
                .limit(batch)
            )
            if session.get_bind().dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            due = list(session.exec(stmt))
            for esc in due:
                if esc.kind == "crisis":
                    _crisis(rt, session, esc, now)
                elif esc.kind == crisis.CHECK_KIND:
                    _safety_check(session, rt, esc, now)
                else:
                    _missed(rt, session, esc, now, alerts)
            _send_alerts(rt, session, alerts, now)
            session.commit()
        moved += len(due)
        if len(due) < batch:
            return moved


def _missed(rt: Runtime, session: Session, esc: Escalation, now: datetime,
            alerts: dict[int, list[tuple[Person, Outbound]]]) -> None:
    checkin = session.get(CheckIn, esc.checkin_id) if esc.checkin_id else None
    client = session.get(Person, esc.client_id)
    if client is None or (checkin is not None and checkin.answered_at is not None):
        esc.status, esc.resolved_at, esc.next_step_at = "resolved", now, None
        return
    ladder = rt.ladder
    elapsed = now - esc.created_at
    newer_day_missed = session.exec(
        select(Escalation.id).where(Escalation.client_id == esc.client_id, Escalation.kind == "missed_checkin",
                                    col(Escalation.created_at) > esc.created_at)
    ).first() is not None
    if elapsed >= ladder.clinician_alert_after or newer_day_missed:
        rung = CLINICIAN
    elif elapsed >= ladder.partner_nudge_after:
        rung = PARTNERS
    elif elapsed >= ladder.reminder_after:
        rung = REMINDER
    else:
        esc.next_step_at = esc.created_at + ladder.reminder_after
        return
    # Climb straight to the highest rung that is due: a late reminder or nudge would only confuse.
    out: list[Outbound] = []
    if rung == REMINDER and esc.level < REMINDER:
        out = _reminder(rt, session, esc, client, now)
    elif rung == PARTNERS and esc.level < PARTNERS:
        out = _partner_nudges(rt, session, esc, client, now)
    elif rung == CLINICIAN and esc.level < CLINICIAN:
        for clinician, alert in _clinician_alerts(rt, session, esc, client, now):
            alerts[clinician.id].append((clinician, alert))
    esc.level = max(esc.level, rung)
    nxt = {REMINDER: ladder.partner_nudge_after, PARTNERS: ladder.clinician_alert_after}.get(esc.level)
    esc.next_step_at = esc.created_at + nxt if nxt is not None else None
    for n, message in enumerate(out):
        enqueue(session, [(message, message.idempotency_key or f"esc:{esc.id}:{rung}:{n}")], now=now)


def _hold_for_quiet(session: Session, person: Person, now: datetime) -> datetime | None:
    profile = session.get(ClientProfile, person.id)
    if profile is None:
        return None
    return in_quiet_hours(now, ZoneInfo(person.timezone), profile.quiet_start, profile.quiet_end)


def _reminder(rt: Runtime, session: Session, esc: Escalation, client: Person, now: datetime) -> list[Outbound]:
    esc_mod.record(session, esc, "reminder", client, now)
    return [Outbound(
        text=rt.content.text("ladder.reminder", client.locale, name=client.display_name or ""),
        person_id=client.id, kind="reminder", template_key="reminder",
        template_vars={"1": client.display_name or ""},
        options=(Option(rt.content.text("menu.checkin", client.locale), "cmd:checkin"),),
        idempotency_key=f"esc:{esc.id}:reminder", not_before=_hold_for_quiet(session, client, now),
    )]


def _local_today(client: Person, now: datetime):
    try:
        return now.astimezone(ZoneInfo(client.timezone)).date()
    except (KeyError, ValueError):
        return now.date()


def _partner_nudges(rt: Runtime, session: Session, esc: Escalation, client: Person,
                    now: datetime) -> list[Outbound]:
    out = []
    for contact, partner in esc_mod.partners_for(session, client.id):
        esc_mod.record(session, esc, "partner_nudge", partner, now)
        name = esc_mod.client_name(client)
        extra = sharing.partner_lines(session, rt.content, contact, client, partner, _local_today(client, now))
        out.append(Outbound(
            text=rt.content.text("ladder.partner_nudge", partner.locale, client=name,
                                 partner=partner.display_name or contact.name, clinic=rt.clinic.name) + extra,
            person_id=partner.id, kind="nudge", template_key="partner_nudge", template_vars={"1": name},
            idempotency_key=f"esc:{esc.id}:nudge:{partner.id}", about=client.id,
            options=(Option(rt.content.text("digest.reached_out", partner.locale), f"{digest.REACHED}{esc.id}"),),
        ))
    if not out:
        esc_mod.record(session, esc, "no_partners", None, now)
    return out


def _send_alerts(rt: Runtime, session: Session, alerts: dict[int, list[tuple[Person, Outbound]]],
                 now: datetime) -> None:
    """Queue the pass's missed-check-in alerts: each alone, or, when one clinician has `digest_at` or more,
    one message naming the clients with the way to the queue (a clinic of 500 on one evening is not 500
    notifications). The escalations stay one per client, each acknowledged on its own."""
    for items in alerts.values():
        clinician = items[0][0]
        if len(items) < rt.ladder.digest_at:
            for _, message in items:
                enqueue(session, [(message, message.idempotency_key)], now=now)
            continue
        names = sorted({rt.content.text("ladder.digest_line", clinician.locale, client=m.template_vars["1"],
                                        last=m.template_vars["2"]) for _, m in items})
        where = (rt.content.text("ladder.digest_dashboard", clinician.locale, link=rt.dashboard_url)
                 if rt.dashboard_url else rt.content.text("ladder.digest_chat", clinician.locale))
        text = "\n".join([rt.content.text("ladder.digest", clinician.locale, count=len(items)), *names, where])
        # Names several clients: kept only until sent, like /clients (no erased client stays in it).
        enqueue(session, [(Outbound(text=text, person_id=clinician.id, kind=PRIVATE_KIND,
                                    template_key="clinician_alert",
                                    # Outside WhatsApp's 24-hour window the alert template carries it: "6 clients".
                                    template_vars={"1": rt.content.text("ladder.digest_who", clinician.locale,
                                                                        count=len(items)),
                                                   "2": now.date().isoformat()}),
                           f"digest:{clinician.id}:{now.isoformat()}")], now=now)


def _clinician_alerts(rt: Runtime, session: Session, esc: Escalation, client: Person,
                      now: datetime) -> list[tuple[Person, Outbound]]:
    profile = session.get(ClientProfile, client.id)
    nudged = sorted({
        (session.get(Person, s.recipient_id).display_name or "?")
        for s in session.exec(select(EscalationStep).where(
            EscalationStep.escalation_id == esc.id, EscalationStep.step == "partner_nudge"))
        if s.recipient_id and session.get(Person, s.recipient_id)
    })
    out = []
    for clinician in esc_mod.clinicians_for(session, profile):
        facts = esc_mod.clinician_summary(session, rt.content, clinician, client, now)
        partners = ", ".join(nudged) or rt.content.text("ladder.no_partners", clinician.locale)
        signals = risk_line(rt, session, clinician, client, now)
        out.append((clinician, Outbound(
            text=rt.content.text("ladder.clinician_alert", clinician.locale, partners=partners, **facts) + signals,
            person_id=clinician.id, options=(esc_mod.ack_option(rt.content, clinician, esc),),
            kind="alert", template_key="clinician_alert", template_vars={"1": facts["client"], "2": facts["last"]},
            idempotency_key=f"esc:{esc.id}:alert:{clinician.id}", about=client.id,
        )))
        esc_mod.record(session, esc, "clinician_alert", clinician, now)
    if not out:
        esc_mod.record(session, esc, "no_clinician", None, now)
    return out


def risk_line(rt: Runtime, session: Session, clinician: Person, client: Person, now: datetime) -> str:
    """The risk signals that hold for the client, in the clinician's words (the dashboard shows the same)."""
    fired = risk.risks_for(session, [client.id], {client.id: _local_today(client, now)}).get(client.id, [])
    if not fired:
        return ""
    return "\n" + rt.content.text("ladder.risk_signals", clinician.locale, signals="; ".join(
        risk.describe(rt.content, clinician.locale, f) for f in fired))


def _safety_check(session: Session, rt: Runtime, esc: Escalation, now: datetime) -> None:
    """"Are you safe right now?" went unanswered for 15 minutes: the crisis path, urgent, exactly once.

    The row is claimed like every due escalation (FOR UPDATE SKIP LOCKED on PostgreSQL, the write lock
    on SQLite), and the client's answer locks it too, so an answer and this never both act; once
    raised, the row is a crisis escalation whose next step is a re-send, not another alert."""
    for message in crisis.expire_check(session, rt, esc, now):
        enqueue(session, [(message, message.idempotency_key)], now=now)


def _crisis(rt: Runtime, session: Session, esc: Escalation, now: datetime) -> None:
    """Unacknowledged crisis: send again (and to the backup clinician), every few minutes, a few times."""
    client = session.get(Person, esc.client_id)
    if client is None:
        esc.status, esc.next_step_at = "resolved", None
        return
    sent_before = session.exec(
        select(EscalationStep.id).where(EscalationStep.escalation_id == esc.id,
                                                 EscalationStep.step == "crisis_alert")
    ).first() is not None
    esc.level += 1
    out = esc_mod.crisis_alerts(session, rt.content, client, esc, now, resend=sent_before, backup=sent_before)
    for message in out:
        enqueue(session, [(message, message.idempotency_key)], now=now)
    if not out:
        log.error("no clinician can receive crisis alerts: crisis escalation %s is still waiting for one", esc.id)
        esc.next_step_at = now + rt.ladder.crisis_resend_after  # no clinician yet: look again later
    elif esc.level > rt.ladder.crisis_resends:
        esc.next_step_at = None
    else:
        esc.next_step_at = now + rt.ladder.crisis_resend_after
