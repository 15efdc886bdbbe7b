"""Whose client is whose, in chat: a clinician's invitation makes a client theirs, alerts follow, and clients can
see and change their clinician."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from data.models import ClientProfile, Escalation, EscalationStep, Outbox, Person
from handlers.flows.invites import create
from tests.chat import Chat


def clinician(rt, name: str, address: str) -> Chat:
    with Session(rt.db) as session:
        token = create(session, role="clinician", now=rt.clock(), name=name)
        session.commit()
    doctor = Chat(rt, address=address)
    doctor.send(f"/start {token}")
    doctor.tap("Yes")
    assert doctor.person().role == "clinician"
    return doctor


def invited_client(rt, doctor: Chat, address: str, name: str) -> Chat:
    reply = doctor.send("/invite")
    assert "works once and expires in 7 days" in reply
    token = re.search(r"JOIN ([A-Za-z0-9_-]{20,64})", reply).group(1)
    client = Chat(rt, address=address)
    consent = client.send(f"JOIN {token}")
    assert f"{doctor.person().display_name} at" in consent and "will see your check-ins" in consent
    client.tap("Yes")
    client.send(name)
    client.tap("Hong Kong")
    client.send("21:00")
    client.send("30 days ago")
    client.tap("Later")
    return client


def alerts_to(rt, person_id: int) -> list[Outbox]:
    with Session(rt.db) as session:
        return list(session.exec(select(Outbox).where(Outbox.person_id == person_id, Outbox.kind == "alert")
                                 .order_by(col(Outbox.id))))


def test_a_client_invited_by_dr_chan_is_hers_and_raises_alerts_only_to_her(rt):
    chan, lee = clinician(rt, "Dr Chan", "chan"), clinician(rt, "Dr Lee", "lee")
    ken = invited_client(rt, chan, "ken", "Ken")
    assert ken.profile().clinician_id == chan.person().id and ken.person().consent_at is not None
    ken.send("I want to end my life tonight")
    assert any("Ken" in m.text for m in alerts_to(rt, chan.person().id))
    assert alerts_to(rt, lee.person().id) == []
    assert "Ken" in chan.send("/clients")
    assert "Ken" not in lee.send("/clients")  # Dr Lee never sees Dr Chan's client anywhere
    assert "couldn't find a client called Ken" in lee.send("/client Ken")


def test_an_unassigned_clients_crisis_reaches_every_clinician(rt):
    chan, lee = clinician(rt, "Dr Chan", "chan"), clinician(rt, "Dr Lee", "lee")
    mei = Chat(rt, address="mei")
    mei.onboard(name="Mei")
    assert mei.profile().clinician_id is None
    mei.send("I want to end my life tonight")
    assert alerts_to(rt, chan.person().id) and alerts_to(rt, lee.person().id)
    assert "Mei" in lee.send("/clients") and "Mei" in chan.send("/clients")


def test_a_client_sees_and_changes_their_clinician_in_settings(rt):
    chan, lee = clinician(rt, "Dr Chan", "chan"), clinician(rt, "Dr Lee", "lee")
    ken = invited_client(rt, chan, "ken", "Ken")
    ken.send("/settings")
    reply = ken.tap("My clinician")
    assert "Your clinician here is Dr Chan" in reply and "Dr Lee" in ken.labels
    assert "Dr Lee is now your clinician" in ken.tap("Dr Lee")
    assert ken.profile().clinician_id == lee.person().id
    ken.tap("My clinician")
    assert "no longer have a clinician" in ken.tap("No one in particular")
    assert ken.profile().clinician_id is None


def test_an_existing_client_who_opens_another_clinicians_invitation_changes_clinician(rt):
    chan = clinician(rt, "Dr Chan", "chan")
    ken = Chat(rt, address="ken")
    ken.onboard()
    token = re.search(r"JOIN ([A-Za-z0-9_-]{20,64})", chan.send("/invite")).group(1)
    ken.send(f"JOIN {token}")
    assert "Dr Chan is now your clinician" in ken.tap("Yes")
    assert ken.profile().clinician_id == chan.person().id and ken.person().display_name == "Ken"


def test_a_declined_client_invitation_changes_nothing(rt):
    chan = clinician(rt, "Dr Chan", "chan")
    token = re.search(r"JOIN ([A-Za-z0-9_-]{20,64})", chan.send("/invite")).group(1)
    stranger = Chat(rt, address="stranger")
    stranger.send(f"JOIN {token}")
    stranger.tap("No")
    person = stranger.person()
    assert person.consent_at is None
    with Session(rt.db) as session:
        assert session.get(ClientProfile, person.id) is None


def test_the_dashboard_link_works_once_and_is_not_kept_in_the_outbox(rt):
    rt.dashboard_url = "https://bot.example.org/dashboard"
    chan = clinician(rt, "Dr Chan", "chan")
    reply = chan.send("/dashboard")
    assert re.search(r"https://bot\.example\.org/dashboard/login\?token=[A-Za-z0-9_-]{30,}", reply), reply
    assert chan.last[-1].kind == "secret"  # blanked once sent, like an invitation link
    rt.dashboard_url = None
    assert "isn't switched on" in chan.send("dashboard")


def test_acknowledging_in_chat_is_recorded_as_from_chat(rt):
    chan = clinician(rt, "Dr Chan", "chan")
    ken = invited_client(rt, chan, "ken", "Ken")
    ken.send("I want to end my life tonight")
    chan.new_messages()
    with Session(rt.db) as session:
        esc = session.exec(select(Escalation).where(Escalation.client_id == ken.person().id)).one()
    chan.send("ack")
    chan_id = chan.person().id
    with Session(rt.db) as session:
        (step,) = session.exec(select(EscalationStep).where(EscalationStep.escalation_id == esc.id,
                                                           EscalationStep.step == "acknowledged")).all()
        assert (step.source, step.recipient_id) == ("chat", chan_id)
        assert session.get(Person, step.recipient_id).display_name == "Dr Chan"
