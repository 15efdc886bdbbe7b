"""The detector as a whole: its contract, the trained model it loads, and reading messages in context."""

from __future__ import annotations

import random

import pytest

from handlers.safety import CrisisKind, CrisisResult, Level, assess, detect_crisis
from handlers.safety import model as learned
from handlers.safety.context import in_context
from handlers.safety.corpus import corpus_rows


@pytest.fixture(scope="module")
def model() -> learned.Model:
    found = learned.load()
    assert found is not None, "data/safety/model.json.gz is missing: run `recovery-bot safety train`"
    return found


def test_the_trained_model_is_loaded_with_thresholds_in_order(model):
    assert 0.0 < model.check <= model.crisis <= 1.0
    assert model.stack_coef[0] > 0 and model.stack_coef[1] > 0  # both models push the same way
    assert len(model.version) == 12


@pytest.mark.parametrize("text", [
    "I want to kill myself", "im going to end it all tonight", "我想自殺", "took 40 of my sleeping pills",
    "我朋友食咗好多藥 而家叫唔醒", "my husband is hitting me again and I'm scared",
])
def test_explicit_danger_reaches_the_crisis_level(model, text):
    found = detect_crisis(text)
    assert found.level is Level.CRISIS, found
    assert found.is_crisis and found.kind is not None and found.score >= model.check


@pytest.mark.parametrize("text", ["7", "ok", "yes", "9pm", "21:00", "好", "係", "👍", "thanks", "my sister Amy",
                                  "beer", "work stress", "三個禮拜", "see you at group"])
def test_everyday_answers_are_not_flagged(model, text):
    assert detect_crisis(text).level is Level.NONE


def test_the_contract_holds_for_every_kind_of_input(model):
    rng = random.Random(3)
    texts = ["", " ", "\x00", "😀" * 30, "想" * 3000, "kill " * 500, "I want to die", "笑死我", "a" * 10_000]
    texts += ["".join(rng.choice("abc 死藥🙏!?\n") for _ in range(rng.randint(1, 200))) for _ in range(100)]
    for text in texts:
        found = detect_crisis(text)
        assert isinstance(found, CrisisResult)
        assert found.is_crisis == (found.level is not Level.NONE) == (found.kind is not None)
        assert 0.0 <= found.score <= 1.0
        assert all(r.startswith(("rule:", "model", "context")) for r in found.reasons)  # never the words
    assert detect_crisis(None).level is Level.NONE  # type: ignore[arg-type]
    assert detect_crisis(b"I want to kill myself").kind == CrisisKind.SUICIDE  # type: ignore[arg-type]


def test_check_and_crisis_both_count_as_crisis():
    check = CrisisResult(Level.CHECK, CrisisKind.SUICIDE, 0.4, ("model",))
    assert check.is_crisis and CrisisResult().is_crisis is False
    with pytest.raises(ValueError):
        CrisisResult(Level.CHECK, None)


def test_the_exact_bound_skips_the_meaning_model_only_when_it_could_not_change_the_level(model):
    """Apart from the cascade (chosen by cross-validation), skipping the sentence encoder is exact: a
    message scored without it gets the same level as with it."""
    texts = ["7", "ok", "see you at group", "我今日好開心", "thinking of you all", "nobody would notice",
             "gave my dog to my sister for good", "I want to die"]
    for text in texts:
        from handlers.safety.normalisation import normalise

        norm = normalise(text)
        quick = model.score(norm, text, skip_below=0.0)
        full = model.score(norm, text, floor=0.0, skip_below=0.0)  # never skip
        assert (quick.probability >= model.check) == (full.probability >= model.check), text


def test_context_can_only_raise_the_level(model):
    for earlier in (["see you at group"], ["I want to kill myself"], ["ok", "7"]):
        for text in ("ok", "thanks", "I want to kill myself", "nobody would even notice"):
            alone = detect_crisis(text)
            together = in_context(text, earlier, alone)
            order = [Level.NONE, Level.CHECK, Level.CRISIS]
            assert order.index(together.level) >= order.index(alone.level)


def test_an_earlier_message_the_model_is_sure_of_lifts_a_follow_up_to_the_safety_question(model):
    """Read alone, "ok night" is nothing; after a message the model is sure of, the two together ask
    "are you safe?" (in a conversation the earlier alarm clears the context; this is the mechanism)."""
    strong = next(r.text for r in corpus_rows() if r.crisis and r.difficulty == "implicit"
                  and detect_crisis(r.text).score >= model.crisis and len(r.text) < 80)
    assert detect_crisis("ok night").level is Level.NONE
    found = assess("ok night", context=[strong])
    assert found.level is Level.CHECK and "context" in found.reasons


def test_unrelated_short_answers_do_not_add_up_to_an_alarm(model):
    answers = ["Ken", "Hong Kong", "21:00", "30 days ago", "my sister", "beer", "lonely", "at home", "7", "ok"]
    for i in range(len(answers) - 2):
        assert not assess(answers[i + 2], context=answers[i:i + 2]).is_crisis, answers[i:i + 3]
