"""Training is deterministic and its model is the committed one; the README's blind figures are current.

The full retrain takes a few minutes, so it is marked `training`: `./dev test` skips it and CI runs it
(`./dev test -m training`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from handlers.safety import model as learned
from handlers.safety import train
from handlers.safety.corpus import CORPUS, corpus_rows, corpus_sequences

README = Path(__file__).resolve().parents[2] / "README.md"
BLIND_TABLE = re.compile(r"<!-- safety-blind:begin -->\n(.*?)\n<!-- safety-blind:end -->", re.S)


def _small_corpus(folder: Path) -> None:
    """A slice of the real corpus, both languages, crisis and none, with pairs intact."""
    rows = corpus_rows()
    keep = [r for r in rows if r.source in ("c1.jsonl", "c3.jsonl")][:: 12]
    lines = [json.dumps({"text": r.text, "lang": r.lang, "label": r.label, "kind": r.kind,
                         "difficulty": r.difficulty, "pair": None, "writer": r.writer}, ensure_ascii=False)
             for r in keep]
    (folder / "slice.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "sequences").mkdir()
    seqs = corpus_sequences()[::10]
    (folder / "sequences" / "slice.jsonl").write_text("\n".join(
        json.dumps({"messages": list(s.messages), "lang": s.lang, "label": s.label, "kind": s.kind,
                    "writer": s.writer}, ensure_ascii=False) for s in seqs) + "\n", encoding="utf-8")


def test_training_twice_gives_the_same_bytes_and_a_model_that_loads(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _small_corpus(corpus)
    first, second = tmp_path / "a.json.gz", tmp_path / "b.json.gz"
    train.train(corpus, first, log=lambda *a: None)
    train.train(corpus, second, log=lambda *a: None)
    assert first.read_bytes() == second.read_bytes()
    model = learned.Model(learned.read_artifact(first))
    assert 0.0 < model.check <= model.crisis <= 1.0
    danger = model.score("i want to kill myself", "i want to kill myself", floor=0.0)
    calm = model.score("see you at group", "see you at group", floor=0.0)
    assert danger.probability > calm.probability


def test_the_committed_model_was_trained_on_the_committed_corpus():
    meta = learned.read_artifact()
    assert meta["trained_on"]["messages"] == len(corpus_rows(CORPUS))
    assert meta["trained_on"]["sequences"] == len(corpus_sequences(CORPUS))


@pytest.mark.training
def test_retraining_from_the_corpus_gives_the_readme_blind_figures(tmp_path):
    """The committed model is what the corpus trains, judged as the README promises: retrained here, it scores
    the blind set exactly as the README's table says. (Byte for byte it is the same only on the same kind of
    CPU: the sentence encoder's last bits differ between machines, which moves a rounded weight now and then.)"""
    from bench.safety_bench import table
    from handlers.safety.corpus import blind_rows, blind_sequences

    out = tmp_path / "model.json.gz"
    train.train(CORPUS, out, log=print)
    retrained = learned.Model(learned.read_artifact(out))
    committed = learned.load()
    try:
        learned.use(retrained)
        figures = table(blind_rows(), blind_sequences())
    finally:
        learned.use(committed)
    found = BLIND_TABLE.search(README.read_text(encoding="utf-8"))
    assert found, "README.md has no safety-blind table"
    assert _without_version(figures) == _without_version(found.group(1)), (
        "the corpus or the training code changed: run `recovery-bot safety train`, then `./dev bench safety` "
        "and update the README's blind table")


def _without_version(text: str) -> str:
    return re.sub(r"model [0-9a-f]{12}", "model …", text.strip())


@pytest.mark.training
def test_the_readme_shows_the_blind_figures_of_the_committed_model():
    from bench.safety_bench import table
    from handlers.safety.corpus import blind_rows, blind_sequences

    found = BLIND_TABLE.search(README.read_text(encoding="utf-8"))
    assert found, "README.md has no safety-blind table"
    assert found.group(1).strip() == table(blind_rows(), blind_sequences()).strip()
