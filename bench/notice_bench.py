"""Notice latency: from a client's message to the moment the platform receives the message it made for someone
else (here the urgent crisis alert to the clinician). `python -m bench notices` (and `./dev bench`).

In one process: the Telegram webhook route over ASGI with a Reception and a Delivery (as `recovery-bot run`
wires them), a SQLite file, and the FakeTelegram server (tests/fakes/telegram_api.py) on loopback, with the
outbox's pacing out of reach (the platform's per-chat limit is policy, not cost). Each of `--clients` clients
onboards, then each in turn writes a crisis message; the latency runs from the start of that webhook POST to
the fake receiving the clinician's alert naming that client. No scheduler pass runs: before this path existed,
such a message waited for the next pass (PASS_INTERVAL_SECONDS, 10 s by default). Target: p99 under 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import telegram

from bot.channels.telegram import TelegramChannel
from bot.web import create_app
from data.content import Content
from data.db import make_engine, upgrade
from data.models import ChannelAddress, Person, Role
from handlers.types import Runtime
from scheduler.outbox import Delivery
from scheduler.reception import Reception
from tests.fakes.telegram_api import FakeTelegram

SECRET = "bench-secret-0123456789abcdef"
CLINICIAN = 900001


def _clinician(rt: Runtime) -> None:
    from sqlmodel import Session

    with Session(rt.db) as session:
        person = Person(role=Role.clinician, display_name="Dr Chan", locale="en", timezone="Asia/Hong_Kong",
                        created_at=rt.clock(), consent_at=rt.clock())
        session.add(person)
        session.flush()
        session.add(ChannelAddress(person_id=person.id, channel="telegram", address=str(CLINICIAN)))
        session.commit()


async def run(clients: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp, FakeTelegram() as fake:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'notice.db'}")
        upgrade(engine)
        rt = Runtime(db=engine, content=Content())
        _clinician(rt)
        async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
            delivery = Delivery(rt, {}, limits={})
            reception = Reception(rt, delivery)
            channel = TelegramChannel(rt, bot, webhook_secret=SECRET, reception=reception)
            delivery.senders["telegram"] = channel.sender
            app = create_app(rt, [channel.route()])
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
                for n in range(clients):
                    for text in ("hi", "1", f"Client{n:03d}", "1", "21:00", "30 days ago"):
                        await http.post("/telegram/webhook", json=fake.make_message_update(5000 + n, text),
                                        headers=headers)
                await reception.close()
                latencies = []
                for n in range(clients):
                    before = len(fake.texts(CLINICIAN))
                    started = time.perf_counter()
                    await http.post("/telegram/webhook", headers=headers,
                                    json=fake.make_message_update(5000 + n, "I took all my pills"))
                    while not any(f"Client{n:03d}" in t for t in fake.texts(CLINICIAN)[before:]):
                        if time.perf_counter() - started > 30:
                            raise RuntimeError("the clinician's alert never arrived")
                        await asyncio.sleep(0.002)
                    latencies.append(time.perf_counter() - started)
                await reception.close()
        engine.dispose()
        return latencies


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=40)
    args = parser.parse_args(argv or [])
    latencies = sorted(asyncio.run(run(args.clients)))
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
    print(f"notice latency (crisis alert to the clinician), {len(latencies)} clients, SQLite, Telegram: "
          f"p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms [target: p99 < 2 s; before: the next pass, up to 10 s]")


if __name__ == "__main__":
    main(sys.argv[1:])
