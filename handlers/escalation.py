"""Who hears about a missed check-in or a crisis, what they are told, and the all-clear when it is over."""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, or_
from sqlmodel import Session, col, select

from data.content import Content
from data.db import Rows
from data.models import (
    CheckIn,
    ClientProfile,
    ConsentState,
    Craving,
    Escalation,
    EscalationStep,
    Person,
    Priority,
    Role,
    Slip,
    SupportContact,
)
from handlers.types import Option, Outbound

ACK_PREFIX = "ack:"
# Partners and clinicians hear that a check-in is missing; they are told these steps happened.
NOTIFIED_STEPS = ("partner_nudge", "clinician_alert", "crisis_alert", "crisis_resend")


def say(content: Content, person: Person, key: str, **fields) -> str:
    return content.text(key, person.locale, **fields)


def client_name(client: Person) -> str:
    return client.display_name or f"#{client.id}"


def clinicians_for(session: Session, profile: ClientProfile | None) -> list[Person]:
    """The client's own clinician when one is assigned, otherwise every clinician of the clinic."""
    if profile is not None and profile.clinician_id is not None:
        found = session.get(Person, profile.clinician_id)
        return [found] if found is not None else []
    return list(session.exec(select(Person).where(Person.role == Role.clinician).order_by(col(Person.id))))


def partners_for(session: Session, client_id: int) -> list[tuple[SupportContact, Person]]:
    """Accountability partners who accepted the client's invitation and joined the bot."""
    rows = session.exec(
        select(SupportContact, Person)
        .join(Person, col(Person.id) == SupportContact.partner_person_id)
        .where(
            SupportContact.client_id == client_id,
            col(SupportContact.is_partner).is_(True),
            SupportContact.consent_state == ConsentState.accepted,
        )
        .order_by(col(SupportContact.id))
    )
    return list(rows)


def record(session: Session, escalation: Escalation, step: str, recipient: Person | None, at: datetime) -> None:
    session.add(EscalationStep(escalation_id=escalation.id, step=step,
                               recipient_id=recipient.id if recipient else None, at=at))


def ack_option(content: Content, person: Person, escalation: Escalation) -> Option:
    return Option(content.text("opt.acknowledge", person.locale), f"{ACK_PREFIX}{escalation.id}")


def clinician_summary(session: Session, content: Content, clinician: Person, client: Person,
                      now: datetime) -> dict[str, str]:
    """The short facts a clinician needs: last check-in, craving trend, recent slips, partners nudged."""
    last = session.exec(
        select(CheckIn).where(CheckIn.client_id == client.id, col(CheckIn.answered_at).is_not(None))
        .order_by(col(CheckIn.local_date).desc())
    ).first()
    today = now.astimezone(ZoneInfo(client.timezone)).date()
    week = session.exec(
        select(Craving.intensity).where(Craving.client_id == client.id,
                                        col(Craving.logged_at) >= now - timedelta(days=7))
    ).all()
    slips = session.exec(
        select(Slip).where(Slip.client_id == client.id, col(Slip.occurred_on) >= today - timedelta(days=30))
    ).all()
    loc = clinician.locale
    return {
        "client": client_name(client),
        "last": last.local_date.isoformat() if last else content.text("ladder.never", loc),
        "cravings": f"{mean(week):.1f}/10 ({len(week)})" if week else content.text("ladder.none_logged", loc),
        "slips": str(len(slips)),
    }


def crisis_alerts(session: Session, content: Content, client: Person, escalation: Escalation,
                  now: datetime, *, resend: bool = False, backup: bool = False) -> list[Outbound]:
    """Urgent alerts for a crisis: to the client's clinicians (and the backup clinician on a re-send)."""
    profile = session.get(ClientProfile, client.id)
    recipients = clinicians_for(session, profile)
    if backup and profile is not None and profile.backup_clinician_id:
        extra = session.get(Person, profile.backup_clinician_id)
        if extra is not None and extra not in recipients:
            recipients.append(extra)
    out = []
    for clinician in recipients:
        key = "ladder.crisis_resend" if resend else "ladder.crisis_alert"
        kind = content.text(f"crisis.kind.{escalation.reason}", clinician.locale)
        text = say(content, clinician, key, client=client_name(client), kind=kind,
                   time=now.astimezone(ZoneInfo(clinician.timezone)).strftime("%H:%M"))
        out.append(Outbound(
            text=text, person_id=clinician.id, options=(ack_option(content, clinician, escalation),),
            kind="alert", priority=Priority.urgent, template_key="clinician_alert",
            template_vars={"1": client_name(client), "2": kind},
            idempotency_key=f"esc:{escalation.id}:{'resend' if resend else 'alert'}:{escalation.level}:{clinician.id}",
        ))
        record(session, escalation, "crisis_resend" if resend else "crisis_alert", clinician, now)
    return out


_OPEN_MISSED = Rows(Escalation, Escalation.__table__.c.client_id == bindparam("client"),
                    Escalation.__table__.c.kind == "missed_checkin",
                    or_(Escalation.__table__.c.status == "open", Escalation.__table__.c.status == "acknowledged"))


def all_clear(session: Session, content: Content, client: Person, now: datetime) -> list[Outbound]:
    """Close every open missed-check-in escalation for the client and tell whoever was told about it."""
    open_ones = _OPEN_MISSED.all(session, client=client.id)
    out: list[Outbound] = []
    told: set[int] = set()
    for esc in open_ones:
        esc.status, esc.resolved_at, esc.next_step_at = "resolved", now, None
        steps = session.exec(
            select(EscalationStep).where(EscalationStep.escalation_id == esc.id,
                                         col(EscalationStep.step).in_(NOTIFIED_STEPS))
        ).all()
        for step in steps:
            if step.recipient_id is None or step.recipient_id in told:
                continue
            told.add(step.recipient_id)
            person = session.get(Person, step.recipient_id)
            if person is None:
                continue
            key = "ladder.all_clear_clinician" if person.role == Role.clinician else "ladder.all_clear_partner"
            out.append(Outbound(
                text=say(content, person, key, client=client_name(client),
                         partner=person.display_name or ""),
                person_id=person.id, kind="all_clear", template_key="all_clear",
                template_vars={"1": client_name(client)}, idempotency_key=f"esc:{esc.id}:clear:{person.id}",
            ))
            record(session, esc, "all_clear", person, now)
    return out


def acknowledge(session: Session, escalation_id: int, clinician: Person, now: datetime) -> tuple[str, Escalation | None]:
    """A clinician says "I've got this": stop further alerts. Returns what happened and the escalation."""
    esc = session.get(Escalation, escalation_id)
    if esc is None:
        return "missing", None
    if esc.status == "acknowledged":
        return "already", esc
    if esc.status == "resolved":
        return "resolved", esc
    esc.status, esc.acknowledged_at, esc.acknowledged_by, esc.next_step_at = "acknowledged", now, clinician.id, None
    record(session, esc, "acknowledged", clinician, now)
    return "done", esc
