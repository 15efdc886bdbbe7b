"""The sandbox in the browser: three phones (client, partner, clinician) and a clock bar, one world per visitor.

Each browser session gets its own world (bot/channels/sandbox.py: its own SQLite file and clock), found by an
opaque cookie; an idle world is removed after IDLE, and at most `max_worlds` live at once (a clear page says so
when full). Everything a phone does goes through the real dispatch, outbox and scheduler passes; each action's
answer re-renders the phones, so what the bot sent is on the page when the request returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from bot.channels.sandbox import LINK, ROLES, World
from bot.web.pages import HEADERS, HERE, step_text, templates
from data.content import Content
from data.db import make_engine, upgrade

COOKIE = "rb_sandbox"
IDLE = timedelta(hours=2)
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Hong Kong: the first prompt is tonight
FORWARD = {"clinician": "client", "client": "partner"}  # where an invitation link on a phone is taken


class Sandbox:
    """The sandbox's routes and its worlds."""

    def __init__(self, *, content: Content | None = None, max_worlds: int = 20, root: Path | None = None) -> None:
        self.content = content or Content()
        self.max_worlds = max_worlds
        self.root = root or Path(tempfile.mkdtemp(prefix="recovery-sandbox-"))
        self.worlds: dict[str, tuple[World, float]] = {}
        self.locks: dict[str, asyncio.Lock] = {}
        self.env = templates()
        self._template_db: Path | None = None

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/sandbox", self.page),
            Route("/sandbox/{role}/say", self.say, methods=["POST"]),
            Route("/sandbox/{role}/tap", self.tap, methods=["POST"]),
            Route("/sandbox/{role}/forward", self.forward, methods=["POST"]),
            Route("/sandbox/{role}/language", self.language, methods=["POST"]),
            Route("/sandbox/clock/{action}", self.clock, methods=["POST"]),
            Route("/sandbox/reset", self.reset, methods=["POST"]),
            Mount("/sandbox/static", StaticFiles(directory=HERE / "static"), name="sandbox-static"),
        ]

    # -- worlds ------------------------------------------------------------------------------------------------
    def _template(self) -> Path:
        if self._template_db is None:
            path = self.root / "template.db"
            engine = make_engine(f"sqlite:///{path}")
            upgrade(engine)
            engine.dispose()
            self._template_db = path
        return self._template_db

    def _sweep(self) -> None:
        cutoff = time.monotonic() - IDLE.total_seconds()
        for key, (world, seen) in list(self.worlds.items()):
            if seen < cutoff:
                world.close()
                shutil.rmtree(self.root / key, ignore_errors=True)
                del self.worlds[key]
                self.locks.pop(key, None)

    async def _world(self, request: Request, *, create: bool) -> tuple[str, World] | None:
        self._sweep()
        key = request.cookies.get(COOKIE, "")
        if key in self.worlds:
            world, _ = self.worlds[key]
            self.worlds[key] = (world, time.monotonic())
            return key, world
        if not create or len(self.worlds) >= self.max_worlds:
            return None
        key = secrets.token_urlsafe(16)
        world = World(self.root / key, start=START, content=self.content, template_db=self._template())
        self.worlds[key] = (world, time.monotonic())
        self.locks[key] = asyncio.Lock()
        await world.clinician_joins()
        await world.say("clinician", "/invite")  # the client's way in: the clinician's invitation
        return key, world

    # -- pages ---------------------------------------------------------------------------------------------------
    def _render(self, template: str, world: World | None, status: int = 200) -> HTMLResponse:
        t = self.content.text
        locale = world.locales["client"] if world is not None else "en"  # the page speaks the client's language
        context = {"t": lambda key, **f: t(f"sandbox.{key}", locale, **f), "roles": ROLES,
                   "lang": "zh-Hant-HK" if locale.startswith("zh") else "en"}
        if world is not None:
            zone = ZoneInfo("Asia/Hong_Kong")
            context.update(
                now=world.clock().astimezone(zone).strftime("%a %d %b %H:%M"),
                phones=[self._phone(world, role, zone) for role in ROLES],
                decisions=[(at.astimezone(zone).strftime("%a %H:%M"), step_text(self.content, locale, step, who))
                           for at, step, who in world.decisions()],
                next_due=(n.astimezone(zone).strftime("%a %H:%M") if (n := world.next_event()) else None))
        html = self.env.get_template(template).render(**context)
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    def _phone(self, world: World, role: str, zone: ZoneInfo) -> dict:
        phone = world.phones[role]
        # Only the newest question keeps its buttons, as on a phone where answered ones are marked.
        asked = [n for n, b in enumerate(phone.bubbles) if not b.mine and b.options]
        newest = asked[-1] if asked else None
        bubbles = [{"mine": b.mine, "text": b.text, "at": b.at.astimezone(zone).strftime("%H:%M"),
                    "options": b.options if n == newest else [], "numbered": b.numbered, "attachment": b.attachment,
                    "forward": FORWARD.get(role) if not b.mine and LINK.search(b.text) else None}
                   for n, b in enumerate(phone.bubbles)]
        other = next(loc for loc in self.content.locales if loc != world.locales[role])
        return {"role": role, "bubbles": bubbles, "switch_to": other,
                "switch_label": self.content.text(f"lang.{other}", other)}

    async def page(self, request: Request) -> Response:
        found = await self._world(request, create=True)
        if found is None:
            return self._render("sandbox_full.html", None, status=503)
        key, world = found
        response = self._render("sandbox.html", world)
        response.set_cookie(COOKIE, key, httponly=True, samesite="lax", path="/sandbox",
                            max_age=int(IDLE.total_seconds()))
        return response

    async def _act(self, request: Request, action) -> Response:
        found = await self._world(request, create=False)
        if found is None:
            return RedirectResponse("/sandbox", status_code=303, headers=HEADERS)
        key, world = found
        async with self.locks[key]:
            await action(world)
        if request.headers.get("hx-request"):
            return self._render("_sandbox_world.html", world)
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

    async def clock(self, request: Request) -> Response:
        action = request.path_params["action"]
        moves = {"hour": lambda w: w.advance(timedelta(hours=1)), "day": lambda w: w.advance(timedelta(days=1)),
                 "next": lambda w: w.to_next_event()}
        if action not in moves:
            return Response(status_code=404, headers=HEADERS)
        return await self._act(request, moves[action])

    async def reset(self, request: Request) -> Response:
        key = request.cookies.get(COOKIE, "")
        if key in self.worlds:
            world, _ = self.worlds.pop(key)
            world.close()
            shutil.rmtree(self.root / key, ignore_errors=True)
        response = RedirectResponse("/sandbox", status_code=303, headers=HEADERS)
        response.delete_cookie(COOKIE, path="/sandbox")
        return response
