"""Pictures sent in chat: drawn when sent, off the event loop, a few at a time; and WhatsApp's links to them.

The outbox keeps only what to draw (an attachment's `chart`, "progress:<person id>:<as-of instant>"), never
the picture: ten thousand weekly charts would be hundreds of megabytes of rows. A channel's sender asks
`picture()` for the bytes when it sends. The month is read from the database in a thread, and drawn in a separate worker
process (one less than the machine's cores; a thread would share the interpreter's lock with the event loop),
behind a semaphore, so a Sunday of charts never holds up the replies to people writing in at that moment.

Twilio takes WhatsApp media only by URL, so a picture for WhatsApp gets a link of its own: an unguessable token
(only its hash is stored) under PUBLIC_BASE_URL/media/, that needs no session and stops working after
MEDIA_VALID. The picture is drawn when Twilio fetches it.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import os
import secrets
import weakref
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta

from sqlmodel import Session, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from data.content import Content
from data.db import run_db
from data.models import MediaLink, Person
from handlers import progress
from handlers.progress import Progress
from handlers.types import Runtime

MEDIA_VALID = timedelta(hours=24)
MEDIA_PATH = "/media"
DRAWING_AT_ONCE = max(1, (os.cpu_count() or 2) - 1)  # worker processes drawing; replies keep a core

_drawing: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()
_pool: ProcessPoolExecutor | None = None
_worker_content: dict[str, Content] = {}


class NoPicture(Exception):
    """The picture cannot be drawn (the person is gone, or no font for their language): send the words alone."""


def _semaphore() -> asyncio.Semaphore:
    """This event loop's limit on pictures drawn at once."""
    loop = asyncio.get_running_loop()
    if loop not in _drawing:
        _drawing[loop] = asyncio.Semaphore(DRAWING_AT_ONCE)
    return _drawing[loop]


def _parse(chart: str) -> tuple[int, datetime]:
    kind, _, rest = chart.partition(":")
    person_id, _, at = rest.partition(":")
    if kind != "progress" or not person_id.isdigit():
        raise NoPicture(f"unknown chart {kind!r}")
    try:
        return int(person_id), datetime.fromisoformat(at)
    except ValueError as exc:
        raise NoPicture("unreadable chart") from exc


def load(rt: Runtime, chart: str) -> tuple[Progress, str]:
    """What a chart reference shows, and in which language (reads the database: call it in a thread)."""
    person_id, at = _parse(chart)
    with Session(rt.db) as session:
        found = progress.load(session, person_id, at)
        person = session.get(Person, person_id)
    if found is None or person is None:
        raise NoPicture("nobody to draw")
    return found, person.locale


def render(content_root: str, found: Progress, locale: str) -> bytes:
    """Draw in a worker process (each keeps its own loaded content); NoPicture without a font for the language."""
    from bot import progress_chart

    if content_root not in _worker_content:
        _worker_content[content_root] = Content(content_root)
    try:
        return progress_chart.render(found, _worker_content[content_root], locale)
    except progress_chart.MissingFont as exc:
        raise NoPicture(str(exc)) from exc


def draw(rt: Runtime, chart: str) -> bytes:
    """The picture a chart reference names, as PNG, drawn here and now (blocking; for tools and tests)."""
    found, locale = load(rt, chart)
    return render(str(rt.content.root), found, locale)


def _executor() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:  # spawned, not forked: this process has threads (the event loop's, the database's)
        _pool = ProcessPoolExecutor(max_workers=DRAWING_AT_ONCE, mp_context=multiprocessing.get_context("spawn"))
    return _pool


async def draw_async(rt: Runtime, chart: str) -> bytes:
    """The picture, read in a thread and drawn in a worker process, a few at a time."""
    async with _semaphore():
        found, locale = await run_db(rt.db, load, rt, chart)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_executor(), render, str(rt.content.root), found, locale)


async def picture(rt: Runtime, attachment: Mapping[str, str]) -> bytes:
    """An attachment's bytes: its content, or its chart drawn now (in a thread, a few at a time)."""
    chart = attachment.get("chart")
    if not chart:
        return attachment.get("content", "").encode()
    return await draw_async(rt, chart)


# -- WhatsApp's links ---------------------------------------------------------------------------------------------
def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_link(session: Session, person_id: int, chart: str, now: datetime) -> str:
    """A new link's token for a picture of this person's (valid MEDIA_VALID from `now`)."""
    token = secrets.token_urlsafe(32)
    session.add(MediaLink(token_hash=_hash(token), person_id=person_id, chart=chart, created_at=now,
                          expires_at=now + MEDIA_VALID))
    return token


class MediaRoutes:
    """GET /media/{token}: the picture behind a live link (404 for an unknown token, 410 once expired)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def routes(self) -> list[Route]:
        return [Route(MEDIA_PATH + "/{token}", self.fetch, methods=["GET", "HEAD"])]

    async def fetch(self, request: Request) -> Response:
        token = request.path_params["token"]
        now = self.rt.clock()
        headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
                   "Referrer-Policy": "no-referrer"}

        def look() -> tuple[str, str | None]:
            with Session(self.rt.db) as session:
                found = session.exec(select(MediaLink).where(MediaLink.token_hash == _hash(token))).first()
                if found is None:
                    return "unknown", None
                if found.expires_at <= now:
                    return "expired", None
                found.fetches += 1
                chart = found.chart
                session.commit()
                return "ok", chart

        if len(token) > 100:
            return Response(status_code=404, headers=headers)
        outcome, chart = await run_db(self.rt.db, look)
        if chart is None:
            return Response(status_code=410 if outcome == "expired" else 404, headers=headers)
        try:
            png = await draw_async(self.rt, chart)
        except NoPicture:
            return Response(status_code=404, headers=headers)
        return Response(png, media_type="image/png", headers=headers)
