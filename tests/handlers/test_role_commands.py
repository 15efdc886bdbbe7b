"""Which commands a person can use depends on their role alone, never on the flow they are in."""

from __future__ import annotations

import pytest

from handlers.commands import COMMANDS
from tests.chat import Chat
from tests.scheduler.conftest import add_partner, add_person

CLIENT_FLOWS = {"checkin", "craving", "network", "slip", "settings", "invite", "onboarding", "talk", "undo"}


def _partner_in_a_flow(rt, client) -> Chat:
    add_partner(rt, client.person().id)
    partner = Chat(rt, address="partner-1")
    partner.send("/delete")  # the confirmation question is open
    assert partner.state().flow == "delete"
    return partner


@pytest.mark.parametrize("name", [*COMMANDS, "bogus"])
@pytest.mark.parametrize("in_flow", [False, True], ids=["no flow", "in a flow"])
def test_a_partner_gets_only_partner_commands_whatever_flow_they_are_in(client, rt, name, in_flow):
    if in_flow:
        partner = _partner_in_a_flow(rt, client)
    else:
        add_partner(rt, client.person().id)
        partner = Chat(rt, address="partner-1")
    reply = partner.send(f"/{name}")
    state = partner.state()
    assert state is None or state.flow not in CLIENT_FLOWS, (name, state.flow)
    if name in ("checkin", "craving", "network", "slip", "export", "invite", "menu", "bogus", "start"):
        assert "accountability partner" in reply, name  # their own short help
    if name == "settings":  # their own settings: the weekly note about each person they support
        assert "Stop the weekly note about Ken" in partner.labels
    if name == "clients":
        assert "You're supporting: Ken" in reply


@pytest.mark.parametrize("name", [*COMMANDS, "bogus"])
@pytest.mark.parametrize("in_flow", [False, True], ids=["no flow", "in a flow"])
def test_a_clinician_gets_only_clinician_commands_whatever_flow_they_are_in(client, rt, name, in_flow):
    add_person(rt, role="clinician", name="Dr Chan", address="clinician-1")
    doctor = Chat(rt, address="clinician-1")
    if in_flow:
        doctor.send("/delete")
        assert doctor.state().flow == "delete"
    reply = doctor.send(f"/{name}")
    state = doctor.state()
    assert state is None or state.flow not in CLIENT_FLOWS, (name, state.flow)
    if name in ("checkin", "craving", "network", "slip", "settings", "export", "menu", "bogus", "stop"):
        assert "You're a clinician" in reply, name
    if name == "clients":
        assert "Ken" in reply
    if name == "invite":  # a clinician's invitation is for a new client of theirs
        assert "invitation for a new client" in reply
    if name == "dashboard":
        assert "dashboard isn't switched on" in reply


@pytest.mark.parametrize("name", [*COMMANDS, "bogus"])
def test_a_client_mid_flow_can_use_every_client_command(client, name):
    client.send("/checkin")
    client.send("/" + name)  # never an error; client commands interrupt any flow
    assert client.last, name


def test_the_reproduced_crash_a_partner_deleting_then_asking_for_settings(client, rt):
    partner = _partner_in_a_flow(rt, client)
    assert "weekly note about each person you support" in partner.send("/settings")
    assert partner.state().flow is None
