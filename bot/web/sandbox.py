"""The sandbox in the browser: three phones (client, partner, clinician), a clock bar and the clinician's dashboard,
one world per visitor.

Each browser session gets its own world (bot/channels/sandbox.py: its own SQLite file and clock), found by an
opaque cookie; an idle world is removed after IDLE, and at most `max_worlds` live at once (a clear page says so
when full). Everything a phone does goes through the real dispatch, outbox and scheduler passes. The page follows
its world live: a server-sent event tells it the world changed (a message was sent, the clock moved), and a small
script of ours (static/sandbox.js) fetches the world's fragment and swaps the parts that changed, leaving what is being typed alone.
Without JavaScript every form still works, by a full page load.

The world's clinician has the real dashboard (bot/web/dashboard.py) under /sandbox/dashboard, signed in for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from bot import media
from bot.channels.sandbox import LINK, ROLES, STYLES, Bubble, Decision, World
from bot.channels.sandbox_stories import STORIES, play
from bot.channels.telegram import keyboard, split_text
from bot.channels.whatsapp import render_options
from bot.web.dashboard import Dashboard
from bot.web.pages import HEADERS, HERE, step_text, templates
from data.content import Content
from data.db import make_engine, run_db, upgrade
from handlers import dashboard

COOKIE = "rb_sandbox"
IDLE = timedelta(hours=2)
CLINIC_ZONE = ZoneInfo("Asia/Hong_Kong")
FORWARD = {"clinician": "client", "client": "partner"}  # where an invitation link on a phone is taken
STREAM_FOR = 55.0  # seconds one event stream stays open; the browser reconnects (and catches up) at once
KEEPALIVE = 15.0
DASHBOARD = "/sandbox/dashboard"
WHY_SHOWN = 40  # the newest decisions shown (a story's two weeks hold a hundred)
WHY = ("prompt", "followup", "summary", "digest", "held")  # decisions told in the sandbox's words (the rest: the dashboard's)

Action = Callable[[World], Awaitable[object]]


def today_at_ten() -> datetime:
    """Where a new world's clock starts: 10:00 today in Hong Kong, so the first check-in prompt is tonight."""
    local = datetime.now(CLINIC_ZONE).replace(hour=10, minute=0, second=0, microsecond=0)
    return local.astimezone(UTC)


class Sandbox:
    """The sandbox's routes and its worlds."""

    def __init__(self, *, content: Content | None = None, max_worlds: int = 20, root: Path | None = None,
                 start: Callable[[], datetime] = today_at_ten) -> None:
        self.content = content or Content()
        self.max_worlds = max_worlds
        self.root = root or Path(tempfile.mkdtemp(prefix="recovery-sandbox-"))
        self.start = start
        self.worlds: dict[str, tuple[World, float]] = {}
        self.locks: dict[str, asyncio.Lock] = {}
        self.dashboards: dict[str, Starlette] = {}
        self.env = templates()
        self._template_db: Path | None = None

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/sandbox", self.page),
            Route("/sandbox/world", self.fragment),
            Route("/sandbox/events", self.events),
            Route("/sandbox/{role}/say", self.say, methods=["POST"]),
            Route("/sandbox/{role}/tap", self.tap, methods=["POST"]),
            Route("/sandbox/{role}/forward", self.forward, methods=["POST"]),
            Route("/sandbox/{role}/language", self.language, methods=["POST"]),
            Route("/sandbox/{role}/style", self.style, methods=["POST"]),
            Route("/sandbox/{role}/file/{n:int}", self.file),
            Route("/sandbox/clock/{action}", self.clock, methods=["POST"]),
            Route("/sandbox/start/{story}", self.start_story, methods=["POST"]),
            Route("/sandbox/reset", self.reset, methods=["POST"]),
            Mount("/sandbox/static", StaticFiles(directory=HERE / "static"), name="sandbox-static"),
            Route(DASHBOARD + "{rest:path}", _Dashboards(self), methods=["GET", "POST"]),
        ]

    def close(self) -> None:
        for world, _ in self.worlds.values():
            world.close()
        self.worlds.clear()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- worlds ------------------------------------------------------------------------------------------------
    def _template(self) -> Path:
        if self._template_db is None:
            path = self.root / "template.db"
            engine = make_engine(f"sqlite:///{path}")
            upgrade(engine)
            engine.dispose()
            self._template_db = path
        return self._template_db

    def _drop(self, key: str) -> None:
        world, _ = self.worlds.pop(key)
        world.close()
        shutil.rmtree(self.root / key, ignore_errors=True)
        self.locks.pop(key, None)
        self.dashboards.pop(key, None)

    def _sweep(self) -> None:
        cutoff = time.monotonic() - IDLE.total_seconds()
        for key, (_, seen) in list(self.worlds.items()):
            if seen < cutoff:
                self._drop(key)

    def _find(self, request: Request, *, touch: bool = True) -> tuple[str, World] | None:
        self._sweep()
        key = request.cookies.get(COOKIE, "")
        if key not in self.worlds:
            return None
        world, _ = self.worlds[key]
        if touch:  # an action, not a page merely left open
            self.worlds[key] = (world, time.monotonic())
        return key, world

    async def _new(self, story: str) -> tuple[str, World] | None:
        if len(self.worlds) >= self.max_worlds:
            return None
        key = secrets.token_urlsafe(16)
        found = STORIES[story]
        world = World(self.root / key, start=self.start() - found.lead, content=self.content,
                      template_db=self._template())
        self.worlds[key] = (world, time.monotonic())
        self.locks[key] = asyncio.Lock()
        async with self.locks[key]:
            await play(world, story)
            world.settle()  # the story's end is the present
        return key, world

    def _with_cookie(self, response: Response, key: str) -> Response:
        response.set_cookie(COOKIE, key, httponly=True, samesite="lax", path="/sandbox",
                            max_age=int(IDLE.total_seconds()))
        return response

    # -- rendering ---------------------------------------------------------------------------------------------------
    def _stamp(self, at: datetime, zone: ZoneInfo, locale: str, *, date: bool = True) -> str:
        """An instant on the page: "Mon 2 Mar 21:00" (or "Mon 21:00"); "3月2日（週一）21:00" in Chinese."""
        local = at.astimezone(zone)
        day = self.content.text("sandbox.weekdays", locale).split()[local.weekday()]
        if locale.startswith("zh"):
            return f"{local.month}月{local.day}日（{day}）{local:%H:%M}" if date else f"{day} {local:%H:%M}"
        return f"{day} {local.day} {local:%b %H:%M}" if date else f"{day} {local:%H:%M}"

    def _render(self, template: str, world: World | None, status: int = 200) -> HTMLResponse:
        t = self.content.text
        locale = world.locales["client"] if world is not None else self.content.locales[0]
        context = {"t": lambda key, **f: t(f"sandbox.{key}", locale, **f), "roles": ROLES, "styles": STYLES,
                   "lang": "zh-Hant-HK" if locale.startswith("zh") else "en",
                   "stories": [(name, t(f"sandbox.{s.label_key}", locale)) for name, s in STORIES.items()]}
        if world is not None:
            people, decided = world.people(), world.decisions()
            context.update(
                version=world.version, ahead=world.ahead,
                now=self._stamp(world.clock(), CLINIC_ZONE, locale),
                phones=[self._phone(world, role, people, locale) for role in ROLES],
                decisions=[(self._stamp(d.at, CLINIC_ZONE, locale, date=False), self._why(d, locale))
                           for d in reversed(decided[-WHY_SHOWN:])],  # newest first
                earlier=max(0, len(decided) - WHY_SHOWN),
                next_due=(self._stamp(n, CLINIC_ZONE, locale) if (n := world.next_event()) else None))
        html = self.env.get_template(template).render(**context)
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    def _why(self, d: Decision, locale: str) -> str:
        if d.step in WHY:
            until = self._stamp(d.until, CLINIC_ZONE, locale, date=False) if d.until else ""
            return self.content.text(f"sandbox.why_{d.step}", locale, who=d.who or "?", until=until)
        return step_text(self.content, locale, d.step, d.who)

    def _phone(self, world: World, role: str, people: dict[str, tuple[str | None, str]], page_locale: str) -> dict:
        phone = world.phones[role]
        name, zone_name = people.get(role, (None, CLINIC_ZONE.key))
        zone, locale = ZoneInfo(zone_name), world.locales[role]
        place_key = f"zone.{zone_name}"
        place = self.content.text(place_key, page_locale) if self.content.has(place_key) else zone_name
        asked = phone.asked()
        bubbles = [self._bubble(phone, n, b, zone, live=b is asked and b.chosen is None)
                   for n, b in enumerate(phone.bubbles)]
        other = next(loc for loc in self.content.locales if loc != locale)
        return {"role": role, "name": name, "style": phone.style, "bubbles": bubbles,
                "local": self.content.text("sandbox.local_time", page_locale, place=place,
                                           time=self._stamp(world.clock(), zone, page_locale, date=False)),
                "switch_to": other, "switch_label": self.content.text(f"lang.{other}", other),
                "other_style": next(s for s in STYLES if s != phone.style)}

    def _bubble(self, phone, n: int, b: Bubble, zone: ZoneInfo, *, live: bool) -> dict:
        """One message as the phone's channel shows it (the real adapters' own rules)."""
        shown = {"mine": b.mine, "at": b.at.astimezone(zone).strftime("%H:%M"), "n": n, "uid": b.uid,
                 "texts": [b.text],
                 "rows": [], "replies": [], "chosen": None, "template": None, "undeliverable": False,
                 "file": b.attachment["filename"] if b.attachment else None,
                 "image": bool(b.attachment) and b.attachment.get("mime_type", "").startswith("image/"),
                 "forward": FORWARD.get(phone.role) if not b.mine and LINK.search(b.text) else None}
        if b.mine:
            return shown
        if phone.style == "telegram":
            # Long texts arrive in pieces, the buttons under the last; an answered question is edited to show
            # the choice and loses its keyboard (bot/channels/telegram.py).
            shown["texts"] = split_text(b.text)
            shown["chosen"] = b.chosen
            board = keyboard(b) if live else None
            shown["rows"] = [[(k["text"], k["callback_data"]) for k in row] for row in board["inline_keyboard"]] \
                if board else []
        elif b.outside_window:
            # WhatsApp: more than 24 hours after the person last wrote, only an approved template may be sent.
            shown["template"] = b.template_key
            shown["undeliverable"] = b.template_key is None
        else:
            shown["texts"] = [render_options(b)]
            if live:  # typing the number (or the value) is how a WhatsApp person answers
                shown["replies"] = [str(i) if b.numbered else _typed(o) for i, o in enumerate(b.options, 1)]
        return shown

    # -- pages ---------------------------------------------------------------------------------------------------
    async def page(self, request: Request) -> Response:
        found = self._find(request) or await self._new("empty")
        if found is None:
            return self._render("sandbox_full.html", None, status=503)
        key, world = found
        return self._with_cookie(self._render("sandbox.html", world), key)

    async def fragment(self, request: Request) -> Response:
        found = self._find(request, touch=False)
        if found is None:
            return Response(status_code=204, headers=HEADERS)  # the world is gone: the page starts afresh
        return self._render("_sandbox_world.html", found[1])

    async def events(self, request: Request) -> Response:
        """Server-sent events: `change` (with the world's version) whenever something a page shows changed."""
        found = self._find(request, touch=False)
        if found is None:
            return Response(status_code=204, headers=HEADERS)  # tells EventSource not to reconnect
        world = found[1]
        try:
            seen = int(request.headers.get("last-event-id") or request.query_params.get("v") or -1)
        except ValueError:
            seen = -1

        async def stream():
            nonlocal seen
            yield "retry: 500\n\n"
            ends = time.monotonic() + STREAM_FOR
            while (left := ends - time.monotonic()) > 0:
                version = await world.wait_change(seen, min(KEEPALIVE, left))
                if version != seen:
                    seen = version
                    yield f"id: {version}\nevent: change\ndata: {version}\n\n"
                else:
                    yield ": still here\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={**HEADERS, "X-Accel-Buffering": "no"})

    async def _act(self, request: Request, action: Action) -> Response:
        found = self._find(request)
        if found is None:
            return RedirectResponse("/sandbox", status_code=303, headers=HEADERS)
        key, world = found
        async with self.locks[key]:
            await action(world)
        if request.headers.get("x-sandbox"):  # our script: the page learns what changed from its event stream
            return Response(status_code=204, headers={**HEADERS, "X-World-Version": str(world.version)})
        return RedirectResponse("/sandbox", status_code=303, headers=HEADERS)

    def _role(self, request: Request) -> str | None:
        role = request.path_params.get("role")
        return role if role in ROLES else None

    async def say(self, request: Request) -> Response:
        role = self._role(request)
        form = await request.form()
        text = str(form.get("text") or "").strip()[:2000]
        if role is None:
            return Response(status_code=404, headers=HEADERS)
        return await self._act(request, lambda world: world.say(role, text) if text else asyncio.sleep(0))

    async def tap(self, request: Request) -> Response:
        role = self._role(request)
        form = await request.form()
        label, payload = str(form.get("label") or ""), str(form.get("payload") or "")
        if role is None or not payload:
            return Response(status_code=404 if role is None else 400, headers=HEADERS)
        return await self._act(request, lambda world: world.say(role, label, payload=payload))

    async def forward(self, request: Request) -> Response:
        role = self._role(request)
        if role not in FORWARD:
            return Response(status_code=404, headers=HEADERS)

        async def forward(world: World) -> None:
            with contextlib.suppress(LookupError):  # no link on that phone (any more): nothing to forward
                await world.forward_link(role, FORWARD[role])

        return await self._act(request, forward)

    async def language(self, request: Request) -> Response:
        role = self._role(request)
        form = await request.form()
        locale = str(form.get("locale") or "")
        if role is None or locale not in self.content.locales:
            return Response(status_code=404 if role is None else 400, headers=HEADERS)

        async def switch(world: World) -> None:
            world.set_language(role, locale)

        return await self._act(request, switch)

    async def style(self, request: Request) -> Response:
        role = self._role(request)
        form = await request.form()
        style = str(form.get("style") or "")
        if role is None or style not in STYLES:
            return Response(status_code=404 if role is None else 400, headers=HEADERS)

        async def switch(world: World) -> None:
            world.set_style(role, style)

        return await self._act(request, switch)

    async def file(self, request: Request) -> Response:
        """A file the bot sent to a phone (the data export), as a download."""
        role, found = self._role(request), self._find(request)
        n = request.path_params["n"]
        if role is None or found is None:
            return Response(status_code=404, headers=HEADERS)
        bubbles = found[1].phones[role].bubbles
        known = 0 <= n < len(bubbles) and bubbles[n].uid == request.query_params.get("b")
        attachment = bubbles[n].attachment if known else None
        if not attachment:
            return Response(status_code=404, headers=HEADERS)
        name, kind = attachment["filename"], attachment.get("mime_type") or "application/json"
        bubble = bubbles[n]
        if bubble.drawn is None:
            try:  # a chart is drawn when first shown, as a channel draws it when it sends
                bubble.drawn = await media.picture(found[1].rt, attachment)
            except media.NoPicture:
                return Response(status_code=404, headers=HEADERS)
        how = "inline" if kind.startswith("image/") else "attachment"
        # A sent message never changes: the page may keep it while its phone is redrawn around it.
        return Response(bubble.drawn, media_type=kind,
                        headers={**HEADERS, "Cache-Control": "private, max-age=7200, immutable",
                                 "Content-Disposition": f"{how}; filename*=UTF-8''{quote(name)}"})

    async def clock(self, request: Request) -> Response:
        action = request.path_params["action"]
        moves: dict[str, Action] = {
            "hour": lambda w: w.advance(timedelta(hours=1)), "day": lambda w: w.advance(timedelta(days=1)),
            "next": lambda w: w.to_next_event(), "now": lambda w: asyncio.to_thread(w.back_to_now)}
        if action not in moves:
            return Response(status_code=404, headers=HEADERS)
        return await self._act(request, moves[action])

    async def start_story(self, request: Request) -> Response:
        """Start over, from an empty world or from a story with history."""
        story = request.path_params["story"]
        if story not in STORIES:
            return Response(status_code=404, headers=HEADERS)
        key = request.cookies.get(COOKIE, "")
        if key in self.worlds:
            self._drop(key)
        found = await self._new(story)
        if found is None:
            return self._render("sandbox_full.html", None, status=503)
        return self._with_cookie(RedirectResponse("/sandbox", status_code=303, headers=HEADERS), found[0])

    async def reset(self, request: Request) -> Response:
        key = request.cookies.get(COOKIE, "")
        if key in self.worlds:
            self._drop(key)
        response = RedirectResponse("/sandbox", status_code=303, headers=HEADERS)
        response.delete_cookie(COOKIE, path="/sandbox")
        return response

    # -- the clinician's dashboard -------------------------------------------------------------------------------
    def dashboard_of(self, key: str, world: World) -> Starlette:
        if key not in self.dashboards:
            pages = Dashboard(world.rt, secret=secrets.token_urlsafe(32), secure_cookie=False, base=DASHBOARD)
            self.dashboards[key] = Starlette(routes=pages.routes())
        return self.dashboards[key]


def _typed(option: dict[str, str]) -> str:
    """What a person types to pick a scale's value: the number itself ("mood:4" -> "4")."""
    value = option["payload"].rpartition(":")[2]
    return value if value.isdigit() else option["label"]


class _Dashboards:
    """/sandbox/dashboard...: the visitor's world's own dashboard, signed in as its clinician.

    Its sign-in page signs the clinician in at once (a single-use link, spent straight away), so a session that
    lapsed while the clock jumped ahead renews itself. After a change (Acknowledge), the world sends what it queued,
    as production's delivery loop would, and the phones hear of it.
    """

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        found = self.sandbox._find(request)
        if found is None:
            await RedirectResponse("/sandbox", status_code=303, headers=HEADERS)(scope, receive, send)
            return
        key, world = found
        if request.url.path == f"{DASHBOARD}/signin":
            await (await self._sign_in(world))(scope, receive, send)
            return
        app = self.sandbox.dashboard_of(key, world)
        if request.method != "POST":
            await app(scope, receive, send)
            return
        async with self.sandbox.locks[key]:
            await app(scope, receive, send)
            await world.delivery.drain()
            world.changed()

    async def _sign_in(self, world: World) -> Response:
        clinician = world.clinician()
        if clinician is None:
            return RedirectResponse("/sandbox", status_code=303, headers=HEADERS)

        def mint() -> str:
            with Session(world.rt.db) as session:
                token = dashboard.login_token(session, clinician, world.clock())
                session.commit()
                return token

        token = await run_db(world.rt.db, mint)
        return RedirectResponse(f"{DASHBOARD}/login?token={token}", status_code=303, headers=HEADERS)
