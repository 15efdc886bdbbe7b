"""The labelled data keeps its promises: size, composition, floors, pairs, no duplicates, a separate blind set."""

from __future__ import annotations

import pytest

from handlers.safety import corpus


def test_the_corpus_passes_every_check():
    report = corpus.check(corpus.corpus_rows(), corpus.corpus_sequences())
    assert report.ok, report.text


def test_the_blind_set_has_the_corpus_s_shape_and_enough_sequences():
    rows, sequences = corpus.blind_rows(), corpus.blind_sequences()
    comp = corpus.composition(rows)
    assert comp["messages"] >= 800 and comp["zh_share"] >= 0.30 and comp["implicit_share"] >= 0.40
    assert comp["hard_negatives"] >= comp["crisis"]
    assert sum(s.crisis for s in sequences) >= 100
    assert not corpus.duplicates(rows)


def test_no_blind_message_is_in_the_training_corpus():
    """Short answers ("ok", "7") are everywhere; anything longer appears on one side only."""
    train = {" ".join(r.text.lower().split()) for r in corpus.corpus_rows()}
    shared = [r.text for r in corpus.blind_rows() if len(r.text) > 20 and " ".join(r.text.lower().split()) in train]
    assert not shared, shared[:5]


@pytest.mark.parametrize(("line", "error"), [
    ("{not json", "not JSON"),
    ('{"text": "hi", "lang": "fr", "label": "none", "kind": "chat", "difficulty": "ordinary", "writer": "x"}',
     "lang must be"),
    ('{"text": "hi", "lang": "en", "label": "crisis", "kind": "chat", "difficulty": "explicit", "writer": "x"}',
     "kind 'chat' is not one of"),
    ('{"text": "hi", "lang": "en", "label": "none", "kind": "chat", "difficulty": "implicit", "writer": "x"}',
     "difficulty must be"),
    ('{"text": "  ", "lang": "en", "label": "none", "kind": "chat", "difficulty": "ordinary", "writer": "x"}',
     "text is missing"),
])
def test_a_bad_line_is_refused_with_its_place_named(tmp_path, line, error):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "ok", "lang": "en", "label": "none", "kind": "flow", "difficulty": "ordinary", '
                    '"pair": null, "writer": "x"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(corpus.CorpusError, match=rf"bad.jsonl:2: {error}"):
        corpus.read_rows([path])


def test_near_duplicates_are_found_but_a_contrasting_pair_is_kept(tmp_path):
    lines = [
        '{"text": "the craving is killing me, heading to a meeting now", "lang": "en", "label": "none", '
        '"kind": "craving", "difficulty": "hard", "pair": "t-1", "writer": "x"}',
        '{"text": "the craving is killing me, heading to a bridge now", "lang": "en", "label": "crisis", '
        '"kind": "suicide", "difficulty": "implicit", "pair": "t-1", "writer": "x"}',
        '{"text": "The craving is killing me, heading to a meeting now!", "lang": "en", "label": "none", '
        '"kind": "craving", "difficulty": "hard", "pair": null, "writer": "y"}',
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [(i, j) for i, j, _ in corpus.duplicates(corpus.corpus_rows(tmp_path))] == [(0, 2)]
    assert corpus.dedupe(tmp_path) == 1
    assert [r.writer for r in corpus.corpus_rows(tmp_path)] == ["x", "x"]
