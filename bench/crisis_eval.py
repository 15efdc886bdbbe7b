"""Score handlers.safety.detect_crisis against the labelled cases in tests/handlers/crisis_cases.tsv."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from handlers.safety import CrisisKind, detect_crisis

CASES = Path(__file__).resolve().parent.parent / "tests" / "handlers" / "crisis_cases.tsv"
HELD_OUT_MARKER = "# held-out"
KINDS = {k.value for k in CrisisKind}


@dataclass(frozen=True)
class Case:
    line: int
    kind: str | None  # None for "none"
    known_miss: bool  # labelled "kind?": a real crisis the detector is known not to catch
    lang: str
    text: str
    held_out: bool
    section: int = 0  # 0 for tuning rows; n for rows after the n-th "# held-out" header


def load_cases(path: Path = CASES) -> list[Case]:
    cases: list[Case] = []
    held_out = False
    section = 0
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.strip().lower().startswith(HELD_OUT_MARKER):
            held_out = True
            section += 1
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) != 3:
            raise ValueError(f"{path}:{number}: expected 3 tab-separated columns, got {len(parts)}")
        label, lang, text = parts
        known_miss = label.endswith("?")
        label = label.rstrip("?")
        if label != "none" and label not in KINDS:
            raise ValueError(f"{path}:{number}: unknown kind {label!r}")
        if lang not in ("en", "zh"):
            raise ValueError(f"{path}:{number}: unknown lang {lang!r}")
        if known_miss and label == "none":
            raise ValueError(f"{path}:{number}: only crisis rows can be known misses")
        kind = None if label == "none" else label
        cases.append(Case(number, kind, known_miss, lang, text, held_out, section))
    return cases


@dataclass
class Tally:
    crises: int = 0
    detected: int = 0
    kind_right: int = 0
    negatives: int = 0
    false_pos: int = 0

    def add(self, case: Case, is_crisis: bool, kind: str | None) -> None:
        if case.kind is None:
            self.negatives += 1
            self.false_pos += is_crisis
        else:
            self.crises += 1
            if is_crisis:
                self.detected += 1
                self.kind_right += kind == case.kind

    def line(self, name: str) -> str:
        def pct(a: int, b: int) -> str:
            return f"{100 * a / b:5.1f}% ({a}/{b})" if b else "   n/a"

        return (
            f"{name:<16} recall {pct(self.detected, self.crises)}  "
            f"kind acc {pct(self.kind_right, self.detected)}  "
            f"FP rate {pct(self.false_pos, self.negatives)}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=Path, default=CASES)
    args = parser.parse_args(argv)

    cases = load_cases(args.cases)
    groups: dict[str, Tally] = {}
    misses: list[tuple[Case, str | None]] = []
    wrong_kind: list[tuple[Case, str | None]] = []
    false_pos: list[tuple[Case, str | None]] = []
    worst = 0.0
    for case in cases:
        start = time.perf_counter()
        result = detect_crisis(case.text, case.lang)
        worst = max(worst, time.perf_counter() - start)
        kind = None if result.kind is None else str(result.kind)
        split = "held-out" if case.held_out else "tuning"
        names = ["overall", f"overall/{case.lang}", split, f"{split}/{case.lang}"]
        if case.section:
            names += [f"held-out #{case.section}", f"held-out #{case.section}/{case.lang}"]
        for name in names:
            groups.setdefault(name, Tally()).add(case, result.is_crisis, kind)
        if case.kind is None and result.is_crisis:
            false_pos.append((case, kind))
        elif case.kind is not None and not result.is_crisis:
            misses.append((case, kind))
        elif case.kind is not None and kind != case.kind:
            wrong_kind.append((case, kind))

    known = [c for c in cases if c.known_miss]
    print(
        f"cases: {len(cases)} ({sum(c.kind is not None for c in cases)} crises, "
        f"{sum(c.kind is None for c in cases)} not crises, {len(known)} known misses, "
        f"{sum(c.held_out for c in cases)} held out)"
    )
    order = [
        "overall",
        "overall/en",
        "overall/zh",
        "tuning",
        "tuning/en",
        "tuning/zh",
        "held-out",
        "held-out/en",
        "held-out/zh",
    ]
    for section in sorted({c.section for c in cases if c.section}):
        order += [f"held-out #{section}", f"held-out #{section}/en", f"held-out #{section}/zh"]
    for name in order:
        if name in groups:
            print(groups[name].line(name))
    print(f"slowest single call: {worst * 1000:.3f} ms")
    texts = [c.text for c in cases]
    start = time.perf_counter()
    for _ in range(5):
        for text in texts:
            detect_crisis(text)
    mean = (time.perf_counter() - start) / (5 * len(texts))
    calm = [c.text for c in cases if c.kind is None and c.lang == "en"]
    long_text = " ".join(calm[n % len(calm)] for n in range(40))[:1000].rsplit(" ", 1)[0]  # a long diary entry
    start = time.perf_counter()
    for _ in range(50):
        detect_crisis(long_text)
    print(f"mean per call over the cases: {mean * 1000:.3f} ms; a {len(long_text)}-character message with no "
          f"crisis in it: {(time.perf_counter() - start) / 50 * 1000:.3f} ms")

    def show(title: str, rows: list[tuple[Case, str | None]]) -> None:
        print(f"\n{title}: {len(rows)}")
        for case, got in rows:
            label = (case.kind or "none") + ("?" if case.known_miss else "")
            tag = " [held-out]" if case.held_out else ""
            print(
                f"  line {case.line:>4} {case.lang} expected {label:<10} got {got or 'none':<10}"
                f" {case.text}{tag}"
            )

    show("misses (crises not detected, known misses included)", misses)
    show("wrong kind (detected, other kind)", wrong_kind)
    show("false positives (none rows flagged)", false_pos)
    return 0


if __name__ == "__main__":
    sys.exit(main())
