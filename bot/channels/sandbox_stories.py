"""Stories a sandbox world can start from: a fresh world (bot/channels/sandbox.py), played forward.

A story is played through the phones and the clock only (`say`, `tap`, `forward_link`, `advance`), never by
writing rows: what it leaves in the world's database is what production would hold after the same messages at
the same times, and the phones show the conversation that got there.

- empty: the clinician has joined and sent /invite; the invitation sits on the clinician's phone, ready to be
  given to the client. What a new sandbox world always was.
- two_weeks: "Two weeks in, craving rising, missed yesterday". Ken onboarded a fortnight ago (Hong Kong,
  check-in at 21:00, sober for six weeks then) with Mum as his partner, and has answered his check-ins since,
  his mood drifting down and his cravings rising over the last week, two of them logged. Yesterday's prompt
  went unanswered: it is 10:00 the next morning, the reminder and Mum's nudge have gone out, and the
  clinician's alert (a day after the prompt) is the next rung ahead. The dashboard flags his rising craving
  and his falling mood.

Buttons are tapped by what they mean (their payload), not by their words, so a story plays the same whatever
language a phone speaks; what Ken types is English, which the bot understands in every language.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from bot.channels.sandbox import World
from handlers.when import local_instant

HONG_KONG = "Asia/Hong_Kong"  # Ken's city: the time zone his tap on "Hong Kong time" chooses
ZONE = ZoneInfo(HONG_KONG)
CHECKIN = time(21, 0)
ANSWERED = time(21, 5)  # a few minutes after the prompt, as people do
LATE = time(22, 20)  # after the reminder (an hour after the prompt), before Mum's nudge (three hours after)
ON_THE_WAY_HOME = time(18, 40)


@dataclass(frozen=True)
class Story:
    """A way to start a world: its name, its label (a key in [texts.sandbox]), what it plays, and how far it moves
    the clock (`lead`: a world started `lead` before now ends at now)."""

    name: str
    label_key: str
    play: Callable[[World], Awaitable[None]]
    lead: timedelta = timedelta(0)


# -- the phones' buttons by what they mean, and the clock by Ken's wall time -----------------------------------
async def choose(world: World, role: str, payload: str) -> None:
    """Tap the button (in the phone's newest question) that means `payload`: the same tap as `World.tap`,
    found by its meaning rather than by its words."""
    options = world.phones[role].last_options()
    for label, found in options:
        if found == payload:
            await world.say(role, label, payload=payload)
            return
    raise LookupError(f"no button {payload!r} on the {role}'s phone (it offers {[p for _, p in options]})")


async def advance_to(world: World, day: date, wall: time) -> None:
    """Move the clock on to `wall`, Hong Kong time, on `day`, running every pass that falls due on the way."""
    target = local_instant(day, wall, ZONE)
    if target > world.clock():
        await world.advance(target - world.clock())


# -- empty -------------------------------------------------------------------------------------------------------
async def empty(world: World) -> None:
    await world.clinician_joins()
    await world.say("clinician", "/invite")  # the client's way in: the clinician's invitation


# -- two weeks in ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Evening:
    """One day's check-in as Ken answers it."""

    mood: int  # 1-5
    craving: int  # 0-10
    note: str | None = None
    late: bool = False  # answered from the reminder, not at the prompt
    logged: int | None = None  # a craving logged with /craving on the way home that day


# Day 0 is the day he onboards (a Monday when the world starts on one); the day after the last goes unanswered.
EVENINGS = (
    Evening(4, 2, note="Glad to have started this."),
    Evening(4, 2),
    Evening(5, 3),
    Evening(4, 2),
    Evening(4, 3, note="Busy week at work."),
    Evening(4, 2),
    Evening(3, 3, late=True),
    Evening(4, 3),
    Evening(3, 4),
    Evening(3, 4, note="Old friends asked me out for drinks. Said no.", logged=6),
    Evening(3, 5),
    Evening(4, 5),
    Evening(3, 6, note="Couldn't sleep much."),
    Evening(2, 7),  # strong enough that the check-in offers to log it, and he does
)
# From 10:00 on the day he onboards to 10:00 the morning after the unanswered prompt.
TWO_WEEKS_LEAD = timedelta(days=len(EVENINGS) + 1)


async def onboard_ken(world: World) -> None:
    """The clinician invites Ken, Ken sets up and adds Mum as his partner, and Mum accepts."""
    await empty(world)
    await world.forward_link("clinician", "client")
    await choose(world, "client", "accept")
    await world.say("client", "Ken")
    await choose(world, "client", f"tz:{HONG_KONG}")
    await world.say("client", "21:00")
    await world.say("client", "6 weeks ago")
    await choose(world, "client", "later")
    await world.say("client", "/network")
    await world.say("client", "Mum")
    await world.say("client", "9123 4567")
    await choose(world, "client", "yes")  # Mum as an accountability partner
    await choose(world, "client", "finish")
    await world.say("client", "/invite")
    await world.tap("client", "Mum")
    await world.forward_link("client", "partner")
    await choose(world, "partner", "accept")


async def log_craving(world: World, level: int, triggers: tuple[str, ...], where: str | None, *,
                      reach_out: bool) -> None:
    """The craving log from its first question (how strong) to how it went: it passed."""
    await world.say("client", str(level))
    for trigger in triggers:
        await choose(world, "client", f"trig:{trigger}")
    await choose(world, "client", "done")
    if where:
        await world.say("client", where)
    else:
        await choose(world, "client", "skip")
    await choose(world, "client", "alone")
    if reach_out:
        await choose(world, "client", "call_someone")  # lists Mum and her number
    else:
        label, payload = world.phones["client"].last_options()[0]  # the first way through it offered
        await world.say("client", label, payload=payload)
    await choose(world, "client", "passed")


async def answer_checkin(world: World, evening: Evening) -> None:
    await choose(world, "client", f"mood:{evening.mood}")
    await world.say("client", str(evening.craving))
    await choose(world, "client", "used:no")
    if evening.note:
        await world.say("client", evening.note)
    else:
        await choose(world, "client", "skip")
    if any(payload == "not_now" for _, payload in world.phones["client"].last_options()):
        await choose(world, "client", "yes")  # "Cravings sound strong today. Would you like to log one now?"
        await log_craving(world, evening.craving, ("lonely", "tired"), None, reach_out=True)


async def two_weeks(world: World) -> None:
    begin = world.clock()
    first = begin.astimezone(ZONE).date()
    if begin >= local_instant(first, CHECKIN, ZONE):
        raise ValueError("the two_weeks story must start before 21:00 in Hong Kong: tonight's prompt is its first")
    await onboard_ken(world)
    for offset, evening in enumerate(EVENINGS):
        day = first + timedelta(days=offset)
        if evening.logged is not None:
            await advance_to(world, day, ON_THE_WAY_HOME)
            await world.say("client", "/craving")
            await log_craving(world, evening.logged, ("people", "places"), "MTR on the way home", reach_out=False)
        if evening.late:  # the prompt, then an hour later the reminder with its button; he taps it
            await advance_to(world, day, LATE)
            await choose(world, "client", "cmd:checkin")
        else:
            await advance_to(world, day, ANSWERED)
        await answer_checkin(world, evening)
    # The last evening's prompt comes and goes unanswered; the story stops the next morning, at the time of day
    # it began (10:00 in the sandbox): after the reminder and Mum's nudge, before the clinician's alert at 21:00.
    await world.advance(begin + TWO_WEEKS_LEAD - world.clock())


STORIES: dict[str, Story] = {
    story.name: story for story in (
        Story("empty", "story_empty", empty),
        Story("two_weeks", "story_two_weeks", two_weeks, lead=TWO_WEEKS_LEAD),
    )
}


async def play(world: World, name: str) -> None:
    """Play the story called `name` into a fresh world, started `lead` before the instant the story should end."""
    try:
        story = STORIES[name]
    except KeyError:
        raise LookupError(f"no such story: {name!r} (there are {', '.join(STORIES)})") from None
    await story.play(world)
