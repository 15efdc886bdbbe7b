"""The web app that `recovery-bot run` serves: health, the channels' webhooks, the clinician dashboard (bot/web/dashboard.py)."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from handlers.types import Runtime


def create_app(rt: Runtime, routes: list[BaseRoute] | None = None) -> Starlette:
    def ping() -> None:
        with rt.db.connect() as conn:
            conn.execute(text("SELECT 1"))

    async def healthz(request: Request) -> JSONResponse:
        """Report whether the process is up and its database answers."""
        try:
            await asyncio.to_thread(ping)  # SQLite may wait on its write lock: never on the event loop
        except Exception:  # noqa: BLE001 - any database failure means "not healthy"
            return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    return Starlette(routes=[Route("/healthz", healthz), *(routes or [])])
