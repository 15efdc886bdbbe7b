"""Partners hear good news too: a short weekly note, and ways to answer it.

- The weekly note goes to each accepted partner on the day the client chose (`ClientProfile.digest_weekday`,
  Sunday unless changed; None turns it off for everyone), unless the client or the partner switched it off
  for that partner (`SupportContact.digest`). It says only what the client lets that partner see
  (handlers/sharing.py): by default just how many of the last seven days were checked in.
- **Send encouragement** offers three short messages or a typed one, delivered to the client as from that
  partner.
- **I reached out**, under a nudge about a missed check-in, records the step on the escalation (the clinician
  sees it in the alert's history) and tells the client, warmly, that someone is thinking of them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from data.content import Content
from data.models import CheckIn, ClientProfile, Person, SupportContact
from handlers import sharing
from handlers.types import Option, Outbound
from handlers.when import in_quiet_hours

ENCOURAGE = "enc:"  # enc:<client id>: the partner wants to send encouragement
PICK = "encpick:"  # encpick:<client id>:<n>: one of the ready-made messages
REACHED = "reached:"  # reached:<escalation id>: the partner reached out after a nudge
DIGEST_OFF = "digestoff:"  # digestoff:<contact id>: the partner wants no more weekly notes
DIGEST_ON = "digeston:"  # digeston:<contact id>: ... and wants them again
READY_MADE = 3
WEEK = 7
# Someone without quiet hours of their own (a partner who is not also a client) is left alone at night.
NIGHT = (time(22, 0), time(8, 0))


def quiet_until(session: Session, person: Person, now: datetime) -> datetime | None:
    """When this person's quiet hours (their own, else the night) end, if they hold `now`: a weekly note or an
    encouragement waits until then; nothing here is urgent."""
    profile = session.get(ClientProfile, person.id)
    start, end = (profile.quiet_start, profile.quiet_end) if profile is not None else NIGHT
    return in_quiet_hours(now, ZoneInfo(person.timezone), start, end)


def answered_days(session: Session, client_id: int, today: date) -> int:
    """How many of the last seven local days the client checked in."""
    return session.exec(select(func.count()).select_from(CheckIn).where(
        CheckIn.client_id == client_id, col(CheckIn.answered_at).is_not(None),
        col(CheckIn.local_date) > today - timedelta(days=WEEK))).one()


def note(session: Session, content: Content, contact: SupportContact, client: Person, partner: Person,
         today: date, *, key: str, now: datetime) -> Outbound:
    """The weekly note for one partner: what this partner may see, and the two buttons."""
    locale, name = partner.locale, client.display_name or contact.name
    extra = sharing.partner_lines(session, content, contact, client, partner, today)
    text = content.text("digest.intro", locale, client=name, partner=partner.display_name or contact.name)
    if extra:  # a level above the default: its lines say the days and more
        text += extra
    else:
        text += "\n" + content.text("digest.days", locale, client=name,
                                    days=answered_days(session, client.id, today), week=WEEK)
    return Outbound(
        text=text, person_id=partner.id, kind="digest", about=client.id, idempotency_key=key,
        not_before=quiet_until(session, partner, now),
        options=(Option(content.text("digest.encourage", locale), f"{ENCOURAGE}{client.id}"),
                 Option(content.text("digest.stop", locale), f"{DIGEST_OFF}{contact.id}")),
    )


def ready_made(content: Content, locale: str, client_id: int) -> list[Option]:
    return [Option(content.text(f"digest.ready_{n}", locale), f"{PICK}{client_id}:{n}")
            for n in range(1, READY_MADE + 1)]


def supported(session: Session, partner_id: int, client_id: int) -> SupportContact | None:
    """The partner's accepted link to this client, if there is one (nothing is sent without it)."""
    return session.exec(select(SupportContact).where(
        SupportContact.partner_person_id == partner_id, SupportContact.client_id == client_id,
        SupportContact.consent_state == "accepted")).first()

