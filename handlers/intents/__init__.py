"""What a typed message outside a question means: craving, check-in, slip, a hard day, thanks, a
greeting, progress, help, a setting, or nothing the bot should act on.

`understand(text, locale)` returns the intent, a setting's target and the model's confidence. The
crisis check always runs before this and always wins; this never sees a button press. Without a
trained artifact every message is `none`, so the bot still answers (with its short "I can help
with..." reply), it just understands less.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

INTENTS = ("craving", "checkin", "slip", "low_mood", "thanks", "greeting", "progress", "help", "settings", "none")
TARGETS = ("time", "zone", "quiet", "pause", "resume", "language", "any")


@dataclass(frozen=True, slots=True)
class Understood:
    intent: str  # one of INTENTS
    target: str | None  # for `settings`: one of TARGETS
    confidence: float  # the model's probability for `intent` (1.0 for an exact word, 0.0 when no model)
    likely: tuple[str, ...] = ()  # the likeliest actionable intents, best first (to offer when unsure)


NOTHING = Understood("none", None, 0.0)
# What the bot can do for someone, offered when it is unsure what they meant.
ACTIONABLE = ("checkin", "craving", "progress", "slip", "settings", "help")


# Short messages repeat across people ("hi", "thanks", "what's up?") and the reading is pure: remember them.
CACHED_CHARS = 500


def understand(text: str, locale: str = "en") -> Understood:
    """What the message means (the language is read from the text itself; `locale` is the person's)."""
    if not text or not text.strip():
        return NOTHING
    return _cached(text) if len(text) <= CACHED_CHARS else _read(text)


def _read(text: str) -> Understood:
    from handlers.intents.model import load

    model = load()
    return NOTHING if model is None else model.understand(text)


_cached = lru_cache(maxsize=8192)(_read)
