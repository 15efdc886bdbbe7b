"""The crisis detector on the blind set: floors that catch a regression on phrasing it was never tuned on."""

from bench.crisis_blind import load, score

# Raise these as the detector improves; never lower them to make a change pass.
RECALL_FLOOR = 0.60
FALSE_POSITIVE_CEILING = 0.12


def test_blind_set_is_well_formed():
    rows = load()
    kinds = {"suicide", "self_harm", "overdose", "medical", "violence", "none"}
    assert len(rows) >= 100
    assert all(kind in kinds and lang in {"en", "zh"} and text for kind, lang, text in rows)


def test_blind_recall_and_false_positives_stay_within_bounds():
    figures = score(load())
    assert figures["recall"] >= RECALL_FLOOR, figures
    assert figures["false_positive_rate"] <= FALSE_POSITIVE_CEILING, figures
