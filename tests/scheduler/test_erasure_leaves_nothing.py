"""After /delete, no row anywhere holds the person's name, address or anything they wrote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select as sa_select
from sqlmodel import Session, SQLModel

from tests.chat import Chat
from tests.scheduler.conftest import add_partner, add_person, tick

PROMPT = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
NAME, ADDRESS, PHRASE = "Zebediah", "addr-zeb-4471", "my sister baked lemon scones"


def _everything(rt) -> str:
    """Every value of every row of every table, as text."""
    import data.models  # noqa: F401 - the tables

    parts = []
    with Session(rt.db) as session:
        for table in SQLModel.metadata.sorted_tables:
            for row in session.execute(sa_select(table)):
                parts.extend(str(v) for v in row)
    return "\n".join(parts)


def test_nothing_of_an_erased_client_is_left_in_any_table(rt, sender):
    doctor = add_person(rt, role="clinician", name="Dr Chan", address="clinician-1")
    client = Chat(rt, address=ADDRESS)
    client.onboard(name=NAME)
    partner = add_partner(rt, client.person().id)
    client.send("/craving")
    client.send("7")
    client.send(PHRASE)  # in her own words
    client.send("done")
    client.send("/menu")
    for hours in (0, 1, 3, 24):  # missed: reminder, partner nudge, clinician alert
        tick(rt, PROMPT + timedelta(hours=hours), sender)
    doc = Chat(rt, address="clinician-1")
    assert NAME in doc.send(f"/client {NAME}") and NAME in doc.send("/clients")
    client.send("/checkin")
    for answer in ("2", "3", "no", PHRASE):
        client.send(answer)
    tick(rt, rt.clock(), sender)
    everything = _everything(rt)
    assert NAME in everything and ADDRESS in everything and PHRASE in everything  # the scan sees them
    client.send("/delete")
    client.tap("Yes, erase everything")
    tick(rt, rt.clock(), sender)  # the goodbye goes out
    assert any(m.address == ADDRESS and "erased" in m.text.casefold() for m in sender.sent)
    everything = _everything(rt)
    for trace in (NAME, ADDRESS, PHRASE):
        assert trace not in everything, trace
    assert partner.id and doctor.id  # the others are still here
