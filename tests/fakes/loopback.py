"""A base class for fake HTTP APIs served by uvicorn on loopback from a background thread."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, Self

import uvicorn
from starlette.applications import Starlette

__all__ = ["AppServer", "LoopbackServer", "QuickServer", "free_socket"]


def free_socket() -> socket.socket:
    """A listening socket on 127.0.0.1 with a free port, ready to hand to uvicorn."""
    # proto=IPPROTO_TCP so asyncio sets TCP_NODELAY on accepted connections (else ~40 ms Nagle stalls).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


class QuickServer(uvicorn.Server):
    """uvicorn.Server that notices ``should_exit`` within ~10 ms and shuts down without
    uvicorn's fixed pauses (0.1 s ticks), so a fake per test stays cheap."""

    async def main_loop(self) -> None:
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            await asyncio.sleep(0.01)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 2
        while (self.server_state.connections or self.server_state.tasks) and loop.time() < deadline:
            await asyncio.sleep(0.005)
        for task in list(self.server_state.tasks):
            task.cancel()
        for server in self.servers:
            await server.wait_closed()
        if not self.force_exit:
            await self.lifespan.shutdown()


class LoopbackServer:
    """Runs the subclass's Starlette app (:meth:`_app`) on a free loopback port.

    uvicorn runs in a daemon thread with its own event loop, so state is shared between that
    thread and the test thread: subclasses guard it with ``self._lock``. Handlers that wait
    (long polls, injected delays) should give up once ``self._stopping`` is set, so that
    :meth:`stop` stays quick. ``name`` (e.g. "Telegram") names the thread and the errors.
    """

    name: str

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._server: QuickServer | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._port: int | None = None
        self._stopping = False

    def _app(self) -> Starlette:
        raise NotImplementedError

    def _progress(self) -> str:
        """What has happened so far, for the message of a :meth:`wait_for` timeout."""
        return "nothing recorded"

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        if self._thread is not None:
            return self
        self._stopping = False
        self._socket = free_socket()
        self._port = self._socket.getsockname()[1]
        config = uvicorn.Config(
            self._app(),
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = QuickServer(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name=f"fake-{self.name.lower()}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"fake {self.name} server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._stopping = True
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError(f"Fake{self.name} is not started")
        return f"http://127.0.0.1:{self._port}"

    # ------------------------------------------------------------------ waiting

    def _poll(self, predicate: Callable[[], Any], deadline: float, timeout: float) -> Any:
        """``predicate()``, or AssertionError if it is falsy and the deadline has passed."""
        value = predicate()
        if not value and time.monotonic() >= deadline:
            raise AssertionError(f"condition not met within {timeout} s; {self._progress()}")
        return value

    def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 5, interval: float = 0.01
    ) -> Any:
        """Poll until ``predicate()`` is truthy and return its value; AssertionError on timeout.

        Blocks the calling thread: from a coroutine whose event loop also runs the code under
        test use :meth:`async_wait_for` instead.
        """
        deadline = time.monotonic() + timeout
        while not (value := self._poll(predicate, deadline, timeout)):
            time.sleep(interval)
        return value

    async def async_wait_for(
        self, predicate: Callable[[], Any], timeout: float = 5, interval: float = 0.01
    ) -> Any:
        """Like :meth:`wait_for` but yields to the event loop while waiting."""
        deadline = time.monotonic() + timeout
        while not (value := self._poll(predicate, deadline, timeout)):
            await asyncio.sleep(interval)
        return value


class AppServer(LoopbackServer):
    """Any app of ours on a free loopback port, for what must reach it over real HTTP (a browser, an event stream,
    Twilio fetching a picture): ``with AppServer(app) as server: server.url``."""

    name = "App"

    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app = app

    def _app(self) -> Any:
        return self.app

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"
