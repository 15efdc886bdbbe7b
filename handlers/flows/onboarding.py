"""Onboarding: consent first, then a name, a time zone, a daily check-in time and an optional sober date."""

from __future__ import annotations

from datetime import time

from data.models import ClientProfile
from handlers.parsing import has_words, parse_date, parse_time, parse_zone
from handlers.turn import Invalid, Reply, Step, Turn
from handlers.when import refresh_schedule

FLOW = "onboarding"
NAME_MAX = 40
TIME_CHOICES = ("08:00", "12:30", "18:00", "21:00")


def start(turn: Turn) -> None:
    turn.start_flow(FLOW)
    if turn.person.consent_at is None:
        ask_consent(turn)
    else:
        ask_name(turn)


# -- consent -------------------------------------------------------------------------------------
def ask_consent(turn: Turn) -> None:
    other = "zh-HK" if turn.locale == "en" else "en"
    turn.ask(
        FLOW, "consent", "onboarding.welcome",
        [turn.opt("agree"), turn.opt("more", "privacy_more"), turn.opt("not_now"),
         turn.opt(f"lang:{other}", f"lang.{other}")],
    )


def on_consent(turn: Turn, reply: Reply) -> None:
    if reply.choice == "agree":
        turn.person.consent_at = turn.now
        turn.session.add(ClientProfile(person_id=turn.person.id, streak_start=turn.today))
        turn.say("onboarding.thanks_consent")
        ask_name(turn)
    elif reply.choice == "more":
        turn.say("onboarding.privacy_details")
        ask_consent(turn)
    elif reply.choice == "not_now":
        turn.say("onboarding.not_now")
    elif reply.choice and reply.choice.startswith("lang:"):
        turn.person.locale = reply.choice[5:]
        ask_consent(turn)
    else:
        raise Invalid("onboarding.consent_hint")


# -- name ------------------------------------------------------------------------------------------
def ask_name(turn: Turn) -> None:
    profile_name = (turn.inbound.profile_name if turn.inbound else None) or turn.data.get("profile_name")
    options = []
    if profile_name and has_words(profile_name) and len(profile_name) <= NAME_MAX:
        turn.data["profile_name"] = profile_name
        options.append(turn.opt("use_profile_name", label=profile_name))
    turn.ask(FLOW, "name", "onboarding.ask_name", options)


def on_name(turn: Turn, reply: Reply) -> None:
    name = turn.data.get("profile_name") if reply.choice == "use_profile_name" else reply.text
    if not name or not has_words(name):
        raise Invalid("onboarding.name_hint")
    if len(name) > NAME_MAX:
        raise Invalid("onboarding.name_too_long", max=NAME_MAX)
    turn.person.display_name = " ".join(name.split())
    ask_timezone(turn)


# -- time zone ------------------------------------------------------------------------------------
def ask_timezone(turn: Turn) -> None:
    turn.ask(FLOW, "timezone", "onboarding.ask_timezone",
             [turn.opt(f"tz:{turn.rt.default_timezone}", "tz_default")])


def read_zone(turn: Turn, reply: Reply) -> str:
    if reply.choice and reply.choice.startswith("tz:"):
        return reply.choice[3:]
    zone = reply.value if isinstance(reply.value, str) else parse_zone(reply.text, turn.rt.content.places)
    if zone is None:
        raise Invalid("onboarding.timezone_hint")
    return zone


def on_timezone(turn: Turn, reply: Reply) -> None:
    turn.person.timezone = read_zone(turn, reply)
    ask_checkin_time(turn)


# -- check-in time ------------------------------------------------------------------------------------
def time_options(turn: Turn):
    return [turn.opt(f"time:{t}", "time_choice", time=t) for t in TIME_CHOICES]


def parse_checkin_time(turn: Turn, text: str) -> time | None:
    return parse_time(text)


def parse_zone_answer(turn: Turn, text: str) -> str | None:
    return parse_zone(text, turn.rt.content.places)


def parse_sober_date(turn: Turn, text: str):
    return parse_date(text, turn.today)


def read_time(reply: Reply) -> time:
    if reply.choice and reply.choice.startswith("time:"):
        return time.fromisoformat(reply.choice[5:])
    found = reply.value if isinstance(reply.value, time) else parse_time(reply.text)
    if found is None:
        raise Invalid("hint.time")
    return found


def ask_checkin_time(turn: Turn) -> None:
    # Not numbered: a typed "9" means nine o'clock, not the ninth button.
    turn.ask(FLOW, "checkin_time", "onboarding.ask_checkin_time", time_options(turn), numbered=False)


def on_checkin_time(turn: Turn, reply: Reply) -> None:
    turn.profile.checkin_time = read_time(reply)
    refresh_schedule(turn.profile, turn.person.timezone, turn.now)
    ask_sobriety(turn)


# -- sober since ------------------------------------------------------------------------------------
def ask_sobriety(turn: Turn) -> None:
    turn.ask(FLOW, "sobriety", "onboarding.ask_sobriety", [turn.opt("today"), turn.opt("skip")])


def on_sobriety(turn: Turn, reply: Reply) -> None:
    profile = turn.profile
    if reply.choice == "skip":
        turn.say("onboarding.sobriety_skipped")
    else:
        when = turn.today if reply.choice == "today" else (reply.value or parse_date(reply.text, turn.today))
        if when is None:
            raise Invalid("hint.date")
        if when > turn.today:
            raise Invalid("hint.date_future")
        if (turn.today - when).days > 365 * 80:
            raise Invalid("hint.date")
        profile.sobriety_start = profile.streak_start = when
    finish(turn)


def finish(turn: Turn) -> None:
    profile = turn.profile
    turn.say("onboarding.all_set", time=profile.checkin_time.strftime("%H:%M"), zone=turn.zone_name())
    turn.ask(FLOW, "offer_network", "onboarding.offer_network", [turn.opt("yes_start"), turn.opt("later")])


def on_offer_network(turn: Turn, reply: Reply) -> None:
    from handlers import flows

    if reply.choice == "yes_start":
        flows.start(turn, "network")
    elif reply.choice == "later":
        turn.say("onboarding.later")
        flows.start(turn, "menu")
    else:
        raise Invalid("hint.choose", count=2)


FLOWS = {
    FLOW: {
        "consent": Step(ask_consent, on_consent),
        "name": Step(ask_name, on_name),
        "timezone": Step(ask_timezone, on_timezone, parse_zone_answer),
        "checkin_time": Step(ask_checkin_time, on_checkin_time, parse_checkin_time),
        "sobriety": Step(ask_sobriety, on_sobriety, parse_sober_date),
        "offer_network": Step(finish, on_offer_network),
    }
}
