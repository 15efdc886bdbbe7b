"""Settings: check-in time, time zone, quiet hours, a pause of N days, language, partners' view, clinician."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from data.models import Person, Role
from handlers.flows import network, onboarding
from handlers.parsing import parse_id, parse_int, parse_time_range
from handlers.turn import Invalid, Reply, Step, Turn
from handlers.when import refresh_schedule

FLOW = "settings"
PAUSE_MAX_DAYS = 90
ITEMS = ("time", "zone", "quiet", "pause", "language", "sharing", "digest", "clinician", "done")


def start(turn: Turn) -> None:
    turn.start_flow(FLOW)
    ask_pick(turn)


def open_at(turn: Turn, target: str, text: str = "") -> None:
    """Settings opened by what the person typed ("quiet hours please", "中文", "resume"): straight to that one."""
    from handlers.parsing import normalize

    turn.start_flow(FLOW)
    p = turn.profile
    if target == "resume":
        if p.paused_until and p.paused_until > turn.today:
            p.paused_until = None
            refresh_schedule(p, turn.person.timezone, turn.now)
            turn.say("settings.resumed")
        else:
            turn.say("settings.nothing_to_resume")
        turn.end_flow()
        return
    if target == "language":
        wanted = [loc for loc in turn.rt.content.locales if normalize(text) in turn.words(f"lang:{loc}")]
        if wanted and wanted[0] != turn.locale:
            turn.person.locale = wanted[0]
            turn.say("settings.language_switched")
            turn.end_flow()
            return
    asks = {"time": ask_time, "zone": ask_zone, "quiet": ask_quiet, "pause": ask_pause, "language": ask_language}
    asks.get(target, ask_pick)(turn)


def ask_pick(turn: Turn) -> None:
    p = turn.profile
    quiet = (f"{p.quiet_start:%H:%M}–{p.quiet_end:%H:%M}" if p.quiet_start and p.quiet_end
             else turn.t("settings.off"))
    paused = (turn.t("settings.paused_until", date=p.paused_until.isoformat())
              if p.paused_until and p.paused_until > turn.today else turn.t("settings.not_paused"))
    turn.ask(FLOW, "pick", "settings.overview", [turn.opt(f"set:{i}", f"settings.{i}") for i in ITEMS],
             time=p.checkin_time.strftime("%H:%M"), zone=turn.zone_name(), quiet=quiet, paused=paused,
             language=turn.t(f"lang.{turn.locale}"))


def on_pick(turn: Turn, reply: Reply) -> None:
    choice = (reply.choice or "").removeprefix("set:")
    if choice == "done":
        turn.end_flow()
        turn.say("settings.saved_all")
        return
    asks = {"time": ask_time, "zone": ask_zone, "quiet": ask_quiet, "pause": ask_pause, "language": ask_language,
            "sharing": network.start_sharing, "digest": ask_digest, "clinician": ask_clinician}
    if choice not in asks:
        raise Invalid("hint.choose", count=len(ITEMS))
    asks[choice](turn)


def saved(turn: Turn) -> None:
    refresh_schedule(turn.profile, turn.person.timezone, turn.now)
    turn.say("settings.saved")
    if quiet_covers_checkin(turn.profile):
        ask_clash(turn)
        return
    ask_pick(turn)


def quiet_covers_checkin(p) -> bool:
    """Whether the daily check-in time falls inside the quiet hours (so its prompt would wait till they end)."""
    if not (p.quiet_start and p.quiet_end and p.checkin_time):
        return False
    t, start, end = p.checkin_time, p.quiet_start, p.quiet_end
    return start <= t < end if start < end else (t >= start or t < end)


def ask_clash(turn: Turn) -> None:
    p = turn.profile
    turn.ask(FLOW, "clash", "settings.quiet_covers_checkin",
             [turn.opt("set:time", "change_checkin_time"), turn.opt("set:quiet", "change_quiet"),
              turn.opt("keep", "keep_both")],
             time=p.checkin_time.strftime("%H:%M"), start=p.quiet_start.strftime("%H:%M"),
             end=p.quiet_end.strftime("%H:%M"))


def on_clash(turn: Turn, reply: Reply) -> None:
    if reply.choice == "set:time":
        ask_time(turn)
    elif reply.choice == "set:quiet":
        ask_quiet(turn)
    elif reply.choice == "keep":
        ask_pick(turn)
    else:
        raise Invalid("hint.choose", count=3)


def ask_time(turn: Turn) -> None:
    turn.ask(FLOW, "time", "settings.ask_time", onboarding.time_options(turn), numbered=False)


def on_time(turn: Turn, reply: Reply) -> None:
    turn.profile.checkin_time = onboarding.read_time(reply)
    saved(turn)


def ask_zone(turn: Turn) -> None:
    turn.ask(FLOW, "zone", "settings.ask_zone", [turn.opt(f"tz:{turn.rt.default_timezone}", "tz_default")])


def on_zone(turn: Turn, reply: Reply) -> None:
    turn.person.timezone = onboarding.read_zone(turn, reply)
    saved(turn)


def ask_quiet(turn: Turn) -> None:
    turn.ask(FLOW, "quiet", "settings.ask_quiet", [turn.opt("quiet:22-07", "quiet_night"), turn.opt("off")])


def on_quiet(turn: Turn, reply: Reply) -> None:
    p = turn.profile
    if reply.choice == "off":
        p.quiet_start = p.quiet_end = None
    else:
        text = "22:00-07:00" if reply.choice == "quiet:22-07" else reply.text
        found = reply.value if reply.value is not None else parse_time_range(text)
        if found is None:
            raise Invalid("settings.quiet_hint")
        p.quiet_start, p.quiet_end = found
    saved(turn)


def ask_digest(turn: Turn) -> None:
    """The day partners get their weekly note (handlers/digest.py), or never."""
    day = turn.profile.digest_weekday
    now = turn.t(f"settings.day_{day}") if day is not None else turn.t("settings.off")
    turn.ask(FLOW, "digest", "settings.ask_digest",
             [turn.opt(f"day:{n}", f"settings.day_{n}") for n in range(7)] + [turn.opt("off")], now=now)


def on_digest(turn: Turn, reply: Reply) -> None:
    choice = reply.choice or ""
    if choice == "off":
        turn.profile.digest_weekday = None
    elif choice.startswith("day:") and choice[4:].isdigit() and int(choice[4:]) < 7:
        turn.profile.digest_weekday = int(choice[4:])
    else:
        raise Invalid("hint.choose", count=8)
    saved(turn)


def ask_pause(turn: Turn) -> None:
    options = [turn.opt(f"pause:{n}", "pause_days", days=n) for n in (1, 3, 7)]
    if turn.profile.paused_until and turn.profile.paused_until > turn.today:
        options.insert(0, turn.opt("resume_now"))
    # Not numbered: a typed "3" means three days, not the third button.
    turn.ask(FLOW, "pause", "settings.ask_pause", options, numbered=False, max=PAUSE_MAX_DAYS)


def on_pause(turn: Turn, reply: Reply) -> None:
    p = turn.profile
    if reply.choice == "resume_now":
        p.paused_until = None
        refresh_schedule(p, turn.person.timezone, turn.now)
        turn.say("settings.resumed")
        ask_pick(turn)
        return
    days = int(reply.choice[6:]) if reply.choice and reply.choice.startswith("pause:") else parse_int(reply.text)
    if days is None or not 1 <= days <= PAUSE_MAX_DAYS:
        raise Invalid("settings.pause_hint", max=PAUSE_MAX_DAYS)
    p.paused_until = turn.today + timedelta(days=days)
    refresh_schedule(p, turn.person.timezone, turn.now)
    turn.say("settings.paused", date=p.paused_until.isoformat(), days=days)
    ask_pick(turn)


def ask_language(turn: Turn) -> None:
    turn.ask(FLOW, "language", "settings.ask_language",
             [turn.opt(f"lang:{loc}", f"lang.{loc}") for loc in turn.rt.content.locales])


def on_language(turn: Turn, reply: Reply) -> None:
    if not reply.choice or not reply.choice.startswith("lang:"):
        raise Invalid("hint.choose", count=len(turn.rt.content.locales))
    turn.person.locale = reply.choice[5:]
    saved(turn)


def _clinicians(turn: Turn) -> list[Person]:
    return list(turn.session.exec(select(Person).where(Person.role == Role.clinician, col(Person.consent_at).is_not(None))
                                  .order_by(col(Person.display_name), col(Person.id))))


def ask_clinician(turn: Turn) -> None:
    """Who the client's clinician is here, and a choice of another (or none: the clinic's clinicians share)."""
    current = turn.get(Person, turn.profile.clinician_id) if turn.profile.clinician_id else None
    others = [c for c in _clinicians(turn) if current is None or c.id != current.id]
    options = [turn.opt(f"clin:{c.id}", label=c.display_name or f"#{c.id}") for c in others]
    if current is not None:
        options.append(turn.opt("clin:none", "settings.clinician_none"))
    key = "settings.clinician_is" if current is not None else "settings.clinician_unset"
    turn.ask(FLOW, "clinician", key, [*options, turn.opt("back")],
             clinician=(current.display_name if current else None) or "?")


def on_clinician(turn: Turn, reply: Reply) -> None:
    choice = reply.choice or ""
    if choice == "back":
        ask_pick(turn)
        return
    if choice == "clin:none":
        turn.profile.clinician_id = None
        turn.say("settings.clinician_removed")
        ask_pick(turn)
        return
    picked = parse_id(choice.removeprefix("clin:")) if choice.startswith("clin:") else None
    clinician = next((c for c in _clinicians(turn) if c.id == picked), None)
    if clinician is None:
        raise Invalid("hint.choose", count=len(turn.data.get("_opts", [])))
    turn.profile.clinician_id = clinician.id
    turn.say("settings.clinician_changed", clinician=clinician.display_name or "?")
    ask_pick(turn)


FLOWS = {
    FLOW: {
        "clinician": Step(ask_clinician, on_clinician),
        "pick": Step(ask_pick, on_pick),
        "clash": Step(ask_clash, on_clash),
        "time": Step(ask_time, on_time, onboarding.parse_checkin_time),
        "zone": Step(ask_zone, on_zone, onboarding.parse_zone_answer),
        "quiet": Step(ask_quiet, on_quiet, lambda turn, text: parse_time_range(text)),
        "pause": Step(ask_pause, on_pause, lambda turn, text: parse_int(text)),
        "language": Step(ask_language, on_language),
        "digest": Step(ask_digest, on_digest),
    }
}
