"""Bad input of any shape gets a clear answer and loses nothing: never an error, on either database."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.models import CheckIn, SupportContact
from handlers.dispatch import dispatch
from handlers.types import Inbound

ODD_PAYLOADS = ["cmd:bogus", "fu:²", "fu:1:passed", f"ack:{2**64}", "ack:-1", "ack:", "mood:99", "c:abc", "x" * 64]


@pytest.mark.parametrize("payload", ODD_PAYLOADS)
def test_a_forged_or_odd_button_gets_an_answer_never_an_error(client, payload):
    reply = client.send("", payload=payload)
    assert reply  # something kind, never a crash
    client.send("/checkin")
    assert "1 (very low) to 5 (great)" in client.last[-1].text  # and the next message is handled as usual


def test_a_nul_and_a_lone_surrogate_in_a_note_are_stored_without_them(client):
    client.send("/checkin")
    for answer in ("3", "2", "no"):
        client.send(answer)
    client.send("went to\x00 the park \ud800 today")
    (row,) = client.rows(CheckIn)
    assert row.note == "went to the park \ufffd today"


def test_a_partner_name_longer_than_an_invitation_takes_is_asked_shorter(client):
    client.send("/network")
    assert "under 80 characters" in client.send("M" * 81)
    client.send("Mum")
    client.send("9123 4567")
    client.send("yes")  # the invitation stores the name too: it fits
    assert [c.name for c in client.rows(SupportContact)] == ["Mum"]


TEXT = st.text(alphabet=st.characters(codec=None, categories=None), max_size=300)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TEXT, min_size=1, max_size=6))
def test_any_chat_input_at_any_point_is_answered_and_never_raises(rt, texts):
    """Hypothesis writes the messages (control characters, surrogates, emoji, scripts of every kind)."""
    for n, text in enumerate(texts):
        result = dispatch(rt, Inbound("console", "fuzz-1", f"fz-{id(texts)}-{n}", text=text))
        assert result.duplicate or result.replies, repr(text)
