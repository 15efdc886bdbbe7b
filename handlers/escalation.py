"""Who hears about a missed check-in or a crisis, what they are told, and the all-clear when it is over."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, or_
from sqlmodel import Session, col, select

from data.content import Content
from data.db import Rows
from data.models import (
    ChannelAddress,
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
from data.outbox import preferred_address
from handlers.types import Option, Outbound

log = logging.getLogger(__name__)

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


def reachable(session: Session, people: list[Person]) -> list[Person]:
    """Those of `people` the outbox can deliver to now (an address neither unreachable nor opted out)."""
    return [p for p in people if preferred_address(session, p.id) is not None]


def alert_recipients(session: Session, profile: ClientProfile | None, *, backup: bool = False) -> list[Person]:
    """Clinicians who can receive a crisis alert about this client now.

    The client's clinicians (and the backup clinician, on a re-send), those reachable; when none of
    them can be reached, the backup clinician at once, then any reachable clinician of the clinic: an
    urgent alert must reach someone rather than wait for one unreachable person.
    """
    found = clinicians_for(session, profile)
    extra = session.get(Person, profile.backup_clinician_id) if profile and profile.backup_clinician_id else None
    if backup and extra is not None and extra not in found:
        found.append(extra)
    found = reachable(session, found)
    if not found and extra is not None:
        found = reachable(session, [extra])
    if not found and profile is not None and profile.clinician_id is not None:
        found = reachable(session, clinicians_for(session, None))
    return found


def alert_readiness(session: Session) -> bool:
    """Whether any clinician can receive crisis alerts now; says so loudly in the log when none can.

    Without one, a crisis message still gets the crisis numbers at once, but nobody at the clinic
    hears about it, and the bot does not say that it told anyone. Call it at start-up.
    """
    ready = session.exec(
        select(ChannelAddress.id)
        .join(Person, col(Person.id) == ChannelAddress.person_id)
        .where(Person.role == Role.clinician, col(ChannelAddress.unreachable_at).is_(None),
               col(ChannelAddress.opted_out_at).is_(None))
        .limit(1)
    ).first() is not None
    if not ready:
        log.error("no clinician can receive crisis alerts: none has joined, or every one is unreachable; crisis "
                  "messages get the crisis numbers only. Invite one with `recovery-bot clinician invite`.")
    return ready


def message_time(content: Content, person: Person, at: datetime, now: datetime) -> str:
    """When a message came, in the reader's zone: the time, with the date when it was not today."""
    try:
        zone = ZoneInfo(person.timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    local = at.astimezone(zone)
    hhmm = local.strftime("%H:%M")
    if local.date() == now.astimezone(zone).date():
        return hhmm
    return content.text("ladder.dated_time", person.locale, date=local.date().isoformat(), time=hhmm)


def _zone(person: Person) -> ZoneInfo:
    try:
        return ZoneInfo(person.timezone)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


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


def record(session: Session, escalation: Escalation, step: str, recipient: Person | None, at: datetime,
           source: str | None = None) -> None:
    session.add(EscalationStep(escalation_id=escalation.id, step=step,
                               recipient_id=recipient.id if recipient else None, at=at, source=source))


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
                  now: datetime, *, resend: bool = False, backup: bool = False, note: str | None = None,
                  note_fields: dict[str, str] | None = None) -> list[Outbound]:
    """Urgent alerts for a crisis: to the client's clinicians who can be reached (and the backup clinician
    on a re-send). `note` adds a line (a text key under ladder.), e.g. how a safety check was answered.
    The time shown is when the client's message came (the escalation's creation), not when this is sent."""
    profile = session.get(ClientProfile, client.id)
    out = []
    for clinician in alert_recipients(session, profile, backup=backup):
        key = "ladder.crisis_resend" if resend else "ladder.crisis_alert"
        kind = content.text(f"crisis.kind.{escalation.reason}", clinician.locale)
        text = say(content, clinician, key, client=client_name(client), kind=kind,
                   time=message_time(content, clinician, escalation.created_at, now))
        if note:
            text += "\n" + say(content, clinician, f"ladder.{note}", **(note_fields or {}))
        out.append(Outbound(
            text=text, person_id=clinician.id, options=(ack_option(content, clinician, escalation),),
            kind="alert", priority=Priority.urgent, template_key="clinician_alert",
            template_vars={"1": client_name(client), "2": kind},
            idempotency_key=f"esc:{escalation.id}:{'resend' if resend else 'alert'}:{escalation.level}:{clinician.id}",
            about=client.id,
        ))
        record(session, escalation, "crisis_resend" if resend else "crisis_alert", clinician, now)
    return out


def alerted(session: Session, escalation: Escalation) -> list[Person]:
    """The clinicians an escalation's crisis alert was queued to so far."""
    ids = session.exec(
        select(EscalationStep.recipient_id).where(
            EscalationStep.escalation_id == escalation.id,
            col(EscalationStep.step).in_(("crisis_alert", "crisis_resend")),
            col(EscalationStep.recipient_id).is_not(None))
    ).all()
    people = [session.get(Person, i) for i in dict.fromkeys(ids)]
    return [p for p in people if p is not None]


def safety_check_notes(session: Session, content: Content, client: Person, escalation: Escalation,
                       now: datetime) -> list[Outbound]:
    """Not urgent: a safety check happened and the client said they are safe."""
    profile = session.get(ClientProfile, client.id)
    out = []
    for clinician in alert_recipients(session, profile):
        kind = content.text(f"crisis.kind.{escalation.reason}", clinician.locale)
        out.append(Outbound(
            text=say(content, clinician, "ladder.safety_check_safe", client=client_name(client), kind=kind,
                     time=message_time(content, clinician, escalation.created_at, now)),
            person_id=clinician.id, kind="alert", priority=Priority.normal, template_key="clinician_alert",
            template_vars={"1": client_name(client), "2": kind},
            idempotency_key=f"esc:{escalation.id}:safe:{clinician.id}", about=client.id,
        ))
        record(session, escalation, "safe_note", clinician, now)
    return out


def now_safe_notes(session: Session, content: Content, client: Person, escalation: Escalation,
                   now: datetime) -> list[Outbound]:
    """Not urgent: after an urgent alert, the client has said they are safe (the alert stays open)."""
    out = []
    for clinician in alerted(session, escalation):
        out.append(Outbound(
            text=say(content, clinician, "ladder.crisis_now_safe", client=client_name(client)),
            person_id=clinician.id, kind="alert", priority=Priority.normal, template_key="clinician_alert",
            template_vars={"1": client_name(client), "2": content.text("opt.safe", clinician.locale)},
            idempotency_key=f"esc:{escalation.id}:now_safe:{clinician.id}", about=client.id,
        ))
        record(session, escalation, "now_safe_note", clinician, now)
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
            extra = ""
            if person.role != Role.clinician:
                contact = next((c for c, p in partners_for(session, client.id) if p.id == person.id), None)
                if contact is not None:
                    from handlers import sharing

                    extra = sharing.partner_lines(session, content, contact, client, person,
                                                  now.astimezone(_zone(client)).date())
            out.append(Outbound(
                text=say(content, person, key, client=client_name(client),
                         partner=person.display_name or "") + extra,
                person_id=person.id, kind="all_clear", template_key="all_clear",
                template_vars={"1": client_name(client)}, idempotency_key=f"esc:{esc.id}:clear:{person.id}",
                about=client.id,
            ))
            record(session, esc, "all_clear", person, now)
    return out


def acknowledge(session: Session, escalation_id: int, clinician: Person, now: datetime, *,
                source: str = "chat") -> tuple[str, Escalation | None]:
    """A clinician says "I've got this" (in chat or on the dashboard: `source`): stop further alerts. Returns
    what happened and the escalation."""
    esc = session.get(Escalation, escalation_id)
    if esc is None:
        return "missing", None
    if esc.status == "acknowledged":
        return "already", esc
    if esc.status == "resolved":
        return "resolved", esc
    esc.status, esc.acknowledged_at, esc.acknowledged_by, esc.next_step_at = "acknowledged", now, clinician.id, None
    record(session, esc, "acknowledged", clinician, now, source)
    return "done", esc
