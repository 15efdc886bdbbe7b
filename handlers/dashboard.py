"""The clinician dashboard's rules, platform-neutral: sign-in links, sessions, whose client is whose, the alert queue.

bot/web/dashboard.py serves the pages; this module decides what a clinician may see and do, so the chat and the
browser follow one set of rules (an acknowledgement here is the chat button's own code path).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from data.models import (
    ClientProfile,
    DashboardLogin,
    DashboardSession,
    Escalation,
    EscalationStep,
    Person,
    Role,
)
from handlers import escalation
from handlers.flows.roles import ALERT_STEPS

LOGIN_VALID = timedelta(minutes=15)
SESSION_VALID = timedelta(hours=12)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# -- signing in ----------------------------------------------------------------------------------------------
def login_token(session: Session, clinician: Person, now: datetime) -> str:
    """A single-use sign-in token for `clinician`, valid LOGIN_VALID (only its hash is stored)."""
    token = secrets.token_urlsafe(24)
    session.add(DashboardLogin(token_hash=_hash(token), clinician_id=clinician.id, created_at=now,
                               expires_at=now + LOGIN_VALID))
    return token


def redeem(session: Session, token: str, now: datetime) -> tuple[str, Person | None]:
    """Spend a sign-in token: ("ok", the clinician), or ("used" | "expired" | "unknown", None)."""
    found = session.exec(select(DashboardLogin).where(DashboardLogin.token_hash == _hash(token))).first()
    if found is None:
        return "unknown", None
    if found.used_at is not None:
        return "used", None
    if found.expires_at <= now:
        return "expired", None
    clinician = session.get(Person, found.clinician_id)
    if clinician is None or clinician.role != Role.clinician:
        return "unknown", None
    found.used_at = now
    return "ok", clinician


def start_session(session: Session, clinician: Person, now: datetime) -> str:
    """A new signed-in session; returns its id for the cookie (only its hash is stored)."""
    sid = secrets.token_urlsafe(32)
    session.add(DashboardSession(id_hash=_hash(sid), clinician_id=clinician.id, created_at=now,
                                 expires_at=now + SESSION_VALID))
    return sid


def signed_in(session: Session, sid: str, now: datetime) -> Person | None:
    """The clinician of a live session, or None (ended, expired, unknown, or no longer a clinician)."""
    found = session.exec(select(DashboardSession).where(DashboardSession.id_hash == _hash(sid))).first()
    if found is None or found.ended_at is not None or found.expires_at <= now:
        return None
    clinician = session.get(Person, found.clinician_id)
    return clinician if clinician is not None and clinician.role == Role.clinician else None


def end_session(session: Session, sid: str, now: datetime) -> None:
    found = session.exec(select(DashboardSession).where(DashboardSession.id_hash == _hash(sid))).first()
    if found is not None and found.ended_at is None:
        found.ended_at = now


# -- whose client is whose -----------------------------------------------------------------------------------------
def own_clients(session: Session, clinician: Person) -> list[Person]:
    """The clinician's caseload: clients assigned to them who have consented, by name."""
    return list(session.exec(
        select(Person).join(ClientProfile, col(ClientProfile.person_id) == Person.id)
        .where(ClientProfile.clinician_id == clinician.id, Person.role == Role.client,
               col(Person.consent_at).is_not(None))
        .order_by(col(Person.display_name), col(Person.id))))


def unassigned_clients(session: Session) -> list[Person]:
    """Clients with no clinician: their alerts reach every clinician until one takes them."""
    return list(session.exec(
        select(Person).join(ClientProfile, col(ClientProfile.person_id) == Person.id)
        .where(col(ClientProfile.clinician_id).is_(None), Person.role == Role.client,
               col(Person.consent_at).is_not(None))
        .order_by(col(Person.display_name), col(Person.id))))


def caseload_of(clinician: Person):
    """The one rule for whose clients a clinician sees, as a condition on ClientProfile: their own, and those
    nobody has yet (whose alerts reach every clinician); never another clinician's. Chat and pages share it."""
    return or_(ClientProfile.clinician_id == clinician.id, col(ClientProfile.clinician_id).is_(None))


def may_see(session: Session, clinician: Person, client_id: int) -> bool:
    """Whether this client's record is this clinician's to see: their own client, or one nobody has yet."""
    profile = session.get(ClientProfile, client_id)
    person = session.get(Person, client_id)
    if profile is None or person is None or person.role != Role.client or person.consent_at is None:
        return False
    return profile.clinician_id in (None, clinician.id)


def assign(session: Session, client_id: int, clinician: Person | None) -> bool:
    """Make `clinician` the client's clinician (None: nobody's). False when there is no such client."""
    profile = session.get(ClientProfile, client_id)
    if profile is None:
        return False
    profile.clinician_id = clinician.id if clinician is not None else None
    return True


def take(session: Session, clinician: Person, client_id: int) -> bool:
    """An unassigned client becomes this clinician's; False if someone has them already (or no such client)."""
    profile = session.get(ClientProfile, client_id)
    if profile is None or profile.clinician_id is not None or not may_see(session, clinician, client_id):
        return False
    profile.clinician_id = clinician.id
    return True


def find_clinician(session: Session, name: str) -> list[Person]:
    """Clinicians whose name is `name` (case and spacing aside), for the CLI."""
    wanted = " ".join(name.split()).casefold()
    return [p for p in session.exec(select(Person).where(Person.role == Role.clinician).order_by(col(Person.id)))
            if " ".join((p.display_name or "").split()).casefold() == wanted]


# -- the alert queue -----------------------------------------------------------------------------------------------
@dataclass
class Step:
    step: str
    who: str | None
    at: datetime
    source: str | None = None


@dataclass
class Alert:
    id: int
    client_id: int
    client: str
    kind: str  # crisis | missed_checkin | unreachable
    reason: str | None
    crisis: bool
    created_at: datetime
    alerted_at: datetime  # when it first reached a clinician
    steps: list[Step] = field(default_factory=list)


def alert_queue(session: Session, clinician: Person) -> list[Alert]:
    """Open alerts that reached a clinician, for this clinician's clients and unassigned ones: crises first,
    then the rest, oldest first within each. Two queries, however large the caseload."""
    rows = session.execute(
        select(Escalation.id, Escalation.client_id, Escalation.kind, Escalation.reason, Escalation.created_at,
               Person.display_name)
        .join(ClientProfile, col(ClientProfile.person_id) == Escalation.client_id)
        .join(Person, col(Person.id) == Escalation.client_id)
        .where(Escalation.status == "open", Person.role == Role.client, col(Person.consent_at).is_not(None),
               caseload_of(clinician))).all()
    if not rows:
        return []
    found = {r.id: Alert(id=r.id, client_id=r.client_id, client=r.display_name or f"#{r.client_id}", kind=r.kind,
                         reason=r.reason, crisis=r.kind == "crisis", created_at=r.created_at,
                         alerted_at=r.created_at) for r in rows}
    recipient = aliased(Person)
    steps = session.execute(
        select(EscalationStep.escalation_id, EscalationStep.step, EscalationStep.at, EscalationStep.source,
               recipient.display_name)
        .outerjoin(recipient, col(recipient.id) == EscalationStep.recipient_id)
        .where(col(EscalationStep.escalation_id).in_(list(found)))
        .order_by(col(EscalationStep.at), col(EscalationStep.id))).all()
    reached = set()
    for s in steps:
        alert = found[s.escalation_id]
        if s.step in ALERT_STEPS and s.escalation_id not in reached:
            reached.add(s.escalation_id)
            alert.alerted_at = s.at
        alert.steps.append(Step(s.step, s.display_name, s.at, s.source))
    queue = [a for a in found.values() if a.crisis or a.id in reached]
    return sorted(queue, key=lambda a: (not a.crisis, a.alerted_at, a.id))


def acknowledge(session: Session, clinician: Person, escalation_id: int, now: datetime) -> str:
    """The dashboard's Acknowledge: the chat button's code path, recorded as from the dashboard. "missing" for
    an alert that is not this clinician's to see."""
    found = session.get(Escalation, escalation_id)
    if found is None or not may_see(session, clinician, found.client_id):
        return "missing"
    outcome, _ = escalation.acknowledge(session, escalation_id, clinician, now, source="dashboard")
    return outcome
