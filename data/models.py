"""The tables: people and how to reach them, their recovery records, conversations and the outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy.types import TypeDecorator
from sqlmodel import JSON, Column, Field, SQLModel


class UTCDateTime(TypeDecorator):
    """Store instants as naive UTC and hand them back timezone-aware, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass an aware UTC instant")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _instant(**kw: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kw)


def _json(default_factory=dict) -> Any:
    return Field(default_factory=default_factory, sa_column=Column(JSON, nullable=False))


class Role(StrEnum):
    client = "client"
    partner = "partner"
    clinician = "clinician"


class Priority(StrEnum):
    normal = "normal"
    urgent = "urgent"  # bypasses quiet hours and pauses


class OutboxStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    cancelled = "cancelled"


class ConsentState(StrEnum):
    none = "none"
    invited = "invited"
    accepted = "accepted"
    declined = "declined"
    withdrawn = "withdrawn"


class Person(SQLModel, table=True):
    __tablename__ = "person"
    id: int | None = Field(default=None, primary_key=True)
    role: str = Field(default=Role.client, max_length=16, index=True)
    display_name: str | None = Field(default=None, max_length=80)
    locale: str = Field(default="en", max_length=16)
    timezone: str = Field(default="Asia/Hong_Kong", max_length=64)
    consent_at: datetime | None = _instant(default=None)
    created_at: datetime = _instant()


class ChannelAddress(SQLModel, table=True):
    __tablename__ = "channel_address"
    __table_args__ = (sa.UniqueConstraint("channel", "address", name="uq_channel_address"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    channel: str = Field(max_length=16)
    address: str = Field(max_length=128)
    opted_in_at: datetime | None = _instant(default=None)
    opted_out_at: datetime | None = _instant(default=None)
    last_inbound_at: datetime | None = _instant(default=None)
    unreachable_at: datetime | None = _instant(default=None)


class ClientProfile(SQLModel, table=True):
    __tablename__ = "client_profile"
    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    clinician_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    # What accountability partners may see: "missed" (only that a check-in is missing) by default.
    partner_share: str = Field(default="missed", max_length=16)
    checkin_time: time = Field(default=time(20, 0))
    sobriety_start: date | None = None
    # The current streak counts from streak_start; a slip banks it and starts a new one.
    streak_start: date | None = None
    banked_sober_days: int = 0
    longest_streak_days: int = 0
    quiet_start: time | None = None
    quiet_end: time | None = None
    paused_until: date | None = None
    backup_clinician_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    # The next instants the scheduler owes this client something, kept here so a pass over every
    # client is one indexed range query, not a time-zone calculation per client.
    next_prompt_at: datetime | None = _instant(default=None, index=True)
    next_summary_at: datetime | None = _instant(default=None, index=True)
    # The partners' weekly note (handlers/digest.py): on this weekday (0 Monday .. 6 Sunday), None for never.
    digest_weekday: int | None = 6
    next_digest_at: datetime | None = _instant(default=None, index=True)


class SupportContact(SQLModel, table=True):
    __tablename__ = "support_contact"
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    category: str = Field(max_length=32)
    name: str = Field(max_length=120)
    relation: str | None = Field(default=None, max_length=80)
    reach: str | None = Field(default=None, max_length=200)
    availability: str | None = Field(default=None, max_length=120)
    is_partner: bool = False
    consent_state: str = Field(default=ConsentState.none, max_length=16)
    partner_person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    created_at: datetime = _instant()
    # What this partner may hear (handlers/sharing.py): missed check-ins only unless the client chose more.
    sharing: str = Field(default="missed", max_length=16)
    # Whether this partner gets the weekly note; the client or the partner can turn it off.
    digest: bool = True


class Craving(SQLModel, table=True):
    __tablename__ = "craving"
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    logged_at: datetime = _instant()
    intensity: int
    triggers: list[str] = _json(list)
    where: str | None = Field(default=None, max_length=200)
    with_whom: str | None = Field(default=None, max_length=200)
    plan: str | None = Field(default=None, max_length=500)
    outcome: str | None = Field(default=None, max_length=32)
    followup_due_at: datetime | None = _instant(default=None, index=True)
    followups_sent: int = 0
    followup_outcome: str | None = Field(default=None, max_length=32)


class CheckIn(SQLModel, table=True):
    __tablename__ = "checkin"
    __table_args__ = (sa.UniqueConstraint("client_id", "local_date", name="uq_checkin_client_date"),)
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    local_date: date
    prompted_at: datetime | None = _instant(default=None)
    answered_at: datetime | None = _instant(default=None)
    mood: int | None = None
    craving: int | None = None
    used: bool | None = None
    note: str | None = Field(default=None, max_length=1000)
    streak_days: int | None = None


class Slip(SQLModel, table=True):
    __tablename__ = "slip"
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    occurred_on: date
    reported_at: datetime = _instant()
    streak_days_before: int = 0
    what_happened: str | None = Field(default=None, max_length=1000)
    next_time: str | None = Field(default=None, max_length=1000)


class FailedUpdate(SQLModel, table=True):
    """An inbound message whose handling raised: retried a few times, then kept here as a dead letter.

    Neither its text nor its address is kept, only which message it was and what kind of error.
    """

    __tablename__ = "failed_update"
    __table_args__ = (sa.UniqueConstraint("channel", "external_id", name="uq_failed_update"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=128)
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    attempts: int = 0
    error: str = Field(max_length=120)  # the exception's type, never its message (it may quote the text)
    first_failed_at: datetime = _instant()
    last_failed_at: datetime = _instant()
    dead: bool = False


class JournalNote(SQLModel, table=True):
    """Something the person wrote that fitted no question, kept because they asked to keep it."""

    __tablename__ = "journal_note"
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    written_at: datetime = _instant()
    text: str = Field(max_length=4000)


class ConversationState(SQLModel, table=True):
    __tablename__ = "conversation_state"
    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    flow: str | None = Field(default=None, max_length=32)
    step: str | None = Field(default=None, max_length=32)
    data: dict[str, Any] = _json(dict)
    # Flows interrupted by a crisis or a command, newest last, so they can be resumed.
    suspended: list[dict[str, Any]] = _json(list)
    # The last typed messages within the crisis check's context window (30 minutes, at most two),
    # [received ISO instant, text]; emptied once a crisis is found. Health data: erased with the person.
    recent: list[list[str]] = _json(list)
    updated_at: datetime = _instant()


class InboundEvent(SQLModel, table=True):
    """One row per inbound message ever handled: the dedupe key, never the message text."""

    __tablename__ = "inbound_event"
    __table_args__ = (sa.UniqueConstraint("channel", "external_id", name="uq_inbound_channel_external"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=128)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True, ondelete="SET NULL")
    received_at: datetime = _instant()


# An outbox row still to send (pending) or being sent (sending, under a lease). Queries that should use
# ix_outbox_unsent repeat this exact text: a database uses a partial index only when it can see that
# the query asks for a subset of its rows, and a bound parameter would hide that.
UNSENT = "status IN ('pending', 'sending')"


class Outbox(SQLModel, table=True):
    __tablename__ = "outbox"
    # AUTOINCREMENT: SQLite would otherwise reuse the ids of erased rows, muddling the delivery record.
    __table_args__ = (
        # What is due across everyone (the scheduler's claim), unsent rows only.
        sa.Index("ix_outbox_due", "due_at", sqlite_where=sa.text(UNSENT), postgresql_where=sa.text(UNSENT)),
        # Each recipient's messages not yet sent, in order: what a claim looks at. Partial, so it stays
        # as small as the queues however long the history grows.
        sa.Index("ix_outbox_unsent", "channel", "address", "id", sqlite_where=sa.text(UNSENT),
                 postgresql_where=sa.text(UNSENT)),
        # Only sent messages have a provider id: a partial index costs nothing when queueing.
        sa.Index("ix_outbox_provider_id", "provider_id", sqlite_where=sa.text("provider_id IS NOT NULL"),
                 postgresql_where=sa.text("provider_id IS NOT NULL")),
        {"sqlite_autoincrement": True},
    )
    id: int | None = Field(default=None, primary_key=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True, ondelete="CASCADE")
    channel: str = Field(max_length=16)
    address: str = Field(max_length=128)
    text: str
    options: list[dict[str, str]] = _json(list)
    numbered: bool = True  # False for scales, where a typed number is the answer itself
    kind: str = Field(default="reply", max_length=16)  # reply | prompt | reminder | nudge | alert | ...
    attachment: dict[str, str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    template_key: str | None = Field(default=None, max_length=64)
    template_vars: dict[str, str] = _json(dict)
    idempotency_key: str = Field(max_length=160, unique=True)
    priority: str = Field(default=Priority.normal, max_length=8)
    status: str = Field(default=OutboxStatus.pending, max_length=12)
    due_at: datetime = _instant()
    attempts: int = 0
    lease_until: datetime | None = _instant(default=None)
    # The worker holding the lease: only it renews the lease (see scheduler/outbox/worker.py).
    lease_owner: str | None = Field(default=None, max_length=64)
    provider_id: str | None = Field(default=None, max_length=128)
    last_error: str | None = Field(default=None, max_length=500)
    # What the platform reported after accepting it (WhatsApp status callbacks): only moves forward.
    delivery_status: str | None = Field(default=None, max_length=16)
    delivery_error: str | None = Field(default=None, max_length=16)
    force_template: bool = False  # send as the approved template even if the 24-hour window looks open
    # The client a message to someone else is about (an alert, a nudge, an all-clear): erased with them.
    about_person_id: int | None = Field(default=None, index=True)
    created_at: datetime = _instant()
    sent_at: datetime | None = _instant(default=None)


class Escalation(SQLModel, table=True):
    __tablename__ = "escalation"
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=24)  # crisis | missed_checkin | unreachable
    reason: str | None = Field(default=None, max_length=32)  # crisis kind, or what was missed
    priority: str = Field(default=Priority.normal, max_length=8)
    level: int = 0
    status: str = Field(default="open", max_length=16, index=True)  # open | acknowledged | resolved
    checkin_id: int | None = Field(default=None, foreign_key="checkin.id", ondelete="SET NULL")
    created_at: datetime = _instant()
    acknowledged_at: datetime | None = _instant(default=None)
    acknowledged_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    resolved_at: datetime | None = _instant(default=None)
    next_step_at: datetime | None = _instant(default=None, index=True)


class EscalationStep(SQLModel, table=True):
    """One rung climbed: who was told what, and when."""

    __tablename__ = "escalation_step"
    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = Field(foreign_key="escalation.id", index=True, ondelete="CASCADE")
    step: str = Field(max_length=24)  # reminder | partner_nudge | clinician_alert | all_clear | acknowledged ...
    recipient_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    at: datetime = _instant()
    source: str | None = Field(default=None, max_length=16)  # where an acknowledgement came from: chat | dashboard


class Invitation(SQLModel, table=True):
    """A single-use, expiring invitation to join as someone's partner, or as a clinician.

    Only a hash of the token is stored: the link itself is shown once, to the person who shares it.
    """

    __tablename__ = "invitation"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16)  # partner | clinician | client
    client_id: int | None = Field(default=None, foreign_key="person.id", index=True, ondelete="CASCADE")
    # For a client invitation: the clinician who invited them, and whose client they become.
    clinician_id: int | None = Field(default=None, foreign_key="person.id", ondelete="CASCADE")
    contact_id: int | None = Field(default=None, foreign_key="support_contact.id", ondelete="CASCADE")
    name: str | None = Field(default=None, max_length=80)  # whom it is for, as the inviter named them
    status: str = Field(default="pending", max_length=16)  # pending | accepted | declined | revoked
    created_at: datetime = _instant()
    expires_at: datetime = _instant()
    used_at: datetime | None = _instant(default=None)
    used_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")


class MediaLink(SQLModel, table=True):
    """A picture WhatsApp fetches by URL (Twilio takes media only by link): an unguessable token, only its hash
    kept, that stops working at `expires_at`. What it shows (`chart`) is drawn when fetched."""

    __tablename__ = "media_link"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    chart: str = Field(max_length=120)
    created_at: datetime = _instant()
    expires_at: datetime = _instant()
    fetches: int = 0


class DashboardLogin(SQLModel, table=True):
    """A single-use sign-in link for a clinician's dashboard: only its token's hash is kept."""

    __tablename__ = "dashboard_login"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    clinician_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    created_at: datetime = _instant()
    expires_at: datetime = _instant()
    used_at: datetime | None = _instant(default=None)


class DashboardSession(SQLModel, table=True):
    """A signed-in dashboard session (the cookie carries its id; only the id's hash is kept)."""

    __tablename__ = "dashboard_session"
    id: int | None = Field(default=None, primary_key=True)
    id_hash: str = Field(max_length=64, unique=True)
    clinician_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    created_at: datetime = _instant()
    expires_at: datetime = _instant()
    ended_at: datetime | None = _instant(default=None)


def limit(model, field: str) -> int:
    """The longest text a column takes, from the model itself: flows check answers against this one place."""
    return model.__table__.c[field].type.length


# Every table is declared: configure the ORM now rather than on its first query, since rows are also built
# straight from RETURNING (data/outbox.py) or attached without one (data/db.py), which may come first.
sa.orm.configure_mappers()
