"""The menu: what the bot can do, offered whenever the person is not in the middle of something."""

from __future__ import annotations

from handlers.turn import Invalid, Reply, Step, Turn

ITEMS = ("checkin", "craving", "network", "slip", "settings", "help")


def _options(turn: Turn):
    return [turn.opt(f"cmd:{item}", f"menu.{item}") for item in ITEMS]


def ask(turn: Turn) -> None:
    turn.ask("menu", "pick", "menu.prompt", _options(turn))


def start(turn: Turn) -> None:
    turn.end_flow()
    ask(turn)


def fallback(turn: Turn) -> None:
    """Unknown text outside any flow: never a dead end, always the menu."""
    turn.end_flow()
    turn.ask("menu", "pick", "menu.not_understood", _options(turn))


def answer(turn: Turn, reply: Reply) -> None:
    from handlers import commands

    if reply.choice and reply.choice.startswith("cmd:"):
        commands.run(turn, reply.choice[4:])
        return
    if not reply.text:
        raise Invalid("hint.choose", count=len(ITEMS))
    from handlers.flows import talk

    talk.hear(turn, reply.text)


FLOWS = {"menu": {"pick": Step(ask, answer)}}
