"""What a safety check answers: a level, the kind of danger, a score and the reasons behind it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["PRIORITY", "CrisisKind", "CrisisResult", "Level"]


class CrisisKind(StrEnum):
    SUICIDE = "suicide"
    SELF_HARM = "self_harm"
    OVERDOSE = "overdose"
    MEDICAL = "medical"
    VIOLENCE = "violence"


class Level(StrEnum):
    """`crisis`: resources and an urgent alert at once. `check`: resources and "are you safe?"."""

    CRISIS = "crisis"
    CHECK = "check"
    NONE = "none"


# When one message matches several kinds, report the one needing the fastest response:
# an ingested overdose needs an ambulance even if the message also voices suicidal intent.
PRIORITY = (
    CrisisKind.OVERDOSE,
    CrisisKind.SUICIDE,
    CrisisKind.SELF_HARM,
    CrisisKind.VIOLENCE,
    CrisisKind.MEDICAL,
)


@dataclass(frozen=True)
class CrisisResult:
    level: Level = Level.NONE
    kind: CrisisKind | None = None
    # The learned model's probability that the message (or its recent context) signals danger now.
    score: float = 0.0
    # Why: "rule:<kind>", "model", "context"; never the message's words.
    reasons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (self.level is Level.NONE) != (self.kind is None):
            raise ValueError("kind must be set exactly when the level is crisis or check")

    @property
    def is_crisis(self) -> bool:
        return self.level is not Level.NONE


NOT_CRISIS = CrisisResult()
