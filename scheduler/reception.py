"""What a channel does with a message it received: handle it, then send the replies at once."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

from handlers.dispatch import dispatch
from handlers.types import Inbound, Runtime
from scheduler.outbox import Delivery, claim

log = logging.getLogger(__name__)


class Reception:
    """Handles inbound messages; with a Delivery, replies leave right away instead of at the next pass.

    The message is handled and its replies claimed in one trip to a worker thread (the database work
    is blocking); the channel answers its webhook as soon as that returns, and the sends continue in
    the background.
    """

    def __init__(self, rt: Runtime, delivery: Delivery | None = None) -> None:
        self.rt = rt
        self.delivery = delivery
        self._tasks: set[asyncio.Task] = set()

    async def receive(self, inbound: Inbound) -> None:
        """Handle one message (committed when this returns) and start sending its replies."""
        await self._then_send(inbound, lambda: dispatch(self.rt, inbound))

    async def flush(self, inbound: Inbound) -> None:
        """Send whatever is queued for this address now (e.g. an opt-out confirmation)."""
        await self._then_send(inbound, lambda: None)

    async def _then_send(self, inbound: Inbound, work) -> None:
        delivery = self.delivery
        if delivery is None or inbound.channel not in delivery.senders:
            await asyncio.to_thread(work)
            return

        def work_and_claim():
            work()
            return claim(self.rt.db, self.rt.clock(), channels=[inbound.channel], address=inbound.address,
                         lease=delivery.lease)

        rows = await asyncio.to_thread(work_and_claim)
        if rows:
            task = asyncio.ensure_future(self._send(rows))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _send(self, rows) -> None:
        queues = defaultdict(list)
        for row in rows:
            queues[(row.channel, row.address)].append(row)
        try:
            for queue in queues.values():
                await self.delivery.send_queue(queue)
        except Exception:
            log.exception("sending replies failed; the outbox will retry them after their lease")

    async def close(self) -> None:
        """Wait for replies being sent (the messages in hand) before stopping."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
