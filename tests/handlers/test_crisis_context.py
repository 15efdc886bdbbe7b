"""The crisis check in the conversation: typed text only, and a person's recent messages read together."""

import pytest

from handlers.types import Inbound

pytestmark = pytest.mark.real_model  # the real crisis check, with its memory of recent messages


def test_the_person_s_recent_messages_are_read_with_the_new_one(client, clock, monkeypatch):
    """Dispatch hands the context reader the earlier typed messages of the window, oldest first,
    and acts on what it says (the model's side of it: tests/safety/test_detector.py)."""
    from handlers import dispatch
    from handlers.safety import CrisisKind, CrisisResult, Level

    seen = []

    def reader(text, earlier, alone, lang=None, scores=None):
        seen.append((text, list(earlier)))
        if earlier == ["sorted the cupboard today", "made noodles for dinner"]:
            return CrisisResult(Level.CHECK, CrisisKind.SUICIDE, 0.9, ("model", "context"))
        return alone

    monkeypatch.setattr(dispatch, "in_context", reader)
    clock.advance(hours=1)  # onboarding's answers are out of the window now
    client.send("sorted the cupboard today")
    clock.advance(minutes=5)
    client.send("made noodles for dinner")
    clock.advance(minutes=5)
    reply = client.send("ok night")
    assert seen[-1] == ("ok night", ["sorted the cupboard today", "made noodles for dinner"])
    assert "Are you safe right now?" in reply


def test_context_expires_after_thirty_minutes(client, clock):
    clock.advance(hours=1)
    client.send("been a long day")
    clock.advance(minutes=31)
    client.send("going to bed")
    assert [m[1] for m in client.state().recent] == ["going to bed"]


def test_only_the_last_two_messages_are_kept_and_a_crisis_clears_them(client, clock):
    for text in ("first", "second", "third"):
        client.send(text)
        clock.advance(minutes=1)
    assert [m[1] for m in client.state().recent] == ["second", "third"]
    client.send("I want to kill myself")
    assert client.state().recent == []


def test_nothing_is_kept_before_consent(chat):
    chat.send("hi")
    chat.send("hello there")
    assert chat.state().recent == []


def test_a_button_press_is_not_read_for_danger(client, rt):
    """A tapped button carries its label as text; only what the person typed is checked or kept."""
    from handlers.dispatch import dispatch

    before = client.state().recent
    dispatch(rt, Inbound(channel="console", address=client.address, external_id="tap-1",
                         text="I want to kill myself", payload="menu:nothing", received_at=rt.clock()))
    assert "2896 0000" not in "\n".join(m.text for m in client.new_messages())
    assert client.state().recent == before


def test_kept_messages_are_in_the_export_and_go_with_delete(client, clock):
    import json

    clock.advance(hours=1)
    client.send("made noodles for dinner")
    client.send("/export")
    data = json.loads(client.last[-1].attachment["content"])
    assert [m["text"] for m in data["recent_messages"]] == ["made noodles for dinner"]
    client.send("/delete")
    client.tap("Erase")
    assert client.person() is None
