"""What partners and clinicians can ask: whom they support, a client's summary, stepping back."""

from __future__ import annotations

from datetime import timedelta
from statistics import mean
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from data.models import (
    CheckIn,
    ClientProfile,
    ConsentState,
    Craving,
    Escalation,
    EscalationStep,
    Person,
    Role,
    Slip,
    SupportContact,
)
from handlers import escalation, recovery
from handlers.parsing import normalize
from handlers.turn import Turn
from handlers.types import PRIVATE_KIND, Outbound

# What each role can ask for; everything else gets that role's short help. Invitation links and /delete work
# for anyone.
FOR_ANYONE = ("delete",)
PARTNER_COMMANDS = ("clients", "stop", "guide", "settings", "help", "cancel")
CLINICIAN_COMMANDS = ("clients", "client", "dashboard", "invite", "help", "cancel")


def command(turn: Turn, given: tuple[str, str] | None) -> None:
    """A partner's or clinician's command (or, outside any flow, plain text): by role alone."""
    from handlers import commands

    name, arg = given or ("", "")
    if (name in ("start", "join") and arg) or name in FOR_ANYONE:
        commands.run(turn, name, arg)
        return
    allowed = PARTNER_COMMANDS if turn.person.role == Role.partner else CLINICIAN_COMMANDS
    if given is not None and turn.state.flow is not None:
        turn.end_flow()  # a command leaves the question that was open (a consent screen, a confirmation)
    if name == "cancel":
        turn.say("menu.cancelled")
        return
    handle(turn, given if name in allowed else (("help", "") if given else None))


def handle(turn: Turn, command: tuple[str, str] | None) -> None:
    """A partner's or clinician's message; anything unknown gets their short help."""
    name, arg = command or ("help", "")
    if turn.person.role == Role.partner:
        from handlers.flows import partners

        {"clients": partner_clients, "stop": partner_stop, "guide": partners.guide,
         "settings": partner_settings}.get(name, _help)(turn, arg)
    elif command is None and turn.inbound is not None and typed_acknowledgement(turn, turn.inbound.text):
        return
    else:
        {"clients": clinician_clients, "client": clinician_client, "dashboard": clinician_dashboard,
         "invite": clinician_invite}.get(name, _help)(turn, arg)


def typed_acknowledgement(turn: Turn, text: str) -> bool:
    """"ack", "1", "got it" or "收到" from a clinician (on a channel without buttons, or just typed):
    acknowledge the newest open alert this clinician was sent. False when the text is not one of those."""
    from handlers.flows import alerts

    if normalize(text) not in turn.any_words(f"{escalation.ACK_PREFIX}typed"):
        return False
    open_alert = turn.session.exec(
        select(Escalation.id).join(EscalationStep, col(EscalationStep.escalation_id) == Escalation.id)
        .where(EscalationStep.recipient_id == turn.person.id, Escalation.status == "open",
               col(EscalationStep.step).in_(ALERT_STEPS))
        .order_by(col(EscalationStep.at).desc(), col(EscalationStep.id).desc())
    ).first()
    if open_alert is None:
        turn.say("alerts.nothing_to_acknowledge")
        return True
    alerts.acknowledge(turn, f"{escalation.ACK_PREFIX}{open_alert}")
    return True


# The steps that put an alert (with an Acknowledge button) in front of a clinician.
ALERT_STEPS = ("clinician_alert", "crisis_alert", "crisis_resend")


def _help(turn: Turn, arg: str = "") -> None:
    turn.say(f"roles.help_{turn.person.role}")


def _supported(turn: Turn) -> list[tuple[SupportContact, Person]]:
    return list(turn.session.exec(
        select(SupportContact, Person).join(Person, col(Person.id) == SupportContact.client_id)
        .where(SupportContact.partner_person_id == turn.person.id,
               SupportContact.consent_state == ConsentState.accepted)
    ))


def partner_clients(turn: Turn, arg: str = "") -> None:
    people = [client.display_name or "?" for _, client in _supported(turn)]
    turn.say("roles.partner_clients" if people else "roles.partner_no_clients", names=", ".join(people))


def partner_settings(turn: Turn, arg: str = "") -> None:
    """A partner's own settings: the weekly note about each person they support, on or off."""
    from handlers import digest
    from handlers.types import Option

    found = _supported(turn)
    if not found:
        turn.say("roles.partner_no_clients")
        return
    options = [Option(turn.t("digest.setting_off" if c.digest else "digest.setting_on", client=p.display_name or "?"),
                      f"{digest.DIGEST_OFF if c.digest else digest.DIGEST_ON}{c.id}") for c, p in found]
    turn.say_text(turn.t("digest.settings"), options)


def partner_stop(turn: Turn, arg: str = "") -> None:
    """Step back from every client; each client is told, kindly."""
    for contact, client in _supported(turn):
        contact.consent_state, contact.partner_person_id = ConsentState.withdrawn, None
        turn.after.append(Outbound(
            text=turn.rt.content.text("roles.client_told_partner_left", client.locale, contact=contact.name),
            person_id=client.id, kind="notice"))
    turn.say("roles.partner_stopped")


def _clients(turn: Turn) -> list[tuple[Person, ClientProfile]]:
    """This clinician's caseload (`dashboard.caseload_of`), by name."""
    from handlers.dashboard import caseload_of

    return list(turn.session.exec(
        select(Person, ClientProfile).join(ClientProfile, col(ClientProfile.person_id) == Person.id)
        .where(Person.role == Role.client, col(Person.consent_at).is_not(None), caseload_of(turn.person))
        .order_by(col(Person.display_name))
    ).all())


def clinician_dashboard(turn: Turn, arg: str = "") -> None:
    """A single-use link that signs this clinician in to the dashboard."""
    from handlers import dashboard

    base = turn.rt.dashboard_url
    if not base:
        turn.say("roles.dashboard_off")
        return
    token = dashboard.login_token(turn.session, turn.person, turn.now)
    turn.say("roles.dashboard_link", link=f"{base}/login?token={token}",
             minutes=int(dashboard.LOGIN_VALID.total_seconds() // 60), secret=True)


def clinician_invite(turn: Turn, arg: str = "") -> None:
    from handlers.flows import invites

    invites.invite_client(turn)


def clinician_clients(turn: Turn, arg: str = "") -> None:
    lines = []
    for person, profile in _clients(turn):
        last = turn.session.exec(select(CheckIn.local_date).where(
            CheckIn.client_id == person.id, col(CheckIn.answered_at).is_not(None))
            .order_by(col(CheckIn.local_date).desc())).first()
        open_alerts = len(turn.session.exec(select(Escalation.id).where(
            Escalation.client_id == person.id, Escalation.status == "open")).all())
        today = turn.now.astimezone(ZoneInfo(person.timezone)).date()
        lines.append(turn.t("roles.clinician_client_line", client=person.display_name or "?",
                            last=last.isoformat() if last else turn.t("ladder.never"),
                            streak=recovery.tally(profile, today).current, alerts=open_alerts))
    # Names several clients: kept only until sent, so no erased client's name stays in this reply.
    turn.say_text("\n".join([turn.t("roles.clinician_clients_title", count=len(lines)), *lines])
                  if lines else turn.t("roles.clinician_no_clients"), kind=PRIVATE_KIND)


def clinician_client(turn: Turn, arg: str = "") -> None:
    wanted = normalize(arg)
    if not wanted:
        turn.say("roles.client_usage")
        return
    found = [(p, c) for p, c in _clients(turn) if wanted in normalize(p.display_name)]
    if len(found) != 1:
        turn.say("roles.client_ambiguous" if found else "roles.client_not_found", name=arg,
                 names=", ".join(p.display_name or "?" for p, _ in found))
        return
    person, profile = found[0]
    today = turn.now.astimezone(ZoneInfo(person.timezone)).date()
    tally = recovery.tally(profile, today)
    week = turn.session.exec(select(CheckIn).where(
        CheckIn.client_id == person.id, col(CheckIn.local_date) > today - timedelta(days=7))).all()
    cravings = turn.session.exec(select(Craving.intensity).where(
        Craving.client_id == person.id, col(Craving.logged_at) >= turn.now - timedelta(days=7))).all()
    slips = turn.session.exec(select(Slip.id).where(
        Slip.client_id == person.id, col(Slip.occurred_on) >= today - timedelta(days=30))).all()
    moods = [c.mood for c in week if c.mood is not None]
    turn.say("roles.client_summary", client=person.display_name or "?",
             answered=sum(c.answered_at is not None for c in week), streak=tally.current, longest=tally.longest,
             total=tally.total, mood=f"{mean(moods):.1f}" if moods else "–",
             cravings=f"{mean(cravings):.1f} ({len(cravings)})" if cravings else "–", slips=len(slips),
             about=person.id)
