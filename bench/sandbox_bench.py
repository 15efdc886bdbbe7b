"""The sandbox: how soon what the bot sends shows on an open page, and how long a visitor waits for a world.

Run: `python -m bench sandbox` (also part of `./dev bench`).

A real server (uvicorn on loopback, as `recovery-bot sandbox` runs it) and a client that keeps the page's event
stream open, as the page's script does. Each round, one phone acts (a typed message, a button, "next event") and
we time, from sending the form:
- announced: until the event stream announces the version the action left (every reply queued and sent);
- on the page: until the world's fragment (what the script fetches on that event) has arrived too.
Target: on the page within 300 ms of the message being queued. A message is queued and sent inside the action's
request, so "from sending the form" includes the bot's own work on the message, and bounds the target from above.
Baseline in the same run: a static file from the same server (the floor of one request here).

Also: a new world (the first visit to /sandbox) and the two-week story (a fortnight played through the real
flows). Medians, p95 and ranges over `--rounds`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from starlette.applications import Starlette

from bot.web.sandbox import Sandbox
from tests.fakes.loopback import AppServer

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Hong Kong
TARGET_MS = 300


class Page:
    """A visitor's page: the cookie, and the event stream's announcements as they come."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.seen = -1
        self.arrived: asyncio.Queue[int] = asyncio.Queue()

    async def listen(self) -> None:
        while True:  # the stream closes every minute or so; the page reconnects, as EventSource does
            async with self.http.stream("GET", f"/sandbox/events?v={self.seen}") as stream:
                async for line in stream.aiter_lines():
                    if line.startswith("data: "):
                        self.seen = int(line[6:])
                        self.arrived.put_nowait(self.seen)

    async def act(self, path: str, data: dict | None = None) -> tuple[float, float]:
        """(announced, on the page) in ms, from sending the form."""
        began = time.perf_counter()
        response = await self.http.post(path, data=data or {}, headers={"X-Sandbox": "1"})
        target = int(response.headers["x-world-version"])
        while self.seen < target:
            await self.arrived.get()
        announced = time.perf_counter()
        await self.http.get("/sandbox/world")
        shown = time.perf_counter()
        return (announced - began) * 1000, (shown - began) * 1000


def figures(name: str, values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return (f"{name:<34} median {statistics.median(values):7.1f} ms  p95 {p95:7.1f} ms  "
            f"range {values[0]:.1f}-{values[-1]:.1f} ms  (n={len(values)})")


async def measure(base: str, rounds: int) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {k: [] for k in (
        "baseline: a static file", "new world", "two-week story", "typed message: announced",
        "typed message: on the page", "button: announced", "button: on the page", "next event: announced",
        "next event: on the page")}
    async with httpx.AsyncClient(base_url=base, timeout=30) as warm:
        await warm.get("/sandbox")  # the first world pays for the template database and the models' loading
        await warm.post("/sandbox/start/two_weeks")
    for _ in range(rounds):
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            began = time.perf_counter()
            await http.get("/sandbox")
            found["new world"].append((time.perf_counter() - began) * 1000)
            page = Page(http)
            listening = asyncio.create_task(page.listen())
            for _ in range(5):
                began = time.perf_counter()
                await http.get("/sandbox/static/sandbox.css")
                found["baseline: a static file"].append((time.perf_counter() - began) * 1000)
                announced, shown = await page.act("/sandbox/clinician/say", {"text": "/help"})
                found["typed message: announced"].append(announced)
                found["typed message: on the page"].append(shown)
            began = time.perf_counter()
            await http.post("/sandbox/start/two_weeks")
            found["two-week story"].append((time.perf_counter() - began) * 1000)
            listening.cancel()
            page = Page(http)
            listening = asyncio.create_task(page.listen())
            for _ in range(3):
                await page.act("/sandbox/client/say", {"text": "/checkin"})
                world = next(w for w, _ in sandbox_worlds(http))
                label, payload = world.phones["client"].last_options()[0]
                announced, shown = await page.act("/sandbox/client/tap", {"label": label, "payload": payload})
                found["button: announced"].append(announced)
                found["button: on the page"].append(shown)
                announced, shown = await page.act("/sandbox/clock/next")
                found["next event: announced"].append(announced)
                found["next event: on the page"].append(shown)
            listening.cancel()
    return found


_SANDBOX: Sandbox | None = None


def sandbox_worlds(http: httpx.AsyncClient):
    assert _SANDBOX is not None
    key = http.cookies.get("rb_sandbox")
    return [_SANDBOX.worlds[key]] if key in _SANDBOX.worlds else []


def main(argv: list[str] | None = None) -> None:
    global _SANDBOX
    parser = argparse.ArgumentParser(prog="python -m bench sandbox")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args(argv)
    from bot.bootstrap import load_crisis_model

    load_crisis_model()  # as `recovery-bot sandbox` does before it serves
    with tempfile.TemporaryDirectory() as root:
        _SANDBOX = Sandbox(root=Path(root) / "worlds", max_worlds=args.rounds + 4, start=lambda: START)
        try:
            with AppServer(Starlette(routes=_SANDBOX.routes())) as server:  # uvicorn, as the sandbox runs
                found = asyncio.run(measure(server.url, args.rounds))
        finally:
            _SANDBOX.close()
    print(f"sandbox ({args.rounds} visitors in turn; target: on the page within {TARGET_MS} ms)")
    for name, values in found.items():
        print("  " + figures(name, values))


if __name__ == "__main__":
    main()
