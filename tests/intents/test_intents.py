"""The intent corpus, blind set and model: composition, independence, determinism, and the README's figures.

Retraining the full model takes about a minute, so the byte-for-byte check is marked `training` (CI runs it)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from handlers.intents import INTENTS, train, understand
from handlers.intents import model as learned
from handlers.intents.corpus import (
    BLIND,
    CORPUS,
    CorpusError,
    composition,
    dedupe,
    read,
    short_of_floor,
)
from handlers.safety.model import read_artifact

README = Path(__file__).resolve().parents[2] / "README.md"
BLIND_TABLE = re.compile(r"<!-- intents-blind:begin -->\n(.*?)\n<!-- intents-blind:end -->", re.S)


def test_every_intent_in_each_language_has_at_least_its_floor():
    rows = dedupe(read(CORPUS))
    assert short_of_floor(rows) == [], "\n".join(composition(rows))


def test_the_blind_set_has_its_own_writers_and_covers_every_intent_in_both_languages():
    # Short everyday texts ("hi", "thanks", "報到") were written independently on both sides; the bench
    # reports accuracy on the blind texts the corpus does not hold as well.
    corpus, blind = read(CORPUS), read(BLIND)
    assert {r.writer for r in corpus}.isdisjoint({r.writer for r in blind})
    assert {r.lang for r in blind} == {"en", "zh-HK"} and {r.intent for r in blind} == set(INTENTS)


def test_a_malformed_row_is_named_with_its_file_and_line(tmp_path):
    (tmp_path / "x.jsonl").write_text('{"text": "hi", "lang": "en", "intent": "greeting", "target": null}\n'
                                      '{"text": "pause pls", "lang": "en", "intent": "settings", "target": null}\n')
    with pytest.raises(CorpusError, match="x.jsonl:2"):
        read(tmp_path)


def _slice(folder: Path) -> None:
    rows = dedupe(read(CORPUS))[::8]
    folder.mkdir()
    (folder / "slice.jsonl").write_text("\n".join(json.dumps(
        {"text": r.text, "lang": r.lang, "intent": r.intent, "target": r.target, "writer": r.writer},
        ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")


def test_training_twice_gives_the_same_bytes_and_a_model_that_loads(tmp_path):
    _slice(tmp_path / "corpus")
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    train.train(tmp_path / "corpus", first, log=lambda *a: None)
    train.train(tmp_path / "corpus", second, log=lambda *a: None)
    assert first.read_bytes() == second.read_bytes()
    model = learned.Model(read_artifact(first))
    assert set(model.floors) == {"en", "zh-HK"}


def test_the_committed_model_was_trained_on_the_committed_corpus():
    meta = read_artifact(learned.ARTIFACT)
    assert meta["trained_on"]["messages"] == len(dedupe(read(CORPUS)))


@pytest.mark.parametrize("text, intent", [
    ("i really want a drink right now", "craving"), ("我好想飲酒", "craving"),
    ("I'm having a rough day", "low_mood"), ("thanks", "thanks"), ("i drank last night", "slip"),
    ("飲咗", "slip"), ("checking in", "checkin"), ("today was ok", "checkin"),
    ("how many days sober am i", "progress"), ("what can you do", "help"),
])
def test_the_messages_the_bot_used_to_meet_with_a_menu_are_understood(text, intent):
    assert understand(text).intent == intent


@pytest.mark.training
def test_retraining_from_the_corpus_gives_the_readme_blind_figures(tmp_path):
    """Retrained here, the model scores the blind set as the README says (byte for byte only on the same kind of
    CPU: the sentence encoder's last bits differ between machines)."""
    import handlers.intents as intents
    from bench.intents_bench import table

    out = tmp_path / "model.json.gz"
    train.train(CORPUS, out, log=print)
    committed = learned.load()
    try:
        learned.use(learned.Model(read_artifact(out)))
        intents._cached.cache_clear()
        figures = table(read(BLIND))
    finally:
        learned.use(committed)
        intents._cached.cache_clear()
    found = BLIND_TABLE.search(README.read_text(encoding="utf-8"))
    assert found, "README.md has no intents-blind table"
    version = re.compile(r"model [0-9a-f]{12}")
    assert version.sub("", figures.strip()) == version.sub("", found.group(1).strip()), (
        "the corpus or the training code changed: run `recovery-bot intents train`, then `./dev bench intents` "
        "and update the README's intents-blind table")


@pytest.mark.training
def test_the_readme_shows_the_blind_figures_of_the_committed_model():
    from bench.intents_bench import table

    found = BLIND_TABLE.search(README.read_text(encoding="utf-8"))
    assert found, "README.md has no intents-blind table"
    assert found.group(1).strip() == table(read(BLIND)).strip()
