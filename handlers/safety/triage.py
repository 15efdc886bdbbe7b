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

from handlers.safety import model as learned
from handlers.safety import rules
from handlers.safety.normalisation import normalise
from handlers.safety.types import NOT_CRISIS, PRIORITY, CrisisKind, CrisisResult, Level

log = logging.getLogger(__name__)


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


def rule_only(text: object, lang: str | None = None) -> CrisisResult:
    """The rules alone, as the detector was before the learned model (for comparison)."""
    raw = _text_of(text)
    norm = normalise(raw) if raw else ""
    return _judge(raw or "", norm, None) if norm else NOT_CRISIS
