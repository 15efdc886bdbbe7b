"""Training: `recovery-bot intents train`. Deterministic: the same corpus gives the same bytes.

Cross-validation holds out one writer at a time (so a fold is a voice the model has never read), and
chooses the confidence floor: the lowest at which at most FORCED_TARGET of the held-out `none`
messages are forced into an intent. The regularisation and the weight of the sentence vector were
compared the same way when the model was designed (see the README); they are fixed here so that CI
can retrain in a minute. The blind set is never read. scikit-learn is needed only here.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import numpy as np

from handlers.intents import INTENTS, TARGETS
from handlers.intents.corpus import CORPUS, LANGS, Row, dedupe, read
from handlers.intents.model import ARTIFACT, pack
from handlers.safety.model import write_artifact
from handlers.safety.normalisation import normalise
from handlers.safety.train import Vocabulary, embed

C = 30.0
DENSE_SCALE = 1.0
FORCED_TARGET = 0.05
FLOORS = tuple(round(float(f), 2) for f in np.arange(0.0, 0.96, 0.01))


def design(rows: list[Row], emb: np.ndarray, vocab: Vocabulary, scale: float):
    from scipy.sparse import csr_matrix, hstack

    x = vocab.matrix([normalise(r.text) for r in rows])
    return hstack([x, csr_matrix(emb * scale)]).tocsr()


def fit(x, labels: list[str], c: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, solver="lbfgs", max_iter=3000).fit(x, labels)


def out_of_fold(rows: list[Row], emb: np.ndarray, c: float = C, scale: float = DENSE_SCALE) -> np.ndarray:
    """Intent probabilities for each row from a model that never saw its writer (columns: INTENTS order)."""
    writers = sorted({r.writer for r in rows})
    p = np.zeros((len(rows), len(INTENTS)))
    for held in writers:
        train_i = [i for i, r in enumerate(rows) if r.writer != held]
        test_i = [i for i, r in enumerate(rows) if r.writer == held]
        vocab = Vocabulary([normalise(rows[i].text) for i in train_i])
        model = fit(design([rows[i] for i in train_i], emb[train_i], vocab, scale), [rows[i].intent for i in train_i], c)
        probs = model.predict_proba(design([rows[i] for i in test_i], emb[test_i], vocab, scale))
        for j, cls in enumerate(model.classes_):
            p[test_i, INTENTS.index(cls)] = probs[:, j]
    return p


def decide(p: np.ndarray, floors: dict[str, float], langs: list[str]) -> list[str]:
    best = p.argmax(axis=1)
    return [INTENTS[b] if p[i, b] >= floors[langs[i]] else "none" for i, b in enumerate(best)]


def figures(rows: list[Row], predicted: list[str]) -> dict[str, float]:
    """Accuracy per language and intent, and how often a `none` message is forced into an intent."""
    out: dict[str, float] = {}
    for lang in ("en", "zh-HK", None):
        sel = [i for i, r in enumerate(rows) if lang is None or r.lang == lang]
        key = lang or "all"
        out[f"accuracy.{key}"] = float(np.mean([predicted[i] == rows[i].intent for i in sel])) if sel else 0.0
        nones = [i for i in sel if rows[i].intent == "none"]
        out[f"forced.{key}"] = float(np.mean([predicted[i] != "none" for i in nones])) if nones else 0.0
    for intent in INTENTS:
        sel = [i for i, r in enumerate(rows) if r.intent == intent]
        out[f"recall.{intent}"] = float(np.mean([predicted[i] == intent for i in sel])) if sel else 0.0
    return out


def choose_floors(rows: list[Row], p: np.ndarray) -> dict[str, float]:
    """For each language, the lowest floor that forces at most FORCED_TARGET of its `none` messages."""
    floors = {}
    for lang in LANGS:
        sel = [i for i, r in enumerate(rows) if r.lang == lang]
        sub_rows, sub_p = [rows[i] for i in sel], p[sel]
        floors[lang] = next((float(f) for f in FLOORS if figures(sub_rows, decide(sub_p, {lang: f}, [lang] * len(sel)))
                             [f"forced.{lang}"] <= FORCED_TARGET), FLOORS[-1])
    return floors


def _r(values, digits: int = 6) -> list:
    return [round(float(v), digits) for v in values]


def train(corpus: Path = CORPUS, out: Path = ARTIFACT, log=print) -> dict:
    rows = dedupe(read(corpus))
    log(f"{len(rows)} messages from {len({r.writer for r in rows})} writers")
    emb = embed([r.text for r in rows])
    p = out_of_fold(rows, emb)
    floors = choose_floors(rows, p)
    cv = {k: round(v, 4) for k, v in figures(rows, decide(p, floors, [r.lang for r in rows])).items()}
    log(f"confidence floors {floors}; out of fold (each writer held out): " + ", ".join(
        f"{k} {v:.3f}" for k, v in cv.items() if not k.startswith("recall.")))
    vocab = Vocabulary([normalise(r.text) for r in rows])
    x = design(rows, emb, vocab, DENSE_SCALE)
    intent = fit(x, [r.intent for r in rows], C)
    settings = [i for i, r in enumerate(rows) if r.intent == "settings"]
    target = fit(x[settings], [rows[i].target for i in settings], C)
    n_sparse = vocab.size

    def head(model) -> dict:
        coef = model.coef_.T  # (features, classes)
        return {"classes": list(model.classes_), "sparse": pack(coef[:n_sparse]), "dense": pack(coef[n_sparse:]),
                "intercept": pack(model.intercept_)}

    artifact = {
        "char_vocab": vocab.char_vocab, "word_vocab": vocab.word_vocab,
        "char_idf": _r(vocab.char_idf), "word_idf": _r(vocab.word_idf),
        "intent": head(intent), "target": head(target),
        "floors": floors, "dense_scale": DENSE_SCALE,
        "trained_on": {"messages": len(rows), "intents": dict(sorted(Counter(r.intent for r in rows).items())),
                       "targets": dict(sorted(Counter(r.target for r in rows if r.target).items()))},
        "cross_validation": cv,
        "settings": {"C": C, "dense_scale": DENSE_SCALE, "forced_target": FORCED_TARGET},
    }
    assert set(artifact["target"]["classes"]) <= set(TARGETS)
    body = write_artifact({**artifact, "version": ""}, out)
    artifact["version"] = hashlib.sha256(body).hexdigest()[:12]
    write_artifact(artifact, out)
    log(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB), version {artifact['version']}")
    return artifact
