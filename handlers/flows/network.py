"""Support network: walk the twelve kinds of support, note who or what and how to reach them, mark partners."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam

from data.content import SupportKind
from data.db import Rows
from data.models import ConsentState, Invitation, Role, SupportContact, limit
from handlers.flows import invites
from handlers.parsing import has_words
from handlers.turn import Invalid, Reply, Step, Turn
from handlers.types import Option, Outbound

FLOW = "network"
# A name is stored on the contact and, for an invitation, on the invitation too: the shorter of the two.
NAME_MAX = min(limit(SupportContact, "name"), limit(Invitation, "name"))
REACH_MAX = limit(SupportContact, "reach")
GAP_REMINDER = timedelta(days=7)  # "did you try it?" a week after the client asked for a reminder
TRIED = "gaptry:"  # gaptry:<kind>:yes|no, the answer to that question


_CONTACTS = Rows(SupportContact, SupportContact.__table__.c.client_id == bindparam("client"),
                 order_by=[SupportContact.__table__.c.id])


def contacts(turn: Turn) -> list[SupportContact]:
    return _CONTACTS.all(turn.session, client=turn.person.id)


def kinds(turn: Turn) -> dict[str, SupportKind]:
    return {k.key: k for k in turn.rt.content.support_kinds(turn.locale)}


def start(turn: Turn) -> None:
    turn.start_flow(FLOW)
    if contacts(turn):
        ask_overview(turn)
    else:
        turn.say("network.intro", count=len(kinds(turn)))
        walk(turn, list(kinds(turn)))


# -- overview (/network on a network that already has people in it) -----------------------------
def summary(turn: Turn) -> str:
    by_kind: dict[str, list[str]] = {}
    for c in contacts(turn):
        mark = turn.t("network.partner_mark") if c.is_partner else ""
        by_kind.setdefault(c.category, []).append(c.name + mark)
    lines = [turn.t("network.summary_title", covered=len(by_kind), count=len(kinds(turn)))]
    for key, kind in kinds(turn).items():
        if key in by_kind:
            lines.append(turn.t("network.covered_line", kind=kind.name, names=", ".join(by_kind[key])))
    gaps = [kind for key, kind in kinds(turn).items() if key not in by_kind]
    if gaps:
        lines += ["", turn.t("network.gaps_title")]
        for kind in gaps:
            lines.append(turn.t("network.gap_line", kind=kind.name, step=kind.next_step))
            found = resources(turn, kind.key)
            if found:  # a real place to start, from the directory
                lines.append(turn.t("network.gap_resource", name=found[0].name, contact=found[0].contact))
    return "\n".join(lines)


def ask_overview(turn: Turn) -> None:
    turn.ask_text(
        FLOW, "overview", summary(turn) + "\n\n" + turn.t("network.overview_question"),
        [turn.opt("fill_gaps"), turn.opt("walk_all"), turn.opt("edit"), turn.opt("done")],
    )


def on_overview(turn: Turn, reply: Reply) -> None:
    if reply.choice == "fill_gaps":
        covered = {c.category for c in contacts(turn)}
        gaps = [key for key in kinds(turn) if key not in covered]
        if not gaps:
            turn.say("network.no_gaps")
            ask_overview(turn)
            return
        walk(turn, gaps)
    elif reply.choice == "walk_all":
        walk(turn, list(kinds(turn)))
    elif reply.choice == "edit":
        ask_edit_pick(turn)
    elif reply.choice == "done":
        turn.end_flow()
        turn.say("network.done")
    else:
        raise Invalid("hint.choose", count=4)


# -- the walk through the kinds of support -----------------------------------------------------------
def walk(turn: Turn, queue: list[str]) -> None:
    turn.data.update(queue=queue, i=0)
    ask_kind(turn)


def current_kind(turn: Turn) -> SupportKind:
    return kinds(turn)[turn.data["queue"][turn.data["i"]]]


def ask_kind(turn: Turn) -> None:
    kind = current_kind(turn)
    ideas = [turn.opt("ideas")] if resources(turn, kind.key) else []
    turn.ask(FLOW, "kind", "network.ask_kind", [*ideas, turn.opt("skip"), turn.opt("finish")],
             n=turn.data["i"] + 1, total=len(turn.data["queue"]), kind=kind.name, why=kind.why)


def resources(turn: Turn, kind: str):
    """Concrete next steps for a kind of support, where this person lives (content/resources.toml)."""
    return turn.rt.content.resources(kind, turn.person.timezone, turn.locale)


def idea_lines(turn: Turn, kind: str) -> list[str]:
    return [turn.t("network.idea_line", name=r.name, what=r.what, contact=r.contact, checked=r.checked,
                   source=_site(r.source)) for r in resources(turn, kind)]


def _site(source: str) -> str:
    """A source as a person can read it: the first site it names ("info.gov.hk")."""
    first = source.split(";")[0].strip()
    return first.split("//", 1)[-1].split("/", 1)[0].removeprefix("www.") or first


def ask_ideas(turn: Turn) -> None:
    kind = current_kind(turn)
    text = "\n".join([turn.t("network.ideas_title", kind=kind.name), *idea_lines(turn, kind.key), "",
                      turn.t("network.ideas_question")])
    turn.ask_text(FLOW, "ideas", text, [turn.opt("remind_week"), turn.opt("skip"), turn.opt("finish")])


def on_ideas(turn: Turn, reply: Reply) -> None:
    if reply.choice == "remind_week":
        kind = current_kind(turn)
        names = ", ".join(r.name for r in resources(turn, kind.key))
        turn.out.append(Outbound(
            text=turn.t("network.tried_question", kind=kind.name, names=names), person_id=turn.person.id,
            kind="gap_reminder", not_before=turn.now + GAP_REMINDER,
            idempotency_key=f"gap:{turn.person.id}:{kind.key}:{turn.today.isoformat()}",
            options=(Option(turn.t("opt.tried_yes"), f"{TRIED}{kind.key}:yes"),
                     Option(turn.t("opt.tried_not_yet"), f"{TRIED}{kind.key}:no"))))
        turn.say("network.reminder_set")
        next_kind(turn)
        return
    on_kind(turn, reply)  # skip, finish, or a name typed after all


def tried(turn: Turn, payload: str) -> None:
    """The answer to the week-later question: either way, warmly."""
    kind, _, answer = payload.removeprefix(TRIED).partition(":")
    name = kinds(turn)[kind].name if kind in kinds(turn) else kind
    turn.say("network.tried_yes" if answer == "yes" else "network.tried_no", kind=name)


def on_kind(turn: Turn, reply: Reply) -> None:
    if reply.choice == "skip":
        next_kind(turn)
        return
    if reply.choice == "finish":
        finish(turn)
        return
    if reply.choice == "ideas":
        ask_ideas(turn)
        return
    if not has_words(reply.text):
        raise Invalid("network.name_hint")
    if len(reply.text) > NAME_MAX:
        raise Invalid("hint.too_long", max=NAME_MAX)
    contact = SupportContact(
        client_id=turn.person.id, category=current_kind(turn).key, name=reply.text, created_at=turn.now
    )
    turn.session.add(contact)
    turn.session.flush()
    turn.data["contact_id"] = contact.id
    ask_reach(turn)


def contact(turn: Turn) -> SupportContact | None:
    return turn.get(SupportContact, turn.data.get("contact_id") or 0)


def ask_reach(turn: Turn) -> None:
    turn.ask(FLOW, "reach", "network.ask_reach", [turn.opt("skip")], contact=contact(turn).name)


def on_reach(turn: Turn, reply: Reply) -> None:
    if reply.choice != "skip":
        if not reply.text:
            raise Invalid("network.reach_hint")
        if len(reply.text) > REACH_MAX:
            raise Invalid("hint.too_long", max=REACH_MAX)
        contact(turn).reach = reply.text
    if current_kind(turn).person:
        ask_partner(turn)
    else:
        next_kind(turn)


def ask_partner(turn: Turn) -> None:
    turn.ask(FLOW, "partner", "network.ask_partner", [turn.opt("yes"), turn.opt("no")],
             contact=contact(turn).name)


def on_partner(turn: Turn, reply: Reply) -> None:
    if reply.choice not in ("yes", "no"):
        raise Invalid("hint.yes_no")
    if reply.choice == "yes":
        # The invitation comes with it: sharing the link stays the client's choice.
        found = contact(turn)
        found.is_partner = True
        token = invites.create(turn.session, role=Role.partner, now=turn.now, client_id=turn.person.id,
                               contact_id=found.id, name=found.name)
        found.consent_state = ConsentState.invited
        turn.say("network.partner_marked", contact=found.name, links=invites.links(turn, token),
                 days=invites.EXPIRES_AFTER.days, secret=True)
    next_kind(turn)


def next_kind(turn: Turn) -> None:
    turn.data["i"] += 1
    if turn.data["i"] >= len(turn.data["queue"]):
        finish(turn)
    else:
        ask_kind(turn)


def finish(turn: Turn) -> None:
    turn.end_flow()
    turn.say_text(summary(turn) + "\n\n" + turn.t("network.finish"))


# -- editing ---------------------------------------------------------------------------------------------
def ask_edit_pick(turn: Turn) -> None:
    names = kinds(turn)
    options = [
        turn.opt(f"c:{c.id}", label=f"{c.name} ({names[c.category].name if c.category in names else c.category})")
        for c in contacts(turn)
    ]
    turn.ask(FLOW, "edit_pick", "network.edit_pick", options + [turn.opt("back")])


def on_edit_pick(turn: Turn, reply: Reply) -> None:
    if reply.choice == "back":
        ask_overview(turn)
        return
    if not reply.choice or not reply.choice.startswith("c:"):
        raise Invalid("hint.choose", count=len(turn.data.get("_opts", [])))
    turn.data["contact_id"] = int(reply.choice[2:])
    ask_edit_action(turn)


def ask_edit_action(turn: Turn) -> None:
    found = contact(turn)
    if found is None:
        ask_overview(turn)
        return
    partner = turn.opt("unpartner") if found.is_partner else turn.opt("make_partner")
    share = [turn.opt("share", "what_they_see")] if found.is_partner else []
    turn.ask(FLOW, "edit_action", "network.edit_action", [partner, *share, turn.opt("remove"), turn.opt("back")],
             contact=found.name)


def on_edit_action(turn: Turn, reply: Reply) -> None:
    found = contact(turn)
    if reply.choice == "back" or found is None:
        ask_overview(turn)
        return
    if reply.choice == "remove":
        if found.is_partner:
            _tell_partner_it_ended(turn, found)
        turn.session.delete(found)
        turn.session.flush()
        turn.say("network.removed", contact=found.name)
    elif reply.choice == "share" and found.is_partner:
        ask_share_level(turn)
        return
    elif reply.choice in ("make_partner", "unpartner"):
        if found.is_partner and reply.choice == "unpartner":
            _tell_partner_it_ended(turn, found)
        found.is_partner = reply.choice == "make_partner"
        turn.say("network.partner_marked_edit" if found.is_partner else "network.partner_unmarked", contact=found.name)
    else:
        raise Invalid("hint.choose", count=3)
    ask_overview(turn)


def _tell_partner_it_ended(turn: Turn, found: SupportContact) -> None:
    """A partner who had joined hears, kindly and without any reason given, that the messages stop."""
    from data.models import Person

    if found.partner_person_id is None or found.consent_state != ConsentState.accepted:
        return
    partner = turn.get(Person, found.partner_person_id)
    if partner is None:
        return
    name = turn.person.display_name or ""
    turn.after.append(Outbound(text=turn.rt.content.text("network.partner_step_back", partner.locale, client=name),
                               person_id=partner.id, kind="notice", about=turn.person.id))


# -- what a partner sees (also reached from /settings) ----------------------------------------------------
def partners(turn: Turn) -> list[SupportContact]:
    return [c for c in contacts(turn) if c.is_partner]


def start_sharing(turn: Turn) -> None:
    """From /settings: pick the partner (when there are several), then the level."""
    turn.start_flow(FLOW)
    people = partners(turn)
    if not people:
        turn.end_flow()
        turn.say("network.sharing_no_partners")
        return
    if len(people) == 1:
        turn.data["contact_id"] = people[0].id
        ask_share_level(turn)
        return
    ask_share_pick(turn)


def ask_share_pick(turn: Turn) -> None:
    turn.ask(FLOW, "share_pick", "network.sharing_pick", [turn.opt(f"c:{c.id}", label=c.name) for c in partners(turn)])


def on_share_pick(turn: Turn, reply: Reply) -> None:
    if not reply.choice or not reply.choice.startswith("c:"):
        raise Invalid("hint.choose", count=len(turn.data.get("_opts", [])))
    turn.data["contact_id"] = int(reply.choice[2:])
    ask_share_level(turn)


def ask_share_level(turn: Turn) -> None:
    from handlers import sharing

    found = contact(turn)
    if found is None:
        turn.end_flow()
        return
    toggle = turn.opt("digest:toggle", "network.digest_turn_off" if found.digest else "network.digest_turn_on")
    turn.ask(FLOW, "share_level", "network.sharing_levels",
             [turn.opt(f"share:{lv}", f"share_{lv}") for lv in sharing.LEVELS] + [toggle],
             contact=found.name, now=turn.t(f"opt.share_{sharing.level(found)}"))


def on_share_level(turn: Turn, reply: Reply) -> None:
    from handlers import sharing

    found = contact(turn)
    if found is not None and reply.choice == "digest:toggle":  # this partner's weekly note, on or off
        found.digest = not found.digest
        turn.end_flow()
        turn.say("network.digest_on" if found.digest else "network.digest_off", contact=found.name)
        return
    chosen = (reply.choice or "").removeprefix("share:")
    if found is None or chosen not in sharing.LEVELS:
        raise Invalid("hint.choose", count=len(sharing.LEVELS))
    found.sharing = chosen
    turn.end_flow()
    turn.say("network.sharing_saved", contact=found.name, level=turn.t(f"opt.share_{chosen}"))


FLOWS = {
    FLOW: {
        "share_pick": Step(ask_share_pick, on_share_pick),
        "share_level": Step(ask_share_level, on_share_level),
        "overview": Step(ask_overview, on_overview),
        "kind": Step(ask_kind, on_kind),
        "reach": Step(ask_reach, on_reach),
        "partner": Step(ask_partner, on_partner),
        "edit_pick": Step(ask_edit_pick, on_edit_pick),
        "edit_action": Step(ask_edit_action, on_edit_action),
        "ideas": Step(ask_ideas, on_ideas),
    }
}
