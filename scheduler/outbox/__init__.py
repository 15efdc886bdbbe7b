"""The sending side of the outbox: the Sender contract the channels implement, pacing, the recording of sends,
one failure policy, and the worker that drains the queue. The queue itself is data/outbox.py.

    sender.py   what a channel's sender does and raises
    pacing.py   rate limits, per channel and per recipient
    marks.py    sends recorded as they happen, group-committed
    policy.py   what happens to a message that failed: retry, drop, re-route, template
    worker.py   Delivery: claims, sends in order, renews its leases, takes over a dead worker's messages
"""

from scheduler.outbox.marks import Marks, write_sent
from scheduler.outbox.pacing import DEFAULT_LIMITS, RateLimit, TokenBucket
from scheduler.outbox.policy import MAX_ATTEMPTS, backoff
from scheduler.outbox.sender import (
    DeliveryError,
    RateLimited,
    RecipientUnreachable,
    Rejected,
    Sender,
    SendResult,
    TransientError,
)
from scheduler.outbox.worker import BATCH, LEASE, POLL_EVERY, RENEW_EVERY, Delivery, claim, drain

__all__ = [
    "BATCH", "DEFAULT_LIMITS", "LEASE", "MAX_ATTEMPTS", "POLL_EVERY", "RENEW_EVERY", "Delivery", "DeliveryError",
    "Marks", "RateLimit", "RateLimited", "RecipientUnreachable", "Rejected", "SendResult", "Sender", "TokenBucket",
    "TransientError", "backoff", "claim", "drain", "write_sent",
]
