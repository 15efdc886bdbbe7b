"""The crisis detector on the frozen blind set: `./dev bench safety` (`python -m bench safety`).

Prints, once per model version: recall by kind, difficulty and language; false alarms on hard
negatives and on ordinary messages; how often hard negatives reach the `crisis` level; the
sequences read with context; then speed, start-up and memory. The first table is the one the
README shows between its `safety-blind` markers; CI recomputes it and fails when they differ.

Never tune on these figures: the blind set exists to say how the detector does on messages
nobody tuned it on. Side by side: the rules alone (the detector before the learned model).
"""

from __future__ import annotations

import gc
import resource
import statistics
import sys
import time
from collections.abc import Callable

from handlers.safety import CrisisResult, Level, detect_crisis
from handlers.safety import model as learned
from handlers.safety.context import in_context
from handlers.safety.corpus import Row, Sequence, blind_rows, blind_sequences
from handlers.safety.triage import rule_only

Detector = Callable[[str], CrisisResult]


def _rate(hits: list[bool]) -> float:
    return sum(hits) / len(hits) if hits else 0.0


def single_figures(rows: list[Row], detect: Detector) -> dict[str, float]:
    results = [(r, detect(r.text)) for r in rows]
    crisis = [(r, res) for r, res in results if r.crisis]
    out: dict[str, float] = {"recall": _rate([res.is_crisis for _, res in crisis])}
    for key, pick in (
        ("explicit", lambda r: r.difficulty == "explicit"),
        ("implicit", lambda r: r.difficulty == "implicit"),
        ("en", lambda r: r.lang == "en"),
        ("zh-HK", lambda r: r.lang == "zh-HK"),
        *((kind, (lambda k: lambda r: r.kind == k)(kind))
          for kind in ("suicide", "self_harm", "overdose", "medical", "violence")),
    ):
        out[f"recall {key}"] = _rate([res.is_crisis for r, res in crisis if pick(r)])
    hard = [res for r, res in results if r.difficulty == "hard"]
    ordinary = [res for r, res in results if r.difficulty == "ordinary"]
    out["false alarms, hard negatives"] = _rate([res.is_crisis for res in hard])
    out["false alarms, ordinary"] = _rate([res.is_crisis for res in ordinary])
    out["crisis level, hard negatives"] = _rate([res.level is Level.CRISIS for res in hard])
    out["crisis level, crisis messages"] = _rate([res.level is Level.CRISIS for _, res in crisis])
    return out


def sequence_figures(sequences: list[Sequence], detect: Detector, with_context: bool) -> dict[str, float]:
    """A sequence is caught when any of its messages is flagged, each read (with context) as the
    person sent them; a calm sequence is a false alarm when any message is flagged."""
    caught = []
    for s in sequences:
        flagged, earlier, scores = False, [], []
        for text in s.messages:
            alone = detect(text)
            found = in_context(text, earlier[-2:], alone, None, scores[-2:]) if with_context else alone
            if found.is_crisis:
                flagged = True
                break
            earlier.append(text)
            scores.append(alone.score)
        caught.append((s, flagged))
    return {
        "sequences caught": _rate([f for s, f in caught if s.crisis]),
        "calm sequences flagged": _rate([f for s, f in caught if not s.crisis]),
    }


def table(rows: list[Row], sequences: list[Sequence]) -> str:
    """The README's table: the rules alone and the detector, side by side, as percentages."""
    model = learned.load()
    version = model.version if model else "none"
    before = single_figures(rows, rule_only)
    after = single_figures(rows, detect_crisis)
    before.update(sequence_figures(sequences, rule_only, with_context=False))
    after.update(sequence_figures(sequences, detect_crisis, with_context=True))
    crisis, hard = sum(r.crisis for r in rows), sum(r.difficulty == "hard" for r in rows)
    lines = [
        f"Blind set: {len(rows)} messages ({crisis} crisis, {hard} hard negatives, "
        f"{len(rows) - crisis - hard} ordinary) and {len(sequences)} sequences; model {version}.",
        "",
        "| | rules alone (before) | rules + model + context (now) |",
        "|---|---|---|",
    ]
    for key in after:
        lines.append(f"| {key} | {before[key]:.1%} | **{after[key]:.1%}** |")
    return "\n".join(lines)


def speed(rows: list[Row]) -> str:
    texts = [r.text for r in rows]
    for text in texts[:20]:
        detect_crisis(text)
    times = []
    for text in texts:
        start = time.perf_counter()
        detect_crisis(text)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p99 = times[int(len(times) * 0.99) - 1]
    return (f"per message, one thread: p50 {statistics.median(times):.2f} ms, p99 {p99:.2f} ms, "
            f"max {times[-1]:.2f} ms over {len(times)} blind messages")


def startup() -> str:
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    learned.use(None)
    model = learned.load()
    if model is not None:
        model.embedder  # noqa: B018 - load the sentence encoder now, as start-up does
    took = time.perf_counter() - start
    added = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    return f"start-up: model and sentence encoder loaded in {took:.2f} s, peak memory +{added:.0f} MB"


def main(argv: list[str] | None = None) -> None:
    print(startup())
    rows, sequences = blind_rows(), blind_sequences()
    print(table(rows, sequences))
    print(speed(rows))


if __name__ == "__main__":
    main(sys.argv[1:])
