"""Scores the crisis detector on the blind set (never used for tuning): `python -m bench.crisis_blind`.

Prints only totals, so that reading them cannot steer the rules towards particular rows.
"""

from __future__ import annotations

from pathlib import Path

from handlers.safety import detect_crisis

BLIND = Path(__file__).parents[1] / "tests" / "handlers" / "crisis_blind.tsv"


def load(path: Path = BLIND) -> list[tuple[str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, lang, text = line.split("\t", 2)
            rows.append((kind, lang, text))
    return rows


def score(rows: list[tuple[str, str, str]]) -> dict[str, float]:
    crises = [(k, t) for k, _, t in rows if k != "none"]
    calm = [t for k, _, t in rows if k == "none"]
    found = [(k, detect_crisis(t)) for k, t in crises]
    hits = [(k, r) for k, r in found if r.is_crisis]
    return {
        "crises": len(crises),
        "recall": len(hits) / len(crises) if crises else 0.0,
        "kind_accuracy": sum(r.kind == k for k, r in hits) / len(hits) if hits else 0.0,
        "negatives": len(calm),
        "false_positive_rate": sum(detect_crisis(t).is_crisis for t in calm) / len(calm) if calm else 0.0,
    }


def main() -> None:
    rows = load()
    for label, subset in (("blind", rows), ("blind/en", [r for r in rows if r[1] == "en"]),
                          ("blind/zh", [r for r in rows if r[1] == "zh"])):
        s = score(subset)
        print(f"{label:<9} recall {s['recall']:6.1%} of {s['crises']}  kind acc {s['kind_accuracy']:6.1%}  "
              f"FP rate {s['false_positive_rate']:6.1%} of {s['negatives']}")


if __name__ == "__main__":
    main()
