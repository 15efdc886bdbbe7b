"""The intent model: one multinomial logistic regression over character and word n-grams (the crisis
detector's featuriser) and the multilingual sentence encoder's 512 numbers, with a second small one
for which setting a `settings` message is about.

A message whose best intent is below the confidence floor is `none`: the floor is chosen in training,
by cross-validation with each writer held out in turn, so that at most a few percent of messages with
no intent are forced into one. The artifact is gzip'd JSON with a fixed timestamp (same corpus, same
bytes); weights are float32, base64.
"""

from __future__ import annotations

import base64
from pathlib import Path

import numpy as np

from handlers.intents import ACTIONABLE, INTENTS, TARGETS, Understood
from handlers.safety.model import Embedder, Loaded, Ngrams, shared_embedder
from handlers.safety.normalisation import normalise

ARTIFACT = Path(__file__).resolve().parents[2] / "data" / "intents" / "model.json.gz"


def pack(array: np.ndarray) -> dict:
    array = np.ascontiguousarray(array, dtype=np.float32)
    return {"shape": list(array.shape), "data": base64.b64encode(array.tobytes()).decode("ascii")}


def unpack(packed: dict) -> np.ndarray:
    raw = np.frombuffer(base64.b64decode(packed["data"]), dtype=np.float32)
    return raw.reshape(packed["shape"]).astype(np.float64)


def language(text: str) -> str:
    """zh-HK when the message has Chinese characters (Cantonese often mixes in English words), else en."""
    return "zh-HK" if any("\u3400" <= ch <= "\u9fff" for ch in text) else "en"


class Head:
    """A multinomial logistic regression over [n-gram block | sentence vector]."""

    def __init__(self, packed: dict) -> None:
        self.classes: tuple[str, ...] = tuple(packed["classes"])
        self.sparse = unpack(packed["sparse"])  # (n-gram features, classes)
        self.dense = unpack(packed["dense"])  # (512, classes)
        self.intercept = unpack(packed["intercept"])

    def probabilities(self, idx: np.ndarray, values: np.ndarray, vector: np.ndarray) -> np.ndarray:
        logits = values @ self.sparse[idx] + vector @ self.dense + self.intercept
        logits -= logits.max()
        p = np.exp(logits)
        return p / p.sum()


class Model:
    def __init__(self, artifact: dict, embedder: Embedder | None = None) -> None:
        self.version: str = artifact["version"]
        self.ngrams = Ngrams(artifact)
        self.intent = Head(artifact["intent"])
        self.target = Head(artifact["target"])
        self.floors = {lang: float(f) for lang, f in artifact["floors"].items()}
        self.dense_scale = float(artifact["dense_scale"])
        self.meta = {k: artifact[k] for k in ("trained_on", "cross_validation", "settings") if k in artifact}
        self._embedder = embedder
        assert set(self.intent.classes) <= set(INTENTS) and set(self.target.classes) <= set(TARGETS)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = shared_embedder()
        return self._embedder

    def probabilities(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(intent probabilities, target probabilities), in the order of each head's classes."""
        idx, values = self.ngrams.features(normalise(text))
        vector = self.embedder.encode([text])[0] * self.dense_scale
        return (self.intent.probabilities(idx, values, vector),
                self.target.probabilities(idx, values, vector))

    def understand(self, text: str) -> Understood:
        p_intent, p_target = self.probabilities(text)
        best = int(np.argmax(p_intent))
        intent, confidence = self.intent.classes[best], float(p_intent[best])
        if confidence < self.floors[language(text)]:
            intent = "none"
        target = self.target.classes[int(np.argmax(p_target))] if intent == "settings" else None
        ranked = sorted(((float(p), c) for p, c in zip(p_intent, self.intent.classes, strict=True)
                         if c in ACTIONABLE), reverse=True)
        return Understood(intent, target, confidence, tuple(c for _, c in ranked[:3]))


_model = Loaded(ARTIFACT, lambda artifact: Model(artifact))
load, use = _model.load, _model.use
