"""Recording sends: each sent message is marked sent as soon as it is sent, group-committed with the other
recipients' sends that finished in the same turn of the event loop (never only after a whole queue)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from data import outbox
from data.db import run_db

Sent = list[tuple[int, str | None]]  # (outbox id, the platform's id for it)


def write_sent(db: Engine, sent: Sent, at: datetime) -> None:
    """Record a batch of successful sends in one transaction."""
    # Through SQLAlchemy, not the prepared form: the outbox drain measured 94.9% of a 30/s limit with the
    # prepared form here against 97.0% with this one (the cause is not yet understood).
    with db.begin() as conn:
        outbox.mark_sent(conn, sent, at, prepared=False)


@dataclass
class Marks:
    """Finished sends to record (with the futures of the queues waiting for that)."""

    batch: list[tuple[Sent, asyncio.Future]]
    at: datetime

    @property
    def sent(self) -> Sent:
        return [s for done, _ in self.batch for s in done]

    def write(self, conn) -> None:
        """Record them on `conn`, in whatever transaction it is in."""
        outbox.mark_sent(conn, self.sent, self.at)

    def done(self) -> None:
        for _, future in self.batch:
            if not future.done():
                future.set_result(None)

    def failed(self, exc: BaseException) -> None:
        for _, future in self.batch:
            if not future.done():
                future.set_exception(exc)


@dataclass
class MarkBook:
    """The sends of one process waiting to be recorded, and the task recording them.

    A queue's sends are written with the next message handled (a caller takes them into its own
    transaction: `take`, then `settle`) or, if none comes in this turn of the loop, in a transaction of
    their own that also takes every other recipient's finished sends (a group commit).
    """

    db: Engine
    clock: Callable[[], datetime]
    _waiting: list[tuple[Sent, asyncio.Future]] = field(default_factory=list)
    _writing: asyncio.Task | None = None
    _due: asyncio.Handle | None = None

    async def record(self, done: Sent) -> None:
        """Record a recipient's sends; returns once they are committed. Returning only after the commit keeps
        each queue's order: the next claim for this recipient must not find these rows still in flight."""
        if not done:
            return
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((done, future))
        self._schedule()
        await future

    def take(self) -> Marks | None:
        """The sends waiting to be recorded, for a caller to write in a transaction it is about to make."""
        if not self._waiting:
            return None
        batch, self._waiting = self._waiting, []
        return Marks(batch, self.clock())

    def settle(self, marks: Marks | None, *, written: bool) -> None:
        """After the caller's transaction: wake the waiting queues, or take the marks back to write them."""
        if marks is None:
            return
        if written:
            marks.done()
        else:
            self._waiting[:0] = marks.batch
            self._schedule()

    def _schedule(self) -> None:
        """Write the waiting marks two turns of the loop from now, unless a message handled by then took
        them: sends finishing meanwhile join in. Plain callbacks, not a task per send, since most of the
        time a message does take them."""
        if self._waiting and self._due is None and (self._writing is None or self._writing.done()):
            loop = asyncio.get_running_loop()
            self._due = loop.call_soon(self._second_turn, loop)

    def _second_turn(self, loop: asyncio.AbstractEventLoop) -> None:
        self._due = loop.call_soon(self._start_writing)

    def _start_writing(self) -> None:
        self._due = None
        if self._waiting and (self._writing is None or self._writing.done()):
            self._writing = asyncio.ensure_future(self._write())

    async def _write(self) -> None:
        while (marks := self.take()) is not None:
            try:
                await run_db(self.db, write_sent, self.db, marks.sent, marks.at)
            except Exception as exc:  # noqa: BLE001 - each waiting queue gets the failure
                marks.failed(exc)
            else:
                marks.done()
