"""The rules (handlers/safety/rules/): every case they were written against, robustness on junk input,
crises buried in long messages, and the literal prefilter. Deterministic: no learned model here."""

from __future__ import annotations

import dataclasses
import random
import time
from pathlib import Path
from typing import NamedTuple

import pytest

from handlers.safety import CrisisKind, CrisisResult, Level, normalise, prefilter, rules
from handlers.safety import normalisation as normalise_module
from handlers.safety.corpus import blind_rows, corpus_rows
from handlers.safety.triage import rule_only as detect_crisis

CASES_PATH = Path(__file__).with_name("rule_cases.tsv")
KINDS = {k.value for k in CrisisKind}


class Case(NamedTuple):
    line: int
    label: str  # a kind, "none", or a kind with a trailing "?" for a known miss
    lang: str
    text: str
    held_out: bool

    @property
    def kind(self) -> str | None:
        label = self.label.rstrip("?")
        return None if label == "none" else label

    @property
    def known_miss(self) -> bool:
        return self.label.endswith("?")


def _load() -> list[Case]:
    cases, held_out = [], False
    for number, raw in enumerate(CASES_PATH.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.strip().lower().startswith("# held-out"):
            held_out = True
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        label, lang, text = raw.split("\t")  # a malformed row should fail collection loudly
        cases.append(Case(number, label, lang, text, held_out))
    return cases


CASES = _load()
CHECKED = [c for c in CASES if not c.known_miss]
KNOWN_MISSES = [c for c in CASES if c.known_miss]


def test_case_file_is_well_formed_and_balanced():
    for case in CASES:
        assert case.label.rstrip("?") in KINDS | {"none"}, case
        assert case.lang in ("en", "zh"), case
        assert case.text.strip(), case
        assert not (case.known_miss and case.kind is None), case
    crises = [c for c in CASES if c.kind is not None]
    negatives = [c for c in CASES if c.kind is None]
    assert len(CASES) >= 300
    assert 0.35 <= len(negatives) / len(CASES) <= 0.65
    assert sum(c.held_out for c in CASES) >= 40
    for kind in KINDS:
        for lang in ("en", "zh"):
            assert any(c.kind == kind and c.lang == lang for c in crises), (kind, lang)
    texts = [c.text for c in CASES]
    assert len(texts) == len(set(texts)), "duplicate rows"


@pytest.mark.parametrize("case", CHECKED, ids=[f"line{c.line}-{c.label}-{c.lang}" for c in CHECKED])
def test_labelled_case(case: Case):
    result = detect_crisis(case.text, case.lang)
    assert result.is_crisis == (case.kind is not None), case.text
    if case.kind is not None:
        assert result.kind == case.kind, case.text


@pytest.mark.parametrize("case", CHECKED, ids=[f"line{c.line}-nolang" for c in CHECKED])
def test_result_does_not_depend_on_the_language_hint(case: Case):
    assert detect_crisis(case.text, None) == detect_crisis(case.text, case.lang)


def test_known_misses_are_few_and_still_missed():
    crises = [c for c in CASES if c.kind is not None]
    report = "\n".join(f"  line {c.line} [{c.lang}] {c.label}: {c.text}" for c in KNOWN_MISSES)
    print(f"\nknown misses ({len(KNOWN_MISSES)} of {len(crises)} crisis rows):\n{report}")
    assert len(KNOWN_MISSES) <= 0.05 * len(crises), report
    caught = [c for c in KNOWN_MISSES if detect_crisis(c.text, c.lang).kind == c.kind]
    assert not caught, f"now detected, drop the '?' from their labels: {caught}"


# ---------------------------------------------------------------------------
# Contract and robustness
# ---------------------------------------------------------------------------


def _random_text(rng: random.Random, length: int) -> str:
    pools = [
        "abcdefghijklmnopqrstuvwxyz     ',.!?",
        "我你佢想死唔冇好嘅咗係喺今日返工飲酒藥過量心口痛打殺",
        "😀😂🤣💀🔪💊🙏❤️‍🔥\u200b\u200d\ufeff",
        "\x00\x01\x07\x1b\x7f\t\r\n\u2028",
        "ÀÉÎõüßﬁＫＩＬＬ０１２",
    ]
    return "".join(rng.choice(rng.choice(pools)) for _ in range(length))


JUNK = [
    "",
    " ",
    "   \t\n  ",
    "\x00",
    "\x00\x01\x02\x1b[31m\x7f",
    "😀😀😀",
    "💀💀💀🔪",
    "🙏",
    "\u200b\u200b\u200b",
    "?!.,;:",
    "a",
    "我",
    "𠝹",
    "\uffff\ufffe",
    "I" * 5000,
    "not " * 1250,
    "kill " * 1000,
    "想" * 5000,
    "i i i i i " * 500,
    "my friend " * 500 + "is",
    "佢" * 2000 + "打",
    ("a " * 30 + ", ") * 100,
    "'" * 5000,
]


@pytest.mark.parametrize("lang", ["en", "zh", "zh-HK", "en-HK", "zh-Hant", None, "", "xx"])
@pytest.mark.parametrize("text", JUNK, ids=range(len(JUNK)))
def test_junk_never_raises_and_keeps_the_invariant(text: str, lang: str | None):
    result = detect_crisis(text, lang)
    assert isinstance(result, CrisisResult)
    assert result.is_crisis == (result.kind is not None)
    assert result.kind is None or isinstance(result.kind, CrisisKind)


def test_random_long_texts_never_raise_and_stay_fast():
    rng = random.Random(20240601)
    for _ in range(30):
        text = _random_text(rng, 5000)
        for lang in ("en", "zh-HK", None):
            start = time.perf_counter()
            result = detect_crisis(text, lang)
            assert time.perf_counter() - start < 0.25
            assert result.is_crisis == (result.kind is not None)


@pytest.mark.parametrize("text", JUNK[14:], ids=range(len(JUNK) - 14))
def test_pathological_inputs_do_not_backtrack(text: str):
    start = time.perf_counter()
    detect_crisis(text)
    assert time.perf_counter() - start < 0.25


def test_non_string_input_is_not_a_crisis_and_bytes_are_decoded():
    assert detect_crisis(None).is_crisis is False  # type: ignore[arg-type]
    assert detect_crisis(12345) .is_crisis is False  # type: ignore[arg-type]
    assert detect_crisis(b"I want to kill myself").kind == CrisisKind.SUICIDE  # type: ignore[arg-type]


def test_typical_messages_take_well_under_a_millisecond():
    texts = [c.text for c in CASES]
    for text in texts:  # warm up
        detect_crisis(text)
    start = time.perf_counter()
    for _ in range(3):
        for text in texts:
            detect_crisis(text)
    mean = (time.perf_counter() - start) / (3 * len(texts))
    assert mean < 0.001, f"{mean * 1000:.3f} ms per message"


def test_contract_types():
    assert {k.value for k in CrisisKind} == {
        "suicide",
        "self_harm",
        "overdose",
        "medical",
        "violence",
    }
    assert CrisisKind.SELF_HARM == "self_harm"
    result = detect_crisis("I want to kill myself")
    assert (result.level, result.kind, result.reasons) == (Level.CRISIS, CrisisKind.SUICIDE, ("rule:suicide",))
    assert result.kind == "suicide" and result.is_crisis
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.is_crisis = False  # type: ignore[misc]
    assert detect_crisis("see you at group") .is_crisis is False


def test_normalisation_variants_are_equivalent():
    variants = [
        "I don’t want to live",
        "I dont want to live",
        "I do not want to live",
        "I  DON'T\twant to\u200b live",
        "Ｉ ｄｏｎ'ｔ ｗａｎｔ ｔｏ ｌｉｖｅ",
        "i dont wanna live",
    ]
    for text in variants:
        assert detect_crisis(text).kind == CrisisKind.SUICIDE, text
    assert detect_crisis("我想自杀").kind == detect_crisis("我想自殺").kind == CrisisKind.SUICIDE


# ---------------------------------------------------------------------------
# Crises inside longer, otherwise ordinary messages
# ---------------------------------------------------------------------------

FILLER_EN = (
    "Morning! Went to the 9am group, then had congee with my sister in Sham Shui Po. "
    "Work was fine, my manager is on leave so it was quiet. The weather is humid again and the "
    "MTR was packed. I remembered to take my vitamins and I walked home along the harbour. "
)
FILLER_ZH = (
    "今朝去咗小組，之後同家姐去深水埗食粥。返工都OK，老細放假所以好靜。"
    "今日又好濕，港鐵好逼。我記得食維他命，之後沿住海邊行返屋企。"
)

BURIED = [
    (FILLER_EN + "Honestly though, I want to kill myself. " + FILLER_EN, CrisisKind.SUICIDE),
    (
        FILLER_EN * 3 + "Anyway my friend isn't breathing after using, what do I do",
        CrisisKind.OVERDOSE,
    ),
    (
        "Quick update. " + FILLER_EN + "I cut myself again last night. " + FILLER_EN,
        CrisisKind.SELF_HARM,
    ),
    (FILLER_EN + "My partner is hitting me and I'm scared. " + FILLER_EN, CrisisKind.VIOLENCE),
    (FILLER_EN + "Also I've had chest pain for an hour. " + FILLER_EN, CrisisKind.MEDICAL),
    (FILLER_ZH + "其實我真係好想死。" + FILLER_ZH, CrisisKind.SUICIDE),
    (FILLER_ZH * 3 + "佢食咗好多粒藥，而家叫唔醒", CrisisKind.OVERDOSE),
    (FILLER_ZH + "琴晚我又𠝹手。" + FILLER_ZH, CrisisKind.SELF_HARM),
    (FILLER_ZH + "老公飲醉又打我。" + FILLER_ZH, CrisisKind.VIOLENCE),
    (FILLER_ZH + "頭先開始心口好痛。" + FILLER_ZH, CrisisKind.MEDICAL),
    (FILLER_EN + FILLER_ZH + "我唔想再生存", CrisisKind.SUICIDE),
    (
        "Two years ago I overdosed and that's why I'm here. "
        + FILLER_EN
        + "Tonight I want to die.",
        CrisisKind.SUICIDE,
    ),
    ("I used to cut, and tonight I want to again. " + FILLER_EN, CrisisKind.SELF_HARM),
]


@pytest.mark.parametrize(("text", "kind"), BURIED, ids=range(len(BURIED)))
def test_crisis_inside_a_long_message_is_caught(text: str, kind: CrisisKind):
    assert len(text) > 100
    assert detect_crisis(text) .kind == kind


@pytest.mark.parametrize("text", [FILLER_EN * 20, FILLER_ZH * 20, (FILLER_EN + FILLER_ZH) * 10])
def test_long_ordinary_message_is_not_a_crisis(text: str):
    assert detect_crisis(text) .is_crisis is False


# ---------------------------------------------------------------------------
# Broadened rules: idioms must never fire, co-occurrence rules need both halves
# ---------------------------------------------------------------------------

IDIOMS = [
    "I'm dying to see you",
    "killing it at work",
    "this traffic is killing me",
    "笑死",
    "攰到死",
    "聽日死線",
    "架車死火",
    "搞到我想死",
    "dead tired",
    "I could sleep forever lol",
]


@pytest.mark.parametrize("text", IDIOMS)
def test_idioms_never_fire(text: str):
    assert detect_crisis(text) .is_crisis is False


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # method word alone is everyday talk; with a plan cue it is a crisis
        ("bought charcoal for the bbq", None),
        ("got the charcoal and taped the windows", CrisisKind.SUICIDE),
        ("今晚去天台燒烤", None),
        ("我喺天台，唔想再返落去", CrisisKind.SUICIDE),
        # a racing heart is nerves, unless drugs were taken
        ("my heart is racing before my interview", None),
        ("smoked a lot of ice and my heart is racing", CrisisKind.OVERDOSE),
        ("我心跳好快，好緊張", None),
        ("佢索完冰心跳好快", CrisisKind.OVERDOSE),
        # seizures after using are an overdose; during withdrawal they are medical
        ("he's fitting on the floor after shooting up", CrisisKind.OVERDOSE),
        ("he's fitting on the floor, day 2 of detox", CrisisKind.MEDICAL),
        # future plan vs ingestion already done
        ("I'm going to take all my sleeping pills tonight", CrisisKind.SUICIDE),
        ("I took all my sleeping pills", CrisisKind.OVERDOSE),
        ("I took all my meds today, proud of myself", None),
    ],
)
def test_co_occurrence_rules(text: str, kind: CrisisKind | None):
    result = detect_crisis(text)
    assert result.kind == kind, text


def test_script_gating_does_not_change_code_mixed_results():
    assert detect_crisis("我好想 end it all").kind == CrisisKind.SUICIDE
    assert detect_crisis("好想die").kind == CrisisKind.SUICIDE
    assert detect_crisis("my friend 啪完K之後叫唔醒").kind == CrisisKind.OVERDOSE


# ---------------------------------------------------------------------------
# The literal prefilter (safety.needs): it may only skip regexes that cannot match.
# ---------------------------------------------------------------------------

def _corpus() -> list[str]:
    """Every labelled text of the corpus and the blind set (used here only to check that skipping
    changes no result, never to tune anything), junk, random texts, and long messages made of them."""
    texts = [case.text for case in CASES] + JUNK
    texts += [r.text for r in corpus_rows() + blind_rows()]
    rng = random.Random(7)
    texts += [_random_text(rng, rng.randint(1, 300)) for _ in range(300)]
    texts += [". ".join(rng.sample(texts[:len(CASES)], 6)) for _ in range(200)]
    return texts


def test_needs_names_only_what_every_match_consumes():
    assert prefilter.needs(r"\bkill (?:my ?self|me)\b") == {"kill m"}  # the parser factors out the "m"
    assert prefilter.needs(r"\b(?:took|swallowed) (?:all|too many) pills\b") == {" pills"}
    assert prefilter.needs(r"\bo\.?d\b") == {"o"}  # the optional dot ends the run: "od" need not appear
    assert prefilter.needs(r"(?:cut|burn)(?:ing)? myself") == {" myself"}
    assert prefilter.needs(r"\b(?:a|b)?c\b") == {"c"}
    assert prefilter.needs(r"(?:x+|y)z?") == {"x", "y"}
    assert prefilter.needs(r"\w+ \w+") == {" "}
    assert prefilter.needs(r"[a-z]+") is None and prefilter.needs(r"(?:abc)?d*") is None
    assert prefilter.needs(r"(?i)kill") is None and prefilter.needs(r"(?i:kill)me") == {"me"}  # case-blind: no literal
    assert prefilter.needs(r"想死|唔想活") == {"想死", "唔想活"}


def test_skipping_by_needs_never_skips_a_regex_that_would_match():
    """Soundness, rule by rule and rewrite by rewrite, over every text we have."""
    for text in _corpus():
        norm = normalise(text)
        for rule in rules._RULES:
            if rule.pattern.search(norm):
                assert prefilter.can_match(rule.need, norm), (rule.pattern.pattern[:80], text[:80])
        step = text.translate(normalise_module._CHAR_MAP).lower()
        for pattern, repl, need in normalise_module._EN_REWRITES:
            if pattern.search(step):
                assert prefilter.can_match(need, step), (pattern.pattern, text[:80])
            step = pattern.sub(repl, step)


def test_detection_gives_the_same_result_with_and_without_the_prefilter(monkeypatch):
    texts = _corpus()
    fast = [detect_crisis(text) for text in texts]
    monkeypatch.setattr(rules, "can_match", lambda need, text: True)
    monkeypatch.setattr(normalise_module, "can_match", lambda need, text: True)
    assert [detect_crisis(text) for text in texts] == fast
