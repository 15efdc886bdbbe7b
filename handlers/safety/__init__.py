"""Crisis detection for English and Hong Kong Cantonese chat messages.

`detect_crisis(text, lang)` runs first on every typed message. It combines precise rules for
explicit phrasing (`rules/`, one module per kind) with a learned model trained on the labelled
corpus under `data/safety/` (`model.py`), and can read the person's last few messages together
(`context.py`). `triage.py` turns both into a level: `crisis`, `check` (ask "are you safe?") or
`none`.
"""

from __future__ import annotations

from handlers.safety.context import assess
from handlers.safety.normalisation import normalise
from handlers.safety.prefilter import can_match, needs
from handlers.safety.triage import detect_crisis
from handlers.safety.types import NOT_CRISIS, PRIORITY, CrisisKind, CrisisResult, Level

__all__ = [
    "NOT_CRISIS",
    "PRIORITY",
    "CrisisKind",
    "CrisisResult",
    "Level",
    "assess",
    "can_match",
    "detect_crisis",
    "needs",
    "normalise",
]
