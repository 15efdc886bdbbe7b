"""The labelled messages: reading, checking, near-duplicates and the floor every cell must reach.

The corpus (`data/safety/corpus/*.jsonl`) trains the model; the blind set (`tests/safety/blind/`)
judges it and is never trained or tuned on. Both follow `data/safety/POLICY.md`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "data" / "safety" / "corpus"
BLIND = ROOT / "tests" / "safety" / "blind"

LANGS = ("en", "zh-HK")
CRISIS_KINDS = ("suicide", "self_harm", "overdose", "medical", "violence")
NONE_KINDS = ("idiom", "past", "helping", "medication", "media", "hard_day", "craving", "slip", "flow", "chat")
DIFFICULTY = {"crisis": ("explicit", "implicit"), "none": ("hard", "ordinary")}
# Two texts whose character 5-gram sets overlap more than this are one message written twice.
NEAR_DUPLICATE = 0.8


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    lang: str
    label: str
    kind: str
    difficulty: str
    pair: str | None
    writer: str
    source: str  # file name, for messages about a bad line

    @property
    def crisis(self) -> bool:
        return self.label == "crisis"

    @property
    def group(self) -> str:
        """Rows that must stay on one side of a cross-validation split (a contrasting pair)."""
        return f"pair:{self.pair}" if self.pair else f"text:{self.text}"


@dataclass(frozen=True, slots=True)
class Sequence:
    messages: tuple[str, ...]
    lang: str
    label: str
    kind: str
    writer: str
    source: str

    @property
    def crisis(self) -> bool:
        return self.label == "crisis"


class CorpusError(ValueError):
    pass


def _check(row: dict, where: str, *, sequence: bool = False) -> None:
    if row.get("lang") not in LANGS:
        raise CorpusError(f"{where}: lang must be one of {LANGS}")
    label, kind = row.get("label"), row.get("kind")
    if label not in DIFFICULTY:
        raise CorpusError(f"{where}: label must be crisis or none")
    kinds = CRISIS_KINDS if label == "crisis" else NONE_KINDS
    if kind not in kinds:
        raise CorpusError(f"{where}: kind {kind!r} is not one of {kinds}")
    if not sequence and row.get("difficulty") not in DIFFICULTY[label]:
        raise CorpusError(f"{where}: difficulty must be one of {DIFFICULTY[label]}")
    if not row.get("writer"):
        raise CorpusError(f"{where}: writer is missing")


def _records(paths: Iterable[Path]):
    """(file name, "file:line", parsed object) for every non-blank line; a bad line names itself."""
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{n}"
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"{where}: not JSON ({exc.msg})") from None
            if not isinstance(raw, dict):
                raise CorpusError(f"{where}: not a JSON object")
            yield path.name, where, raw


def read_rows(paths: Iterable[Path]) -> list[Row]:
    rows = []
    for name, where, raw in _records(paths):
        if not isinstance(raw.get("text"), str) or not raw["text"].strip():
            raise CorpusError(f"{where}: text is missing")
        _check(raw, where)
        rows.append(Row(raw["text"], raw["lang"], raw["label"], raw["kind"], raw["difficulty"],
                        raw.get("pair"), raw["writer"], name))
    return rows


def read_sequences(paths: Iterable[Path]) -> list[Sequence]:
    out = []
    for name, where, raw in _records(paths):
        messages = raw.get("messages")
        if not isinstance(messages, list) or not 2 <= len(messages) <= 3 or not all(
                isinstance(m, str) and m.strip() for m in messages):
            raise CorpusError(f"{where}: messages must be two or three texts")
        _check(raw, where, sequence=True)
        out.append(Sequence(tuple(messages), raw["lang"], raw["label"], raw["kind"], raw["writer"], name))
    return out


def corpus_rows(folder: Path = CORPUS) -> list[Row]:
    return read_rows(sorted(folder.glob("*.jsonl")))


def corpus_sequences(folder: Path = CORPUS) -> list[Sequence]:
    return read_sequences(sorted((folder / "sequences").glob("*.jsonl")))


def blind_rows(folder: Path = BLIND) -> list[Row]:
    return read_rows(sorted(p for p in folder.glob("*.jsonl") if not p.name.endswith("-sequences.jsonl")))


def blind_sequences(folder: Path = BLIND) -> list[Sequence]:
    return read_sequences(sorted(folder.glob("*-sequences.jsonl")))


def shingles(text: str, n: int = 5) -> frozenset[str]:
    t = " ".join(text.lower().split())
    return frozenset(t[i:i + n] for i in range(max(1, len(t) - n + 1)))


def near_duplicates(texts: list[str], threshold: float = NEAR_DUPLICATE) -> list[tuple[int, int, float]]:
    """Pairs (i, j, jaccard) of texts whose 5-gram sets overlap above `threshold`, i < j (exact)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    vocab: dict[str, int] = {}
    indptr, indices = [0], []
    for t in texts:
        indices.extend(vocab.setdefault(g, len(vocab)) for g in sorted(shingles(t)))
        indptr.append(len(indices))
    x = csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr), shape=(len(texts), len(vocab)))
    sizes = np.diff(x.indptr).astype(np.float64)
    found = []
    for start in range(0, len(texts), 512):
        inter = (x[start:start + 512] @ x.T).toarray()
        union = sizes[start:start + 512, None] + sizes[None, :] - inter
        jac = np.divide(inter, union, out=np.zeros_like(inter, dtype=np.float64), where=union > 0)
        for a, j in zip(*np.nonzero(jac > threshold), strict=True):
            i = start + int(a)
            if i < j:
                found.append((i, int(j), float(jac[a, j])))
    return found


def cells(rows: list[Row]) -> Counter[tuple[str, str, str]]:
    return Counter((r.kind, r.difficulty, r.lang) for r in rows)


# The floor for each kind x difficulty x language cell of the corpus: every cell the policy
# allows must hold at least this many messages (explicit and implicit crisis of every kind,
# hard negatives of every kind, ordinary messages of the kinds people type every day).
FLOORS: dict[tuple[str, str], int] = {
    **{(k, "explicit"): 40 for k in CRISIS_KINDS},
    **{(k, "implicit"): 25 for k in CRISIS_KINDS},
    ("suicide", "implicit"): 120,
    ("overdose", "implicit"): 50,
    **{(k, "hard"): 15 for k in ("idiom", "past", "helping", "medication", "media", "hard_day", "craving")},
    ("idiom", "hard"): 60,
    ("past", "hard"): 40,
    ("hard_day", "hard"): 40,
    ("slip", "hard"): 10,
    **{(k, "ordinary"): 15 for k in ("flow", "chat", "craving", "slip")},
    ("flow", "ordinary"): 40,
}


def floor_report(rows: list[Row]) -> list[tuple[str, str, str, int, int]]:
    """(kind, difficulty, lang, count, floor) for every cell with a floor."""
    have = cells(rows)
    return [(k, d, lang, have[(k, d, lang)], floor)
            for (k, d), floor in FLOORS.items() for lang in LANGS]


def composition(rows: list[Row]) -> dict[str, float | int]:
    crisis = [r for r in rows if r.crisis]
    hard = [r for r in rows if r.difficulty == "hard"]
    pairs = Counter(r.pair for r in rows if r.pair)
    return {
        "messages": len(rows),
        "zh_share": sum(r.lang == "zh-HK" for r in rows) / len(rows),
        "crisis": len(crisis),
        "implicit_share": sum(r.difficulty == "implicit" for r in crisis) / max(1, len(crisis)),
        "hard_negatives": len(hard),
        "paired_hard_share": sum(1 for r in hard if r.pair and pairs[r.pair] == 2) / max(1, len(hard)),
        "ordinary": sum(r.difficulty == "ordinary" for r in rows),
    }


@dataclass
class Report:
    ok: bool
    text: str


# What the corpus as a whole must be (issue 10): size, languages, implicit crises, hard negatives.
MINIMUM = {"messages": 4500, "zh_share": 0.30, "implicit_share": 0.40}


def check(rows: list[Row], sequences: list[Sequence]) -> Report:
    """Composition, floors, pairs and near-duplicates; `ok` is false when any of them fails."""
    lines, ok = [], True
    comp = composition(rows)
    lines.append(f"{comp['messages']} messages, {len(sequences)} sequences; zh-HK {comp['zh_share']:.0%}; "
                 f"crisis {comp['crisis']} ({comp['implicit_share']:.0%} implicit); hard negatives "
                 f"{comp['hard_negatives']} ({comp['paired_hard_share']:.0%} paired); ordinary {comp['ordinary']}")
    for key, floor in MINIMUM.items():
        if comp[key] < floor:
            ok = False
            lines.append(f"FAIL {key} is {comp[key]}, below {floor}")
    if comp["hard_negatives"] < comp["crisis"]:
        ok = False
        lines.append("FAIL fewer hard negatives than crisis messages")
    if comp["paired_hard_share"] < 0.5:
        ok = False
        lines.append("FAIL under half of the hard negatives are in contrasting pairs")
    pairs: dict[str, list[Row]] = {}
    for r in rows:
        if r.pair:
            pairs.setdefault(r.pair, []).append(r)
    broken = [p for p, members in pairs.items()
              if len(members) != 2 or {m.label for m in members} != {"crisis", "none"}]
    if broken:
        ok = False
        lines.append(f"FAIL {len(broken)} pair ids without exactly one crisis and one none: {broken[:5]}")
    lines.append(f"{'kind':<11} {'difficulty':<9} {'lang':<6} {'count':>5} {'floor':>5}")
    for kind, diff, lang, count, floor in floor_report(rows):
        mark = "" if count >= floor else "  FAIL"
        ok = ok and count >= floor
        lines.append(f"{kind:<11} {diff:<9} {lang:<6} {count:>5} {floor:>5}{mark}")
    dups = duplicates(rows)
    if dups:
        ok = False
        lines.append(f"FAIL {len(dups)} near-duplicate pairs (5-gram Jaccard > {NEAR_DUPLICATE}), e.g. "
                     + "; ".join(f"{rows[i].source} / {rows[j].source}" for i, j, _ in dups[:3]))
    return Report(ok, "\n".join(lines))


def duplicates(rows: list[Row]) -> list[tuple[int, int, float]]:
    """Near-duplicates, except the two halves of a contrasting pair (alike on purpose)."""
    return [(i, j, s) for i, j, s in near_duplicates([r.text for r in rows])
            if not (rows[i].pair and rows[i].pair == rows[j].pair)]


def dedupe(folder: Path = CORPUS) -> int:
    """Drop near-duplicates in place, keeping the first in file order; a pair that loses a member
    loses its id. Returns how many went."""
    paths = sorted(folder.glob("*.jsonl"))
    rows = read_rows(paths)
    dropped = [rows[j] for j in sorted({j for _, j, _ in duplicates(rows)})]
    drop = {(r.source, r.text) for r in dropped}
    orphaned = {r.pair for r in dropped if r.pair}
    for path in paths:
        kept = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if (path.name, row["text"]) in drop:
                continue
            if row.get("pair") in orphaned:
                row["pair"] = None
            kept.append(json.dumps(row, ensure_ascii=False))
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return len(drop)
