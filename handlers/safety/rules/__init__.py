"""The rules: precise patterns for explicit crises, one module per kind, scanned with their context.

Rules are kept for what they do best (explicit phrasing, code-mixing, negation and past tense read
exactly); the learned model covers the phrasing no rule names. See handlers/safety/triage.py.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from handlers.safety.normalisation import _LATIN_RE
from handlers.safety.prefilter import can_match
from handlers.safety.rules import medical, overdose, self_harm, suicide, violence
from handlers.safety.rules.base import (
    _CJK_CHAR_RE,
    _CLAUSE_CUT_RE,
    _DRUG_CONTEXT_RE,
    _EN_NEG_RE,
    _MEDIA_RE,
    _PAST_STRONG_RE,
    _PAST_WEAK_RE,
    _PHASE_RESET_RE,
    _RECOVERY_RE,
    _REVIVAL_NEG_RE,
    _REVIVAL_RE,
    _SENTENCE_RE,
    _TOPIC_RES,
    _WITHDRAWAL_RE,
    _ZH_NEG_RE,
    _Rule,
)
from handlers.safety.types import CrisisKind

# Overdose first: once it is found no other kind can outrank it, so the scan stops there.
_RULES: tuple[_Rule, ...] = (
    overdose.RULES + suicide.RULES + self_harm.RULES + violence.RULES + medical.RULES
)


class _Scan:
    """Lazily computed, per-message context shared by every rule match."""

    __slots__ = ("text", "_phase_starts", "_phase_past", "_recovery", "_drugs", "_sent_starts")

    def __init__(self, text: str) -> None:
        self.text = text
        self._phase_starts: list[int] | None = None
        self._phase_past: list[int] = []
        self._recovery: bool | None = None
        self._drugs: bool | None = None
        self._sent_starts: list[int] | None = None

    def _recovery_cue(self) -> bool:
        if self._recovery is None:
            self._recovery = _RECOVERY_RE.search(self.text) is not None
        return self._recovery

    def drug_context(self) -> bool:
        if self._drugs is None:
            self._drugs = (
                _DRUG_CONTEXT_RE.search(self.text) is not None
                and _WITHDRAWAL_RE.search(self.text) is None
            )
        return self._drugs

    def _phases(self) -> None:
        starts = [0]
        for m in _PHASE_RESET_RE.finditer(self.text):
            starts.append(m.start())
        starts.append(len(self.text))
        past = []
        for a, b in zip(starts, starts[1:], strict=False):
            chunk = self.text[a:b]
            if _PAST_STRONG_RE.search(chunk):
                past.append(2)
            elif _PAST_WEAK_RE.search(chunk):
                past.append(1)
            else:
                past.append(0)
        self._phase_starts = starts
        self._phase_past = past

    def is_past(self, pos: int) -> bool:
        if self._phase_starts is None:
            self._phases()
        assert self._phase_starts is not None
        idx = min(bisect_right(self._phase_starts, pos) - 1, len(self._phase_past) - 1)
        level = self._phase_past[max(idx, 0)]
        return level == 2 or (level == 1 and self._recovery_cue())

    def sentence(self, start: int, end: int) -> str:
        if self._sent_starts is None:
            self._sent_starts = [0] + [m.end() for m in _SENTENCE_RE.finditer(self.text)]
        i = bisect_right(self._sent_starts, start) - 1
        a = self._sent_starts[max(i, 0)]
        m = _SENTENCE_RE.search(self.text, end)
        return self.text[a : m.start() if m else len(self.text)]

    def negated(self, start: int) -> bool:
        pre = self.text[max(0, start - 60) : start]
        cut = _CLAUSE_CUT_RE.match(pre)
        if cut:
            pre = pre[cut.end() :]
        return bool(_EN_NEG_RE.search(pre) or _ZH_NEG_RE.search(pre))


def _fires(rule: _Rule, m: re.Match[str], scan: _Scan) -> bool:
    s, e = m.span()
    text = scan.text
    if rule.pre_exclude is not None and rule.pre_exclude.search(text[max(0, s - 40) : s]):
        return False
    if rule.post_exclude is not None and rule.post_exclude.search(text[e : e + 60]):
        return False
    if rule.requires is not None and rule.requires.search(text) is None:
        return False
    if rule.negatable and scan.negated(s):
        return False
    if rule.media_sensitive or rule.sentence_exclude is not None:
        sentence = scan.sentence(s, e)
        if rule.media_sensitive and _MEDIA_RE.search(sentence):
            return False
        if rule.sentence_exclude is not None and rule.sentence_exclude.search(sentence):
            return False
    return not (rule.pastable and scan.is_past(s))


def _revived(scan: _Scan) -> CrisisKind | None:
    text = scan.text
    for m in _REVIVAL_RE.finditer(text):
        if _REVIVAL_NEG_RE.search(text[max(0, m.start() - 25) : m.start()]):
            continue
        for kind, topic in _TOPIC_RES:
            if topic.search(text):
                return kind
    return None




def match(norm: str) -> set[CrisisKind]:
    """The kinds whose rules fire on a normalised message (empty when none does)."""
    scan = _Scan(norm)
    skip = "" if _LATIN_RE.search(norm) else "en"
    if not _CJK_CHAR_RE.search(norm):
        if skip:
            return set()
        skip = "zh"
    found: set[CrisisKind] = set()
    for rule in _RULES:
        if rule.script == skip or (rule.kind in found and not rule.escalate_with_drugs):
            continue
        if not can_match(rule.need, norm):
            continue
        for m in rule.pattern.finditer(norm):
            if _fires(rule, m, scan):
                kind = rule.kind
                if rule.escalate_with_drugs and scan.drug_context():
                    kind = CrisisKind.OVERDOSE
                found.add(kind)
                break
        if CrisisKind.OVERDOSE in found:
            break
    if not found:
        revived = _revived(scan)
        if revived is not None:
            found.add(revived)
    return found
