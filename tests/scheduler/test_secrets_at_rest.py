"""An invitation token is in clear only until its message is sent: then no row holds it."""

import re

from sqlmodel import Session, select

from data.models import Invitation, Outbox
from tests.scheduler.conftest import tick

TOKEN = re.compile(r"JOIN (\S{22})")


def _texts(rt) -> list[str]:
    with Session(rt.db) as session:
        return [row.text for row in session.exec(select(Outbox))]


def test_an_invitation_link_leaves_no_token_at_rest_once_sent(client, rt, sender):
    client.send("/network")
    reply = client.send("Mum")
    client.send("9123 4567")
    reply = client.send("yes")
    (token,) = TOKEN.findall(reply)
    assert any(token in text for text in _texts(rt))  # queued: the sender needs it once
    tick(rt, rt.clock(), sender)
    assert any(token in m.text for m in sender.sent)  # delivered with the link
    assert not any(token in text for text in _texts(rt))
    with Session(rt.db) as session:
        (invitation,) = session.exec(select(Invitation)).all()
        assert token not in invitation.token_hash  # only the hash, as before
    # The invitation still works: the partner opens it with the link they were sent.
    from tests.chat import Chat

    assert "Ken" in Chat(rt, address="partner-9").send(f"JOIN {token}")


def test_the_link_is_never_joined_into_another_message(client, rt, sender):
    client.send("/network")
    client.send("Mum")
    client.send("9123 4567")
    client.send("yes")
    tick(rt, rt.clock(), sender)
    with Session(rt.db) as session:
        rows = session.exec(select(Outbox).where(Outbox.kind == "secret")).all()
    assert len(rows) == 1 and rows[0].status == "sent"
