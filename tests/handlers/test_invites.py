"""Invitations as conversations: a client invites a partner, a clinic invites a clinician; consent either way."""

import re
from datetime import timedelta

from sqlmodel import Session

from data.models import Invitation, Person, SupportContact
from handlers.flows.invites import create
from tests.chat import Chat


def invite_mum(client) -> str:
    client.send("/network")
    client.send("Mum")
    client.send("9123 4567")
    client.tap("Yes")
    client.tap("Finish")
    client.send("/invite")
    reply = client.tap("Mum")
    assert "works once and expires in 7 days" in reply
    return re.search(r"JOIN ([A-Za-z0-9_-]{20,64})", reply).group(1)


def test_a_partner_accepts_and_the_client_is_told(client, rt):
    token = invite_mum(client)
    mum = Chat(rt, address="mum-phone", profile_name="Mum")
    reply = mum.send(f"JOIN {token}")
    assert "Ken has invited you" in reply
    assert "What you won't see: their cravings, slips, notes or messages" in reply
    assert "Would you like to do this?" in reply
    assert "now Ken's accountability partner" in mum.tap("Yes, I'll help")
    person = mum.person()
    assert person.role == "partner" and person.consent_at is not None
    (contact,) = client.rows(SupportContact)
    assert (contact.consent_state, contact.partner_person_id) == ("accepted", person.id)
    assert "Mum accepted your invitation" in client.new_messages()[-1].text
    assert "You're supporting: Ken" in mum.send("/clients")
    assert "/stop" in mum.send("hello?")  # anything else gets the partner's help


def test_an_invitation_works_once(client, rt):
    token = invite_mum(client)
    mum = Chat(rt, address="mum")
    mum.send(f"JOIN {token}")
    mum.tap("Yes")
    stranger = Chat(rt, address="someone-else")
    assert "isn't valid any more" in stranger.send(f"JOIN {token}")
    assert "Is that okay with you?" in stranger.last[-1].text  # offered the ordinary start instead


def test_an_expired_invitation_is_refused(client, rt, clock):
    token = invite_mum(client)
    clock.advance(days=8)
    assert "isn't valid any more" in Chat(rt, address="mum").send(f"/start {token}")


def test_a_partner_who_declines_changes_nothing_and_the_client_is_told_kindly(client, rt):
    token = invite_mum(client)
    mum = Chat(rt, address="mum")
    mum.send(f"/start {token}")
    assert "nothing has changed" in mum.tap("No, thank you")
    assert client.rows(SupportContact)[0].consent_state == "declined"
    assert "That's okay" in client.new_messages()[-1].text
    assert mum.person().consent_at is None


def test_a_partner_can_step_back(client, rt):
    token = invite_mum(client)
    mum = Chat(rt, address="mum")
    mum.send(f"JOIN {token}")
    mum.tap("Yes")
    client.new_messages()
    assert "stepped back" in mum.send("/stop")
    assert client.rows(SupportContact)[0].consent_state == "withdrawn"
    assert "Mum has stepped back" in client.new_messages()[-1].text


def test_the_token_is_stored_only_as_a_hash(client, rt):
    token = invite_mum(client)
    with Session(rt.db) as session:
        rows = session.exec(__import__("sqlmodel").select(Invitation)).all()
    assert len(rows) == 2  # one offered in the network walk, one from /invite
    assert all(token not in repr(r.model_dump()) and len(r.token_hash) == 64 for r in rows)


def test_a_clinician_joins_and_asks_for_summaries(client, rt):
    client.send("/checkin")
    client.send("4")
    client.send("3")
    client.tap("No")
    client.tap("Skip")
    with Session(rt.db) as session:
        token = create(session, role="clinician", now=rt.clock(), name="Dr Chan")
        session.commit()
    doctor = Chat(rt, address="doctor", profile_name="Dr Chan")
    assert "as a clinician" in doctor.send(f"/start {token}")
    assert "Alerts will arrive here" in doctor.tap("Yes")
    assert doctor.person().role == "clinician"
    reply = doctor.send("/clients")
    assert "Ken: last check-in 2026-03-02, streak 30 days, open alerts 0" in reply
    summary = doctor.send("/client ken")
    assert "Check-ins answered, past 7 days: 1; average mood 4.0" in summary
    assert "couldn't find a client called Zed" in doctor.send("/client Zed")


def test_clients_cannot_use_partner_commands(client):
    assert "don't know that command" in client.send("/clients")


def test_marking_a_partner_in_the_network_walk_comes_with_an_invitation(client, rt):
    client.send("/network")
    client.send("Sam")
    client.tap("Skip")
    reply = client.tap("Yes")
    token = re.search(r"JOIN ([A-Za-z0-9_-]{20,64})", reply).group(1)
    assert "(2/12)" in client.last[-1].text  # and the walk goes on
    sam = Chat(rt, address="sam")
    assert "Ken has invited you" in sam.send(f"JOIN {token}")


def test_invite_with_no_partner_explains_how(client):
    assert "first mark them as an accountability partner" in client.send("/invite")


def test_invitations_expire_a_week_after_they_are_made(client, rt):
    invite_mum(client)
    with Session(rt.db) as session:
        row = session.exec(__import__("sqlmodel").select(Invitation)).all()[-1]
        assert row.expires_at - row.created_at == timedelta(days=7)
        assert session.get(Person, row.client_id).display_name == "Ken"
