"""Invitations: a client invites a partner (/invite), a clinic invites a clinician; the invitee consents or declines."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from data.models import ClientProfile, ConsentState, Invitation, Person, Role, SupportContact
from handlers.turn import Invalid, Reply, Step, Turn
from handlers.types import Outbound

FLOW = "invitation"
INVITE_FLOW = "invite"
EXPIRES_AFTER = timedelta(days=7)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def create(session: Session, *, role: str, now: datetime, client_id: int | None = None,
           contact_id: int | None = None, name: str | None = None, clinician_id: int | None = None,
           expires_after: timedelta = EXPIRES_AFTER) -> str:
    """Store a new invitation and return its token (shown once; only its hash is kept)."""
    token = secrets.token_urlsafe(16)  # 22 characters of A-Z a-z 0-9 _ -: fits a Telegram deep link
    session.add(Invitation(token_hash=token_hash(token), role=role, client_id=client_id, contact_id=contact_id,
                           name=name, clinician_id=clinician_id, created_at=now, expires_at=now + expires_after))
    return token


# -- a clinician's side: /invite gives a link for a new client, who becomes theirs -----------------------------
def invite_client(turn: Turn) -> None:
    token = create(turn.session, role=Role.client, now=turn.now, clinician_id=turn.person.id)
    turn.say("invite.client_link", links=links(turn, token), days=EXPIRES_AFTER.days, secret=True)


def links(turn: Turn, token: str) -> str:
    return "\n".join(template.format(token=token) for template in turn.rt.invite_links.values())


# -- the client's side: /invite ------------------------------------------------------------------------
def start(turn: Turn) -> None:
    turn.start_flow(INVITE_FLOW)
    waiting = [c for c in _partners(turn) if c.consent_state != ConsentState.accepted]
    if not waiting:
        turn.end_flow()
        turn.say("invite.no_partners")
        return
    ask_pick(turn)


def _partners(turn: Turn) -> list[SupportContact]:
    return list(turn.session.exec(select(SupportContact).where(
        SupportContact.client_id == turn.person.id, col(SupportContact.is_partner).is_(True)
    ).order_by(col(SupportContact.id))))


def ask_pick(turn: Turn) -> None:
    options = [turn.opt(f"c:{c.id}", label=c.name) for c in _partners(turn)
               if c.consent_state != ConsentState.accepted]
    turn.ask(INVITE_FLOW, "pick", "invite.pick", [*options, turn.opt("back")])


def on_pick(turn: Turn, reply: Reply) -> None:
    if reply.choice == "back":
        turn.end_flow()
        turn.say("menu.cancelled")
        return
    contact = turn.get(SupportContact, int(reply.choice[2:])) if reply.choice else None
    if contact is None or contact.client_id != turn.person.id:
        raise Invalid("hint.choose", count=len(turn.data.get("_opts", [])))
    token = create(turn.session, role=Role.partner, now=turn.now, client_id=turn.person.id,
                   contact_id=contact.id, name=contact.name)
    contact.consent_state = ConsentState.invited
    turn.end_flow()
    turn.say("invite.link", contact=contact.name, links=links(turn, token), days=EXPIRES_AFTER.days, secret=True)


# -- the invitee's side: /start TOKEN or JOIN TOKEN --------------------------------------------------------
def open_invitation(turn: Turn, token: str) -> bool:
    """Show the consent screen for a valid invitation; False (after saying why) when it is not valid."""
    found = turn.session.exec(select(Invitation).where(Invitation.token_hash == token_hash(token))).first()
    if found is None or found.status != "pending" or found.expires_at <= turn.now:
        turn.say("invite.invalid")
        return False
    turn.start_flow(FLOW)
    turn.data["invitation_id"] = found.id
    ask_answer(turn)
    return True


def invitation(turn: Turn) -> Invitation | None:
    return turn.get(Invitation, turn.data.get("invitation_id") or 0)


def ask_answer(turn: Turn) -> None:
    found = invitation(turn)
    if found is None:
        turn.end_flow()
        return
    if found.role == Role.clinician:
        turn.ask(FLOW, "answer", "invite.clinician_consent", [turn.opt("accept"), turn.opt("decline")])
        return
    if found.role == Role.client:
        clinician = turn.get(Person, found.clinician_id) if found.clinician_id else None
        turn.ask(FLOW, "answer", "invite.client_consent",
                 [turn.opt("accept", "client_accept"), turn.opt("decline", "client_decline")],
                 clinician=(clinician.display_name if clinician else None) or "?")
        return
    client = turn.get(Person, found.client_id)
    turn.ask(FLOW, "answer", "invite.partner_consent", [turn.opt("accept"), turn.opt("decline")],
             client=(client.display_name if client else None) or "?")


def on_answer(turn: Turn, reply: Reply) -> None:
    found = invitation(turn)
    if found is None or found.status != "pending" or found.expires_at <= turn.now:
        turn.end_flow()
        turn.say("invite.invalid")
        return
    if reply.choice not in ("accept", "decline"):
        raise Invalid("hint.choose", count=2)
    found.used_at, found.used_by = turn.now, turn.person.id
    contact = turn.get(SupportContact, found.contact_id) if found.contact_id else None
    client = turn.get(Person, found.client_id) if found.client_id else None
    turn.end_flow()
    if reply.choice == "decline":
        found.status = "declined"
        if contact is not None:
            contact.consent_state = ConsentState.declined
        turn.say("invite.declined")
        if client is not None and contact is not None:
            _tell(turn, client, "invite.client_declined", contact=contact.name)
        return
    if found.role == Role.client:
        _become_client(turn, found)
        return
    found.status = "accepted"
    person = turn.person
    if person.consent_at is None:
        person.consent_at = turn.now
        person.role = found.role
        profile_name = turn.inbound.profile_name if turn.inbound else None
        # A clinician is known by the name the clinic gave; a partner by their own.
        preferred = (found.name, profile_name) if found.role == Role.clinician else (profile_name, found.name)
        person.display_name = person.display_name or preferred[0] or preferred[1]
    if found.role == Role.clinician:
        person.role = Role.clinician
        turn.say("invite.clinician_welcome")
        return
    if contact is not None:
        contact.consent_state, contact.partner_person_id = ConsentState.accepted, person.id
    turn.say("invite.partner_welcome", client=(client.display_name if client else None) or "?",
             about=client.id if client else None)
    from handlers.flows import partners

    partners.guide(turn)  # how to help, from the start
    if client is not None and contact is not None:
        _tell(turn, client, "invite.client_accepted", contact=contact.name)


def _become_client(turn: Turn, found: Invitation) -> None:
    """Accepting a clinician's invitation: this consent is the consent to the companion itself, with the
    clinician named; a new person goes on to set up, someone already a client just changes clinician."""
    from handlers import flows

    person = turn.person
    clinician = turn.get(Person, found.clinician_id) if found.clinician_id else None
    if person.consent_at is not None and person.role != Role.client:
        found.status = "declined"
        turn.say("invite.client_not_for_role")
        return
    found.status = "accepted"
    profile = turn.get(ClientProfile, person.id)
    if profile is None:
        person.consent_at, person.role = person.consent_at or turn.now, Role.client
        profile = ClientProfile(person_id=person.id, streak_start=turn.today)
        turn.session.add(profile)
    profile.clinician_id = clinician.id if clinician is not None else None
    name = (clinician.display_name if clinician else None) or "?"
    if person.display_name is None:
        turn.say("invite.client_welcome", clinician=name)
        flows.start(turn, "onboarding")
    else:
        turn.say("invite.client_new_clinician", clinician=name)
        flows.start(turn, "menu")


def _tell(turn: Turn, person: Person, key: str, **fields) -> None:
    turn.after.append(Outbound(text=turn.rt.content.text(key, person.locale, **fields), person_id=person.id,
                               kind="notice"))


FLOWS = {
    INVITE_FLOW: {"pick": Step(ask_pick, on_pick)},
    FLOW: {"answer": Step(ask_answer, on_answer)},
}
