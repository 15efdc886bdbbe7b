"""Triage: rules and the learned model together say crisis, check or none.

- `crisis` (resources and an urgent alert at once): the model is sure (probability at least the
  `crisis` threshold), or a rule fires and the model leans the same way (at least the lower
  `crisis_with_rule` threshold). Both are chosen together for precision by cross-validation.
- `check` (resources and "are you safe right now?"): a rule fires, or the model is unsure
  (at least the `check` threshold, chosen for recall).
- `none` otherwise.

The kind comes from the rules when one fired (they read who is in danger exactly), otherwise from
the model's kind classifier. With no trained model (a checkout before training), the rules alone
decide, at the `crisis` level.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from handlers.safety import model as learned
from handlers.safety import rules
from handlers.safety.normalisation import normalise
from handlers.safety.types import NOT_CRISIS, PRIORITY, CrisisKind, CrisisResult, Level

log = logging.getLogger(__name__)
SEPARATOR = "\n"  # the same joiner training used for sequences (handlers/safety/train.py)


def _text_of(text: object) -> str | None:
    if isinstance(text, bytes | bytearray):
        return bytes(text).decode("utf-8", "replace")
    return text if isinstance(text, str) else None


def _level(probability: float, fired: bool, model: learned.Model) -> Level:
    if probability >= model.crisis or (fired and probability >= model.crisis_with_rule):
        return Level.CRISIS
    if fired or probability >= model.check:
        return Level.CHECK
    return Level.NONE


def _judge(raw: str, norm: str, model: learned.Model | None, floor: float | None = None,
           skip_below: float | None = None) -> CrisisResult:
    found = rules.match(norm)
    rule_kind = next((k for k in PRIORITY if k in found), None)
    if model is None:
        if rule_kind is None:
            return NOT_CRISIS
        return CrisisResult(Level.CRISIS, rule_kind, 1.0, (f"rule:{rule_kind}",))
    scores = model.score(norm, raw, rule_kind is not None, floor=floor, skip_below=skip_below)
    level = _level(scores.probability, rule_kind is not None, model)
    if level is Level.NONE:
        return CrisisResult(Level.NONE, None, round(scores.probability, 4))
    reasons = ((f"rule:{rule_kind}",) if rule_kind else ()) + (
        ("model",) if scores.probability >= model.check else ())
    kind: CrisisKind = rule_kind or scores.kind
    return CrisisResult(level, kind, round(scores.probability, 4), reasons)


def detect_crisis(text: object, lang: str | None = None) -> CrisisResult:
    """One message on its own. `lang` is a hint only: both languages are always read, because
    people in Hong Kong switch languages mid-sentence."""
    raw = _text_of(text)
    if not raw:
        return NOT_CRISIS
    norm = normalise(raw)
    if not norm:
        return NOT_CRISIS
    return _judge(raw, norm, learned.load())


# A window is read together only when one of its messages, read alone, reached this share of the
# check threshold: a run of plainly calm messages ("Sam", "9pm", "yes") costs nothing to read.
NOTICE = 0.5


def in_context(text: str, earlier: Sequence[str], alone: CrisisResult | None = None,
               lang: str | None = None, earlier_scores: Sequence[float] | None = None) -> CrisisResult:
    """A message read with the person's earlier messages (oldest first, at most two, within the
    context window): "nobody would even notice" after "i've been saving my pills". Reading them
    together can only raise the level (to `check`), never lower it."""
    alone = alone if alone is not None else detect_crisis(text, lang)
    model = learned.load()
    if alone.is_crisis or not earlier or model is None:
        return alone
    scores = [detect_crisis(t, lang).score for t in earlier] if earlier_scores is None else list(earlier_scores)
    if max([*scores, alone.score]) < NOTICE * model.check:
        return alone
    joined = SEPARATOR.join([*earlier, text])
    # Only a score at the crisis threshold can count, so the sentence encoder runs only when the n-grams
    # leave that possible (most of the time they do not, and reading context costs microseconds).
    together = _judge(joined, normalise(joined), model, floor=model.crisis, skip_below=model.context_skip_below)
    # Messages read together count only when the model is sure about the whole (the crisis
    # threshold): short answers in a row ("Ken", "Atlantis under the sea") must not add up to an
    # alarm. What they raise is the safety question, never more.
    if together.score < model.crisis:
        return alone
    return CrisisResult(Level.CHECK, together.kind, together.score, (*together.reasons, "context"))


def assess(text: object, lang: str | None = None, context: Sequence[str] = ()) -> CrisisResult:
    raw = _text_of(text)
    if not raw:
        return NOT_CRISIS
    return in_context(raw, list(context)[-2:], lang=lang)


def rule_only(text: object, lang: str | None = None) -> CrisisResult:
    """The rules alone, as the detector was before the learned model (for comparison)."""
    raw = _text_of(text)
    norm = normalise(raw) if raw else ""
    return _judge(raw or "", norm, None) if norm else NOT_CRISIS
