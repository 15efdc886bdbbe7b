"""Numeric scales (craving 0-10, mood 1-5): buttons for each value, typed digits or words read as the value."""

from __future__ import annotations

from handlers.parsing import parse_int
from handlers.turn import Invalid, Reply, Turn


def options(turn: Turn, low: int, high: int, labels: str | None = None):
    """One button per value; `labels` names a text prefix (e.g. "mood") for worded buttons."""
    return [
        turn.opt(f"{labels or 'n'}:{v}", label=turn.t(f"{labels}.{v}") if labels else str(v))
        for v in range(low, high + 1)
    ]


def parser(low: int, high: int):
    """A step's parser for a number in [low, high], typed as digits, words or Chinese numerals."""
    def parse(turn: Turn, text: str) -> int | None:
        value = parse_int(text)
        return value if value is not None and low <= value <= high else None
    return parse


def read(reply: Reply, low: int, high: int) -> int:
    prefix, _, value = (reply.choice or "").partition(":")
    if prefix in ("n", "mood") and value.isdigit() and low <= int(value) <= high:
        return int(value)
    value = reply.value if isinstance(reply.value, int) else parse_int(reply.text)
    if value is None or not low <= value <= high:
        raise Invalid("hint.scale", low=low, high=high)
    return value
