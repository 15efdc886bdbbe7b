"""What a channel does with a message it received: handle it, then send the replies at once."""

from __future__ import annotations

import asyncio
import logging

from data.db import run_db
from handlers.dispatch import dispatch
from handlers.types import Inbound, Runtime
from scheduler import failures
from scheduler.outbox import Delivery

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
        # One sending task per recipient in this process, so their messages leave in order: rows
        # claimed while it runs join its list, and a claim that found them still in flight is redone.
        self._waiting: dict[tuple[str, str], list] = {}
        self._recheck: set[tuple[str, str]] = set()
        self._fold_marks = rt.db.dialect.name == "sqlite"

    async def receive(self, inbound: Inbound) -> None:
        """Handle one message (committed when this returns) and start sending its replies.

        A message whose handling raises is tried again with backoff; after the last attempt it is kept
        as a dead letter, the person gets an apology, and this returns normally so that the channel
        moves on (a poll's offset advances, a webhook answers 200): one bad update blocks nobody.
        """
        for attempt in range(1, failures.ATTEMPTS + 1):
            try:
                await self._receive(inbound)
                return
            except Exception as exc:  # noqa: BLE001 - any failure of one message is that message's
                final = attempt == failures.ATTEMPTS
                await run_db(self.rt.db, failures.record, self.rt, inbound, exc, final=final)
                if final:
                    await self.flush(inbound)  # the apology
                    return
                await asyncio.sleep(failures.BACKOFF_SECONDS[attempt - 1])

    async def _receive(self, inbound: Inbound) -> None:
        if not self._sends(inbound):
            await run_db(self.rt.db, dispatch, self.rt, inbound)
            return
        # The replies are leased in the same transaction that wrote them, and on SQLite earlier replies
        # that went out meanwhile are recorded in it too: one trip, one commit. Not on PostgreSQL,
        # where messages are handled side by side: two transactions each recording a reply to the
        # other's chat, then claiming their own, would wait on each other.
        marks = self.delivery.take_marks() if self._fold_marks else None
        try:
            result = await run_db(self.rt.db, dispatch, self.rt, inbound, claim_for=self.delivery.claimant,
                                  also=marks.write if marks else None)
        except BaseException:
            self.delivery.settle_marks(marks, written=False)
            raise
        self.delivery.settle_marks(marks, written=not result.duplicate)
        self._start((inbound.channel, inbound.address), self.delivery.hold(result.claimed),
                    expected=bool(result.replies))
        for channel, address in result.others:  # an alert to the clinician leaves now, not at the next pass
            if channel in self.delivery.senders:
                self._start((channel, address), [], expected=True)

    async def flush(self, inbound: Inbound) -> None:
        """Send whatever is queued for this address now (e.g. an opt-out confirmation)."""
        if self._sends(inbound):
            self._start((inbound.channel, inbound.address),
                        await self.delivery.claim(channels=[inbound.channel], address=inbound.address, aside=False))

    def _sends(self, inbound: Inbound) -> bool:
        return self.delivery is not None and inbound.channel in self.delivery.senders

    def _start(self, key: tuple[str, str], rows, *, expected: bool = False) -> None:
        """Send `rows` to the recipient `key`; with `expected` (there are messages for them), claim again if
        none came back."""
        if key in self._waiting:
            self._waiting[key].extend(rows)
            self._recheck.add(key)
            return
        if rows or expected:
            # Replies that were not claimed were behind an earlier message still being recorded as
            # sent (on PostgreSQL, in another thread): claim them again once this task runs.
            self._waiting[key] = list(rows)
            if not rows:
                self._recheck.add(key)
            task = asyncio.ensure_future(self._run(key))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self, key: tuple[str, str]) -> None:
        batch: list = []
        try:
            while True:
                batch, self._waiting[key] = self._waiting[key], []
                if not batch and key in self._recheck:
                    self._recheck.discard(key)
                    batch = await self.delivery.claim(channels=[key[0]], address=key[1], aside=False)
                if not batch:
                    if self._waiting[key] or key in self._recheck:
                        continue  # rows handed over while that claim ran (it yields on PostgreSQL)
                    return
                await self.delivery.send_queue(sorted(batch, key=lambda r: r.id))
        except Exception:
            log.exception("sending replies failed; the outbox will retry them after their lease")
            # No longer renewed: their lease runs out and any worker takes them.
            self.delivery.release(batch + self._waiting.get(key, []))
        finally:
            self._waiting.pop(key, None)
            self._recheck.discard(key)

    async def close(self) -> None:
        """Wait for replies being sent (the messages in hand) before stopping."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
