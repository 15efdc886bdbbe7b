"""Context: a message read together with the person's last few messages.

"nobody would even notice" means little alone and a great deal after "i've been saving my pills".
The conversation keeps the person's last CONTEXT_MESSAGES typed messages from the last
CONTEXT_WINDOW (handlers/dispatch.py stores them with the conversation state, only after consent,
and empties them after an alarm); `in_context` reads them with the new one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from handlers.safety import model as learned
from handlers.safety.normalisation import normalise
from handlers.safety.triage import _judge, _text_of, detect_crisis
from handlers.safety.types import NOT_CRISIS, CrisisResult, Level

CONTEXT_WINDOW = timedelta(minutes=30)
CONTEXT_MESSAGES = 2  # earlier messages read with the new one
SEPARATOR = "\n"  # the same joiner training used for sequences (handlers/safety/train.py)
# A window is read together only when one of its messages, read alone, reached this share of the
# check threshold: a run of plainly calm messages ("Sam", "9pm", "yes") costs nothing to read.
NOTICE = 0.5


def in_context(text: str, earlier: Sequence[str], alone: CrisisResult | None = None,
               lang: str | None = None, earlier_scores: Sequence[float] | None = None) -> CrisisResult:
    """A message read with the person's earlier messages (oldest first, at most two, within the
    context window): "nobody would even notice" after "i've been saving my pills". Reading them
    together can only raise the level (to `check`), never lower it."""
    alone = alone if alone is not None else detect_crisis(text, lang)
    model = learned.load()
    if alone.is_crisis or not earlier or model is None:
        return alone
    scores = [detect_crisis(t, lang).score for t in earlier] if earlier_scores is None else list(earlier_scores)
    if max([*scores, alone.score]) < NOTICE * model.check:
        return alone
    joined = SEPARATOR.join([*earlier, text])
    # Only a score at the crisis threshold can count, so the sentence encoder runs only when the n-grams
    # leave that possible (most of the time they do not, and reading context costs microseconds).
    together = _judge(joined, normalise(joined), model, floor=model.crisis, skip_below=model.context_skip_below)
    # Messages read together count only when the model is sure about the whole (the crisis
    # threshold): short answers in a row ("Ken", "Atlantis under the sea") must not add up to an
    # alarm. What they raise is the safety question, never more.
    if together.score < model.crisis:
        return alone
    return CrisisResult(Level.CHECK, together.kind, together.score, (*together.reasons, "context"))


def assess(text: object, lang: str | None = None, context: Sequence[str] = ()) -> CrisisResult:
    """A message with the earlier ones (oldest first; the last CONTEXT_MESSAGES are read)."""
    raw = _text_of(text)
    if not raw:
        return NOT_CRISIS
    return in_context(raw, list(context)[-CONTEXT_MESSAGES:], lang=lang)
