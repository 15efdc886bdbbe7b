"""One complete scheduler pass: plan due prompts, climb the ladder, follow-ups and summaries, drain the outbox."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from handlers.types import Runtime
from scheduler import followups, ladder, planner
from scheduler.outbox import Delivery

log = logging.getLogger(__name__)


@dataclass
class PassReport:
    prompts: int = 0
    escalations: int = 0
    followups: int = 0
    summaries: int = 0
    digests: int = 0
    sent: int = 0

    def __str__(self) -> str:
        return (f"prompts {self.prompts}, escalation steps {self.escalations}, follow-ups {self.followups}, "
                f"summaries {self.summaries}, partners' notes {self.digests}, sent {self.sent}")


def plan(rt: Runtime, now: datetime) -> PassReport:
    """Everything that decides what to send, as of `now` (no network)."""
    return PassReport(
        prompts=planner.plan_prompts(rt, now),
        escalations=ladder.climb(rt, now),
        followups=followups.send_followups(rt, now),
        summaries=followups.weekly_summaries(rt, now),
        digests=followups.partner_digests(rt, now),
    )


async def run_pass(rt: Runtime, delivery: Delivery | None, now: datetime | None = None) -> PassReport:
    """One complete pass as of `now` (default: the runtime's clock)."""
    report = plan(rt, now or rt.clock())
    if delivery is not None:
        report.sent = await delivery.drain()
    return report
