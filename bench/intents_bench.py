"""The intent model on the frozen blind set: `./dev bench intents` (`python -m bench intents`).

Prints, once per model version: accuracy per language and per intent, how often a message with no
intent is forced into one, which setting a settings message is about, and the speed of one message.
Side by side: the bot before the model, which understood only its exact command words ("check in",
"craving", "settings", "hi"). The first table is the one the README shows between its
`intents-blind` markers; CI recomputes it and fails when they differ. Never tune on these figures.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from functools import cache

from data.content import Content
from handlers.flows.talk import interpret
from handlers.intents import INTENTS, Understood, understand
from handlers.intents import model as learned
from handlers.intents.corpus import BLIND, CORPUS, LANGS, Row, read
from handlers.parsing import normalize

Reader = Callable[[Row], Understood]
# The command words of the bot before the model, and the intent each one stood for.
_BEFORE = {"cmd.checkin": "checkin", "cmd.craving": "craving", "cmd.slip": "slip", "cmd.settings": "settings",
           "cmd.help": "help", "cmd.start": "greeting"}


@cache
def _command_words() -> dict[str, str]:
    content, words = Content(), {}
    for locale in LANGS:
        for key, intent in _BEFORE.items():
            for word in content.words(key, locale):
                words.setdefault(normalize(word), intent)
    return words


def before(row: Row) -> Understood:
    intent = _command_words().get(normalize(row.text), "none")
    return Understood(intent, "any" if intent == "settings" else None, 1.0)


def now(row: Row) -> Understood:
    """What the bot makes of the message: its exact words first, then the model (handlers/flows/talk.py)."""
    return interpret(_content(), row.lang, row.text)


@cache
def _content() -> Content:
    return Content()


def _rate(hits: list[bool]) -> float:
    return sum(hits) / len(hits) if hits else 0.0


@cache
def _corpus_texts() -> frozenset[str]:
    return frozenset(_key(r.text) for r in read(CORPUS))


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def figures(rows: list[Row], read_one: Reader) -> dict[str, float]:
    got = [(r, read_one(r)) for r in rows]
    out: dict[str, float] = {}
    for lang in LANGS:
        mine = [(r, u) for r, u in got if r.lang == lang]
        out[f"accuracy {lang}"] = _rate([u.intent == r.intent for r, u in mine])
    for lang in LANGS:  # short everyday texts ("hi", "報到") are in both sets: the same without them
        out[f"accuracy {lang}, texts not in the corpus"] = _rate(
            [u.intent == r.intent for r, u in got if r.lang == lang and _key(r.text) not in _corpus_texts()])
    for lang in LANGS:
        out[f"no-intent messages forced into one, {lang}"] = _rate(
            [u.intent != "none" for r, u in got if r.lang == lang and r.intent == "none"])
    out["settings: the right setting"] = _rate(
        [u.intent == "settings" and u.target == r.target for r, u in got if r.intent == "settings"])
    for intent in INTENTS:
        out[f"recall {intent}"] = _rate([u.intent == intent for r, u in got if r.intent == intent])
    return out


def table(rows: list[Row]) -> str:
    model = learned.load()
    version = model.version if model else "none"
    was, is_ = figures(rows, before), figures(rows, now)
    langs = ", ".join(f"{sum(r.lang == lang for r in rows)} {lang}" for lang in LANGS)
    unseen = sum(_key(r.text) not in _corpus_texts() for r in rows)
    lines = [f"Blind set: {len(rows)} messages ({langs}; {unseen} not in the corpus), {len(INTENTS)} intents; "
             f"model {version}.", "",
             "| | command words only (before) | intent model (now) |", "|---|---|---|"]
    lines += [f"| {key} | {was[key]:.1%} | **{is_[key]:.1%}** |" for key in is_]
    return "\n".join(lines)


def speed(rows: list[Row]) -> str:
    texts = [r.text for r in rows]
    for text in texts[:20]:
        understand(text)
    times = []
    for text in texts:
        start = time.perf_counter()
        understand(text)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return (f"per message, one thread: p50 {statistics.median(times):.2f} ms, "
            f"p99 {times[int(len(times) * 0.99) - 1]:.2f} ms over {len(times)} blind messages")


def main(argv: list[str] | None = None) -> None:
    rows = read(BLIND)
    print(table(rows))
    print(speed(rows))


if __name__ == "__main__":
    main(sys.argv[1:])
