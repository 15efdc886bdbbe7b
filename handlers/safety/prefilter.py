"""A literal prefilter for regexes: the strings one of which any match must contain."""

from __future__ import annotations

import re
import re._parser as _sre_parser  # the standard library's own regex parser (sre_parse before 3.11)
from re import _constants as _sre

__all__ = ["can_match", "needs"]


def needs(pattern: str) -> frozenset[str] | None:
    """Strings at least one of which every match of `pattern` contains, or None if none can be named.

    Only characters a match must consume are named (literal runs, through groups, alternations and
    repeats of at least one), so a text that contains none of them cannot match: a plain substring
    test then skips the regex, which has to try every position of a long message. Most rules begin
    with a word boundary or a look-behind, which keeps the regex engine from skipping ahead itself.
    """
    parsed = _sre_parser.parse(pattern)
    return None if parsed.state.flags & re.IGNORECASE else _needs_in(parsed.data)


def _needs_in(items) -> frozenset[str] | None:
    best: frozenset[str] | None = None
    run: list[str] = []

    def consider(found: frozenset[str] | None) -> None:
        nonlocal best
        if found and (best is None or (min(map(len, found)), -len(found)) > (min(map(len, best)), -len(best))):
            best = found

    for op, av in items:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:  # anything else ends a literal run (conservatively, zero-width assertions too)
            consider(frozenset(["".join(run)]))
            run = []
        if op is _sre.SUBPATTERN and not av[1] & re.IGNORECASE:
            consider(_needs_in(av[3].data))
        elif op is _sre.BRANCH:
            branches = [_needs_in(branch.data) for branch in av[1]]
            if all(branches):  # every way through must name something
                consider(frozenset().union(*branches))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            consider(_needs_in(av[2].data))
        elif op is _sre.ATOMIC_GROUP:
            consider(_needs_in(av.data))
    if run:
        consider(frozenset(["".join(run)]))
    return best


def can_match(need: frozenset[str] | None, text: str) -> bool:
    return need is None or any(word in text for word in need)
