"""The progress picture as a message: its one line of words now, the picture itself drawn when it is sent.

The outbox keeps what to draw (`Attachment.chart`), not the picture; each channel's sender draws it
(bot/media.py). The words are the picture's caption and alt text, and all a text-only channel shows.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from data.content import Content
from data.models import Person
from data.outbox import preferred_address
from handlers import progress
from handlers.delivery import WHATSAPP, in_window
from handlers.types import Attachment, Outbound

CHART_KIND = "chart"


def chart_ref(person_id: int, at: datetime) -> str:
    """What to draw: this person's progress as of `at` ("progress:<id>:<instant>")."""
    return f"progress:{person_id}:{at.isoformat()}"


def can_reach(session: Session, person_id: int, at: datetime) -> bool:
    """Whether a picture can reach this person at `at`: on WhatsApp only within 24 hours of their last message
    (outside it the summary goes as its approved template, words only; /progress brings the picture any time)."""
    address = preferred_address(session, person_id)
    return address is None or address.channel != WHATSAPP or in_window(address.last_inbound_at, at)


def progress_message(session: Session, content: Content, person: Person, now: datetime, *,
                     not_before: datetime | None = None, idempotency_key: str | None = None) -> Outbound | None:
    """The month as a picture, for `person`; None for someone without a recovery profile."""
    found = progress.brief(session, person.id, now)  # the caption's figures; the month is read when drawn
    if found is None:
        return None
    return Outbound(
        text=progress.caption(content, person.locale, found), person_id=person.id, kind=CHART_KIND,
        attachment=Attachment(filename=f"progress-{found.today.isoformat()}.png", mime_type="image/png",
                              chart=chart_ref(person.id, now)),
        not_before=not_before, idempotency_key=idempotency_key,
    )
