"""Pacing: each channel's rate limit, overall and per recipient, as token buckets a platform can pause."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field


class TokenBucket:
    """At most `rate` sends per second on average, with bursts up to `burst`; can be told to pause."""

    def __init__(self, rate: float, burst: float = 1.0) -> None:
        # A burst of one by default: a bucket that can burst `rate` and refill `rate` per second
        # lets twice the limit through in a rolling second, which is exactly what earns a 429.
        self.rate = rate
        self.capacity = burst
        self.tokens = self.capacity
        self.updated = time.monotonic()
        self.paused_until = 0.0
        self.lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self.lock:
            while True:
                now = time.monotonic()
                if now < self.paused_until:
                    await asyncio.sleep(self.paused_until - now)
                    continue
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                await asyncio.sleep((1 - self.tokens) / self.rate)

    def pause(self, seconds: float) -> None:
        self.paused_until = max(self.paused_until, time.monotonic() + seconds)
        self.tokens = 0
        self.updated = self.paused_until  # refill starts when the pause ends, not before


@dataclass(frozen=True)
class RateLimit:
    per_second: float
    per_recipient_per_second: float | None = None
    recipient_burst: float = 3


DEFAULT_LIMITS = {
    "telegram": RateLimit(30, per_recipient_per_second=1),
    "whatsapp": RateLimit(10),
}

IDLE_RECIPIENTS_KEPT = 10_000


@dataclass
class Pacer:
    """The buckets of one process: one per channel, one per recipient where the channel limits that too."""

    limits: dict[str, RateLimit]
    _channels: dict[str, TokenBucket] = field(default_factory=dict)
    _recipients: dict[tuple[str, str], TokenBucket] = field(default_factory=dict)

    async def wait_turn(self, channel: str, address: str) -> None:
        """Return when a message to `address` on `channel` may go."""
        limit = self.limits.get(channel)
        if limit is None:
            return
        if limit.per_recipient_per_second is not None:
            key = (channel, address)
            if key not in self._recipients:
                if len(self._recipients) > IDLE_RECIPIENTS_KEPT:
                    self._recipients.clear()  # idle chats' buckets are full anyway
                self._recipients[key] = TokenBucket(limit.per_recipient_per_second, limit.recipient_burst)
            await self._recipients[key].acquire()
        await self.channel(channel).acquire()

    def channel(self, channel: str) -> TokenBucket:
        if channel not in self._channels:
            self._channels[channel] = TokenBucket(self.limits[channel].per_second)
        return self._channels[channel]

    def pause(self, channel: str, seconds: float) -> None:
        """The platform asked this channel to slow down."""
        if channel in self.limits:
            self.channel(channel).pause(seconds)
