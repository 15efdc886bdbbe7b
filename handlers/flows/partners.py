"""What a partner's buttons do: send encouragement (a ready-made message or their own words), say "I reached
out" after a nudge, or stop the weekly note. Whom a partner may write to is checked on every press: only a
client whose invitation they accepted."""

from __future__ import annotations

from data.models import Escalation, Person, Role, SupportContact
from handlers import digest, escalation
from handlers.parsing import parse_id
from handlers.turn import Invalid, Reply, Step, Turn
from handlers.types import Outbound

FLOW = "encourage"
MAX_WORDS = 500  # characters of a typed encouragement


def handle_payload(turn: Turn, payload: str) -> bool:
    """A partner's button from a weekly note or a nudge; False when the payload is not one of these."""
    for prefix, act in ((digest.ENCOURAGE, start), (digest.PICK, picked), (digest.REACHED, reached),
                        (digest.DIGEST_OFF, stop_notes), (digest.DIGEST_ON, resume_notes)):
        if payload.startswith(prefix):
            if turn.person.role != Role.partner:
                turn.say("alerts.not_for_you")
            else:
                act(turn, payload.removeprefix(prefix))
            return True
    return False


def _client(turn: Turn, raw: str) -> Person | None:
    client_id = parse_id(raw)
    if client_id is None or digest.supported(turn.session, turn.person.id, client_id) is None:
        return None
    return turn.get(Person, client_id)


def start(turn: Turn, raw: str) -> None:
    client = _client(turn, raw)
    if client is None:
        turn.say("alerts.not_for_you")
        return
    turn.start_flow(FLOW)
    turn.data["client"] = client.id
    ask(turn)


def ask(turn: Turn) -> None:
    client = turn.get(Person, turn.data.get("client", 0))
    turn.ask(FLOW, "pick", "digest.pick", digest.ready_made(turn.rt.content, turn.locale, turn.data.get("client", 0)),
             client=(client.display_name if client else "") or "")


def on_pick(turn: Turn, reply: Reply) -> None:
    if reply.choice and reply.choice.startswith(digest.PICK):
        picked(turn, reply.choice.removeprefix(digest.PICK))
        return
    words = (reply.text or "").strip()
    if not words:
        raise Invalid("digest.pick_hint")
    _deliver(turn, turn.data.get("client", 0), words[:MAX_WORDS])


def picked(turn: Turn, raw: str) -> None:
    client_raw, _, n = raw.partition(":")
    if n not in {str(i) for i in range(1, digest.READY_MADE + 1)}:
        turn.say("hint.stale")
        return
    client = _client(turn, client_raw)
    if client is None:
        turn.say("alerts.not_for_you")
        return
    # The client reads it in their own language: the ready-made words are picked by number, not copied.
    _deliver(turn, client.id, None, ready=int(n))


def _deliver(turn: Turn, client_id: int, words: str | None, *, ready: int | None = None) -> None:
    client = _client(turn, str(client_id))
    turn.end_flow()
    if client is None:
        turn.say("alerts.not_for_you")
        return
    content, name = turn.rt.content, turn.person.display_name or "?"
    said = words if words is not None else content.text(f"digest.ready_{ready}", client.locale)
    turn.after.append(Outbound(text=content.text("digest.from_partner", client.locale, partner=name, words=said),
                               person_id=client.id, kind="encouragement",
                               not_before=digest.quiet_until(turn.session, client, turn.now)))
    turn.say("digest.sent", client=client.display_name or "")


def reached(turn: Turn, raw: str) -> None:
    """After a nudge: the partner reached out. Recorded on the alert; the client hears someone cares."""
    esc_id = parse_id(raw)
    esc = turn.get(Escalation, esc_id) if esc_id is not None else None
    client = _client(turn, str(esc.client_id)) if esc is not None else None
    if esc is None or client is None:
        turn.say("alerts.not_for_you")
        return
    escalation.record(turn.session, esc, "partner_reached_out", turn.person, turn.now, "chat")
    name = turn.person.display_name or "?"
    turn.after.append(Outbound(text=turn.rt.content.text("digest.thinking_of_you", client.locale, partner=name),
                               person_id=client.id, kind="encouragement",
                               not_before=digest.quiet_until(turn.session, client, turn.now)))
    turn.say("digest.reached_thanks", client=client.display_name or "")


def stop_notes(turn: Turn, raw: str) -> None:
    _switch(turn, raw, on=False)


def resume_notes(turn: Turn, raw: str) -> None:
    _switch(turn, raw, on=True)


def _switch(turn: Turn, raw: str, *, on: bool) -> None:
    """The partner's own switch for the weekly note about one person they support."""
    contact_id = parse_id(raw)
    found = turn.get(SupportContact, contact_id) if contact_id is not None else None
    if found is None or found.partner_person_id != turn.person.id:
        turn.say("alerts.not_for_you")
        return
    found.digest = on
    client = turn.get(Person, found.client_id)
    turn.say("digest.resumed" if on else "digest.stopped", client=(client.display_name if client else "") or "")


GUIDE = ("intro", "missed", "slip", "avoid", "self_care")


def guide(turn: Turn, arg: str = "") -> None:
    """The partners' guide: how to help, what to skip, looking after yourself, and support of their own."""
    turn.say_text("\n\n".join(turn.t(f"guide.{part}") for part in GUIDE))
    found = turn.rt.content.resources("partner_support", turn.person.timezone, turn.locale)
    lines = [turn.t("guide.support_intro")] if found else []
    lines += [turn.t("guide.resource_line", name=r.name, what=r.what, contact=r.contact) for r in found]
    turn.say_text("\n".join([*lines, "", turn.t("guide.footer")]).strip())


FLOWS = {FLOW: {"pick": Step(ask, on_pick)}}
