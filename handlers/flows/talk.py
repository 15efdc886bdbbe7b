"""Free text outside a question, and the urgent kind inside one: what the person meant, and a reply that fits.

The crisis check has already run (it always runs first and always wins). Exact words come first
(settings words such as "quiet hours", "中文", "resume"; a drink emoji on its own); then the intent
model (handlers/intents). Nothing typed is thrown away: an unclear message gets a short answer naming
the two or three likeliest things, and a long one is offered a place as a journal note.
"""

from __future__ import annotations

from data.content import Content
from data.models import JournalNote
from handlers import recovery
from handlers.intents import Understood, understand
from handlers.parsing import has_words, normalize
from handlers.turn import Invalid, Reply, Step, Turn, normalized_words, saved

FLOW = "talk"
# A message this long that fits no intent is a vent worth keeping (with the person's say-so).
VENT_WORDS = 25
VENT_CHARS = 120
VENT_CJK = 50
JOURNAL_MAX = 4000
# Intents that take the person out of whatever question they are in, when the model is this sure.
ESCAPES = ("craving", "slip")
ESCAPE_CONFIDENCE = 0.9
DRINK_EMOJI = frozenset("🍺🍻🍷🥂🍸🍹🥃🍾🍶")
SETTING_WORDS = ("quiet", "language", "pause", "resume", "time", "zone")
THANKS_REPLIES = 3


def read(turn: Turn, text: str) -> Understood:
    return interpret(turn.rt.content, turn.locale, text)


def interpret(content: Content, locale: str, text: str) -> Understood:
    """What a typed message means: exact words first, then the model."""
    norm = normalize(text)
    for target in SETTING_WORDS:
        if norm in normalized_words(content, f"set.{target}", locale):
            return Understood("settings", target, 1.0)
    if norm in normalized_words(content, "intent.thanks", locale):
        return Understood("thanks", None, 1.0)
    if not has_words(norm) and DRINK_EMOJI & set(norm):
        return Understood("craving", None, 1.0)
    return understand(text, locale)


def escape(turn: Turn, text: str) -> bool:
    """Inside another flow: leave it when the message plainly says a craving or a slip is happening."""
    if turn.state.flow in ("craving", "slip", "checkin", "crisis", "delete", FLOW) or not has_words(text):
        return False
    found = read(turn, text)
    if found.intent in ESCAPES and found.confidence >= ESCAPE_CONFIDENCE:
        respond(turn, text, found)
        return True
    return False


def instead_of_answer(turn: Turn, text: str) -> str | None:
    """An answer that did not fit the question: when it plainly meant something else, do that instead.
    Returns "done" when another intent took over, "reask" when a thanks or greeting got a word back (the
    caller asks the question again), None when it was just a wrong answer."""
    if turn.state.flow in ("crisis", "delete", FLOW):
        return None
    if not has_words(text) and not DRINK_EMOJI & set(text) and normalize(text) not in turn.words("intent.thanks"):
        return None
    found = read(turn, text)
    if found.intent == "none":
        return None
    if found.intent in ("thanks", "greeting"):
        turn.say(_thanks_key(text) if found.intent == "thanks" else "talk.greeting_short")
        return "reask"
    respond(turn, text, found)
    return "done"


def hear(turn: Turn, text: str) -> None:
    """A typed message outside any question."""
    respond(turn, text, read(turn, text))


def respond(turn: Turn, text: str, found: Understood) -> None:
    from handlers import flows
    from handlers.flows import craving, settings

    intent = found.intent
    if intent == "craving":
        turn.say("talk.craving")
        craving.start(turn, said=text)
    elif intent == "checkin":
        flows.start(turn, "checkin")
    elif intent == "slip":
        turn.say("talk.slip")
        flows.start(turn, "slip")
    elif intent == "low_mood":
        ask_low_mood(turn)
    elif intent == "thanks":
        turn.end_flow()
        turn.say(_thanks_key(text))
    elif intent == "greeting":
        turn.end_flow()
        turn.ask(FLOW, "greeting", "talk.greeting", [turn.opt("cmd:checkin", "menu.checkin"),
                                                    turn.opt("cmd:craving", "menu.craving")])
    elif intent == "progress":
        progress(turn)
    elif intent == "help":
        turn.end_flow()
        turn.say("help.client")
    elif intent == "settings":
        settings.open_at(turn, found.target or "any", text)
    elif is_vent(text):
        ask_journal(turn, text)
    else:
        ask_unknown(turn, found)


def is_vent(text: str) -> bool:
    """Long enough to be worth keeping: many words, many characters, or (Chinese is dense) many CJK characters."""
    cjk = sum("\u3400" <= ch <= "\u9fff" for ch in text)
    return len(text) >= VENT_CHARS or len(text.split()) >= VENT_WORDS or cjk >= VENT_CJK


def _thanks_key(text: str) -> str:
    # A small, steady variety: the same message always gets the same reply.
    return f"talk.thanks_{sum(map(ord, text)) % THANKS_REPLIES + 1}"


# -- progress ------------------------------------------------------------------------------------------------
def progress(turn: Turn) -> None:
    turn.end_flow()
    profile = turn.profile
    tally = recovery.tally(profile, turn.today)
    key = "talk.progress" if tally.current else "talk.progress_day_one"
    turn.say(key, streak=tally.current, total=tally.total, longest=tally.longest)
    from handlers import pictures

    picture = pictures.progress_message(turn.session, turn.rt.content, turn.person, turn.now)
    if picture is not None:
        turn.out.append(picture)


# -- a hard day --------------------------------------------------------------------------------------------------
def ask_low_mood(turn: Turn) -> None:
    from handlers.flows import network

    people = [c for c in network.contacts(turn) if c.reach]
    options = [turn.opt("cmd:craving", "talk.log_craving")]
    if people:
        options.append(turn.opt("reach", "talk.reach_person", person=people[0].name))
    else:
        options.append(turn.opt("reach", "talk.reach_someone"))
    options.append(turn.opt("cope", "talk.coping_step"))
    turn.start_flow(FLOW)
    turn.ask(FLOW, "low_mood", "talk.low_mood", options)


def on_low_mood(turn: Turn, reply: Reply) -> None:
    from handlers.flows import network

    if reply.choice == "reach":
        people = [c for c in network.contacts(turn) if c.reach]
        turn.end_flow()
        if people:
            listing = "\n".join(turn.t("craving.person_line", contact=c.name, reach=c.reach) for c in people[:6])
            turn.say("craving.call_list", people=listing)
        else:
            turn.say("craving.call_nobody_yet")
    elif reply.choice == "cope":
        turn.end_flow()
        strategies = turn.rt.content.coping(turn.locale)
        chosen = strategies[turn.today.toordinal() % len(strategies)]
        turn.say("craving.strategy", title=chosen.title, how=chosen.how)
    else:
        raise Invalid("hint.choose", count=3)


# -- not sure ------------------------------------------------------------------------------------------------------
def ask_unknown(turn: Turn, found: Understood) -> None:
    likely = list(found.likely or ("checkin", "craving", "progress"))[:3]
    options = [turn.opt(f"cmd:{intent}", f"talk.do_{intent}") for intent in likely]
    turn.start_flow(FLOW)
    turn.ask(FLOW, "unknown", "talk.unknown", options)


def on_unknown(turn: Turn, reply: Reply) -> None:
    # Buttons carry commands (handled before this step); anything typed is heard afresh.
    hear(turn, reply.text)


# -- a journal note ---------------------------------------------------------------------------------------------
def ask_journal(turn: Turn, text: str) -> None:
    turn.start_flow(FLOW)
    turn.data["vent"] = text[:JOURNAL_MAX]
    turn.ask(FLOW, "journal", "talk.journal_offer", [turn.opt("keep_note"), turn.opt("no")])


def on_journal(turn: Turn, reply: Reply) -> None:
    if reply.choice == "keep_note":
        note = JournalNote(client_id=turn.person.id, written_at=turn.now, text=turn.data["vent"])
        turn.session.add(note)
        turn.session.flush()
        turn.end_flow()
        saved(turn, "journal", note.id)
        turn.say("talk.journal_kept")
    elif reply.choice == "no":
        turn.end_flow()
        turn.say("talk.journal_not_kept")
    else:
        raise Invalid("hint.choose", count=2)


def on_greeting(turn: Turn, reply: Reply) -> None:
    hear(turn, reply.text)


FLOWS = {
    FLOW: {
        "low_mood": Step(ask_low_mood, on_low_mood),
        "unknown": Step(lambda turn: ask_unknown(turn, Understood("none", None, 0.0)), on_unknown),
        "journal": Step(lambda turn: turn.ask(FLOW, "journal", "talk.journal_offer",
                                               [turn.opt("keep_note"), turn.opt("no")]), on_journal),
        "greeting": Step(lambda turn: turn.say("talk.greeting_short"), on_greeting),
    }
}
