"""What each accountability partner may hear about the client: chosen by the client, per partner.

Levels, each including the ones before it except slips, which are told only at their own level:
- `missed` (the default): only that a check-in was missed, and that it was done after all;
- `streaks`: also the current streak and how many of the last seven days were checked in;
- `trends`: also the average mood and craving strength of the last seven check-ins;
- `slips`: also a slip in the last seven days (only when the client picks this level explicitly).

Every message to a partner takes its extra lines from `partner_lines`, so no caller can share more
than the client allowed.
"""

from __future__ import annotations

from datetime import date, timedelta
from statistics import mean

from sqlmodel import Session, col, select

from data.content import Content
from data.models import CheckIn, ClientProfile, Person, Slip, SupportContact
from handlers import recovery

LEVELS = ("missed", "streaks", "trends", "slips")
DEFAULT = "missed"
WEEK = 7


def level(contact: SupportContact) -> str:
    return contact.sharing if contact.sharing in LEVELS else DEFAULT


def allows(contact: SupportContact, what: str) -> bool:
    """Whether this partner may hear `what` (a level name)."""
    return LEVELS.index(level(contact)) >= LEVELS.index(what)


def partner_lines(session: Session, content: Content, contact: SupportContact, client: Person,
                  partner: Person, today: date) -> str:
    """The extra lines a partner's message carries at this partner's level ("" at the default)."""
    if not allows(contact, "streaks"):
        return ""
    locale = partner.locale
    profile = session.get(ClientProfile, client.id)
    since = today - timedelta(days=WEEK - 1)
    rows = session.exec(select(CheckIn).where(CheckIn.client_id == client.id, col(CheckIn.local_date) >= since,
                                              col(CheckIn.answered_at).is_not(None))).all()
    tally = recovery.tally(profile, today) if profile else None
    lines = [content.text("sharing.streak_line", locale, streak=tally.current if tally else 0, days=len(rows),
                          week=WEEK)]
    if allows(contact, "trends"):
        moods = [r.mood for r in rows if r.mood is not None]
        cravings = [r.craving for r in rows if r.craving is not None]
        if moods or cravings:
            lines.append(content.text("sharing.trend_line", locale,
                                      mood=f"{mean(moods):.1f}" if moods else "-",
                                      craving=f"{mean(cravings):.1f}" if cravings else "-"))
    if allows(contact, "slips"):
        slips = session.exec(select(Slip).where(Slip.client_id == client.id, col(Slip.occurred_on) >= since)).all()
        if slips:
            lines.append(content.text("sharing.slip_line", locale, count=len(slips)))
    return "\n" + "\n".join(lines)
