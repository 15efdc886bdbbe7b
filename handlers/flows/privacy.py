"""Export (everything stored about the person, as a JSON file) and delete (confirm, then erase)."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from sqlmodel import SQLModel, delete, select, update

from data.models import (
    ChannelAddress,
    CheckIn,
    ClientProfile,
    ConversationState,
    Craving,
    Escalation,
    InboundEvent,
    JournalNote,
    MediaLink,
    Outbox,
    Person,
    Slip,
    SupportContact,
)
from handlers.turn import Invalid, Reply, Step, Turn
from handlers.types import FAREWELL_KIND, Attachment, Outbound

FLOW = "delete"
# Rows that belong to the person, with the column that says so. Partners' links to them are unset instead.
OWNED = (
    (ConversationState, "person_id"), (Outbox, "person_id"), (CheckIn, "client_id"), (Craving, "client_id"),
    (Slip, "client_id"), (JournalNote, "client_id"), (Escalation, "client_id"), (SupportContact, "client_id"),
    (ClientProfile, "person_id"),
    (ChannelAddress, "person_id"), (MediaLink, "person_id"),
)
EXPORTED = (
    ("addresses", ChannelAddress, "person_id"), ("profile", ClientProfile, "person_id"),
    ("support_network", SupportContact, "client_id"), ("checkins", CheckIn, "client_id"),
    ("cravings", Craving, "client_id"), ("slips", Slip, "client_id"), ("journal", JournalNote, "client_id"),
    ("escalations", Escalation, "client_id"),
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _row(row: SQLModel) -> dict[str, Any]:
    return {k: _plain(v) for k, v in row.model_dump().items()}


def collect(turn: Turn) -> dict[str, Any]:
    """Everything stored about this person, as plain JSON-ready data."""
    pid = turn.person.id
    found: dict[str, Any] = {"exported_at": turn.now.isoformat(), "person": _row(turn.person)}
    for name, table, column in EXPORTED:
        rows = turn.session.exec(select(table).where(getattr(table, column) == pid)).all()
        found[name] = [_row(r) for r in rows]
    # Kept for the crisis check's context (at most two, from the last 30 minutes; see handlers/dispatch.py).
    found["recent_messages"] = [{"received_at": m[0], "text": m[1]} for m in turn.state.recent]
    return found


def export(turn: Turn) -> None:
    data = json.dumps(collect(turn), ensure_ascii=False, indent=2)
    filename = f"recovery-export-{turn.today.isoformat()}.json"
    turn.out.append(Outbound(
        text=turn.t("privacy.export_ready", filename=filename), person_id=turn.person.id,
        attachment=Attachment(filename=filename, content=data),
    ))


def start_delete(turn: Turn) -> None:
    turn.start_flow(FLOW)
    ask_confirm(turn)


def ask_confirm(turn: Turn) -> None:
    turn.ask(FLOW, "confirm", "privacy.confirm_delete", [turn.opt("erase"), turn.opt("keep_data")])


def on_confirm(turn: Turn, reply: Reply) -> None:
    if reply.choice == "keep_data":
        turn.end_flow()
        turn.say("privacy.kept")
    elif reply.choice == "erase":
        erase(turn)
    else:
        raise Invalid("hint.choose", count=2)


def erase(turn: Turn) -> None:
    """Remove every row that identifies the person; the goodbye goes to the bare address."""
    session, pid = turn.session, turn.person.id
    goodbye = turn.t("privacy.deleted")
    session.flush()
    session.execute(update(SupportContact).where(SupportContact.partner_person_id == pid)
                    .values(partner_person_id=None))
    session.execute(update(ClientProfile).where(ClientProfile.clinician_id == pid).values(clinician_id=None))
    session.execute(update(Escalation).where(Escalation.acknowledged_by == pid).values(acknowledged_by=None))
    session.execute(update(InboundEvent).where(InboundEvent.person_id == pid).values(person_id=None))
    for table, column in OWNED:
        session.execute(delete(table).where(getattr(table, column) == pid))
    # Copies of messages about them sent to others (alerts, nudges, all-clears, summaries) go too.
    session.execute(delete(Outbox).where(Outbox.about_person_id == pid))
    session.execute(delete(Person).where(Person.id == pid))
    session.expunge_all()
    turn.erased = True
    # The goodbye goes to the bare address; once sent, neither its text nor the address is kept.
    turn.out[:] = [Outbound(text=goodbye, person_id=None, kind=FAREWELL_KIND)]


FLOWS = {FLOW: {"confirm": Step(ask_confirm, on_confirm)}}
