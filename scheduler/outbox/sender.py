"""The contract between the outbox and a channel: what a sender does, and what it raises when a send fails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from data.models import Outbox


class DeliveryError(Exception):
    """A send did not go through."""


class TransientError(DeliveryError):
    """Network trouble or a server error: try again later."""


class RateLimited(DeliveryError):
    """The platform asked us to wait this many seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after}s")
        self.retry_after = retry_after


class RecipientUnreachable(DeliveryError):
    """The address cannot receive messages (blocked the bot, never started it, invalid number)."""

    def __init__(self, address: str, reason: str = "") -> None:
        super().__init__(reason or "unreachable")
        self.address = address
        self.reason = reason


class Rejected(DeliveryError):
    """The platform refused this message as malformed; sending it again would fail the same way."""


@dataclass(frozen=True)
class SendResult:
    provider_id: str | None = None


class Sender(Protocol):
    """One channel's way out (console, Telegram, WhatsApp). bot/channels implements it."""

    channel: str

    async def send(self, message: Outbox) -> SendResult: ...
