"""The platform-neutral vocabulary every channel speaks: inbound messages, outbound messages, options."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from data.content import Content

# The kinds of message whose stored text (and, for a farewell, address) is dropped once sent: the queue
# (data/outbox.py) says what each means. Re-exported for the flows.
from data.outbox import (  # noqa: F401
    ERASED_ADDRESS,
    FAREWELL_KIND,
    PRIVATE_KIND,
    SECRET_KIND,
    SECRET_SENT_TEXT,
    SENT_TEXT,
)

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to: for tests, benchmarks and `tick --at`."""

    def __init__(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("FixedClock needs an aware instant")
        self.now = now.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


MAX_PAYLOAD_BYTES = 64


@dataclass(frozen=True)
class Option:
    """A button: the label people see and the short key the bot gets back."""

    label: str
    payload: str

    def __post_init__(self) -> None:
        if not 1 <= len(self.payload.encode()) <= MAX_PAYLOAD_BYTES:
            raise ValueError(f"option payload must be 1-{MAX_PAYLOAD_BYTES} bytes: {self.payload!r}")


@dataclass(frozen=True)
class Inbound:
    channel: str
    address: str
    external_id: str
    text: str = ""
    payload: str | None = None  # the key of a tapped button, when there was one
    received_at: datetime | None = None
    profile_name: str | None = None
    language: str | None = None  # the app's language hint, when the platform gives one


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message: its content, or for a picture drawn when sent, what to draw (`chart`)."""

    filename: str
    content: str = ""
    mime_type: str = "application/json"
    chart: str | None = None  # "progress:<person id>:<as-of instant>": drawn at send time (bot/media.py)


@dataclass
class Outbound:
    """A message for one person (or, after erasure, for a bare address) that the outbox will deliver."""

    text: str
    person_id: int | None = None
    options: tuple[Option, ...] = ()
    numbered: bool = True  # False for scales: a typed "7" means the value 7, not the seventh button
    kind: str = "reply"
    priority: str = "normal"
    template_key: str | None = None
    template_vars: dict[str, str] = field(default_factory=dict)
    attachment: Attachment | None = None
    not_before: datetime | None = None  # held back until then (quiet hours); never set for urgent messages
    force_template: bool = False  # WhatsApp: send as the approved template whatever the 24-hour window says
    channel: str | None = None  # set for replies: answer on the channel the message came from
    address: str | None = None
    idempotency_key: str | None = None
    about: int | None = None  # the client a message to someone else is about (erased with them)


@dataclass(frozen=True)
class Clinic:
    """Who runs this instance: names the bot may say, taken from settings."""

    name: str = "the clinic"
    clinician_name: str = "your clinician"
    clinician_contact: str = ""


@dataclass(frozen=True)
class Ladder:
    """When each rung of the escalation ladder is climbed, counted from the check-in prompt."""

    reminder_after: timedelta = timedelta(hours=1)
    partner_nudge_after: timedelta = timedelta(hours=3)
    clinician_alert_after: timedelta = timedelta(hours=24)
    crisis_resend_after: timedelta = timedelta(minutes=15)
    crisis_resends: int = 4
    craving_followups: tuple[timedelta, ...] = (timedelta(minutes=20), timedelta(minutes=60))
    # This many missed-check-in alerts for one clinician in one pass become one message (crises never do).
    digest_at: int = 5


@dataclass
class Runtime:
    """What the engine needs from the outside world, chosen once by bot/ and passed down."""

    db: Engine
    content: Content
    clock: Clock = system_clock
    clinic: Clinic = field(default_factory=Clinic)
    default_timezone: str = "Asia/Hong_Kong"
    default_locale: str = "en"
    ladder: Ladder = field(default_factory=Ladder)
    # How an invitation token becomes a link, per channel this deployment runs ({token} is filled in).
    invite_links: dict[str, str] = field(default_factory=lambda: {"console": "JOIN {token}"})
    # Channels on which a turn's replies go out as one message where they read as one (see delivery.joined),
    # each with the longest text it takes in one message.
    join_replies: dict[str, int] = field(default_factory=dict)
    # Where the clinician dashboard lives (PUBLIC_BASE_URL + /dashboard), or None when it is switched off.
    dashboard_url: str | None = None

    @property
    def craving_followup_minutes(self) -> int:
        return int(self.ladder.craving_followups[0].total_seconds() // 60)
