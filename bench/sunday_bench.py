"""Sunday evening: every client's weekly summary with its picture, while other people are writing in.

Run: `python -m bench sunday [--clients N]` (also part of `./dev bench`, with 2,000 clients; the figure for
10,000 is in the README).

In one process, as `recovery-bot run` wires it: a SQLite file with N clients on Telegram, each with four weeks of
check-ins; the FakeTelegram server (tests/fakes/telegram_api.py) on loopback; the outbox's pacing out of reach
(the 30 messages a second are Telegram's policy, not cost: here the drain goes as fast as the machine can). The
Sunday pass queues N summaries and N pictures; the drain sends them, drawing each picture in a worker thread, at
most bot/media.py's DRAWING_AT_ONCE at a time. Meanwhile a "reader" writes to the bot every 100 ms through the
webhook route, and we time, from its POST, the fake receiving the reply. Baseline in the same run: the same
reader with nothing else going on. Also: how late the event loop wakes (a timer every 20 ms), which shows
whether drawing ever holds the loop.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import telegram
from sqlalchemy import insert

from bot.channels.telegram import TelegramChannel
from bot.web import create_app
from data.content import Content
from data.db import make_engine, upgrade
from data.models import ChannelAddress, CheckIn, ClientProfile, Person
from handlers.types import FixedClock, Runtime
from scheduler import followups
from scheduler.outbox import Delivery
from scheduler.reception import Reception
from tests.fakes.telegram_api import FakeTelegram

SUNDAY = datetime(2026, 3, 8, 11, 0, tzinfo=UTC)  # 19:00 in Hong Kong
SECRET = "bench-secret-0123456789abcdef"
READER = 7_000_000


def seed(engine, clients: int) -> None:
    rnd = random.Random(11)
    today: date = SUNDAY.date()
    with engine.begin() as conn:
        ids = list(conn.execute(insert(Person).returning(Person.id), [
            {"role": "client", "display_name": f"Client {n}", "locale": "zh-HK" if n % 3 == 0 else "en",
             "timezone": "Asia/Hong_Kong", "consent_at": SUNDAY - timedelta(days=60),
             "created_at": SUNDAY - timedelta(days=60)} for n in range(clients)]).scalars())
        conn.execute(insert(ChannelAddress), [{"person_id": pid, "channel": "telegram", "address": str(1_000_000 + n)}
                                              for n, pid in enumerate(ids)])
        conn.execute(insert(ClientProfile), [
            {"person_id": pid, "sobriety_start": today - timedelta(days=80),
             "streak_start": today - timedelta(days=rnd.randint(3, 60)), "longest_streak_days": rnd.randint(10, 60),
             "next_summary_at": SUNDAY, "digest_weekday": None} for pid in ids])
        rows = []
        for pid in ids:
            for back in range(28, 0, -1):
                day = today - timedelta(days=back)
                at = datetime(day.year, day.month, day.day, 13, 0, tzinfo=UTC)
                answered = rnd.random() > 0.15
                rows.append({"client_id": pid, "local_date": day, "prompted_at": at,
                             "answered_at": at + timedelta(minutes=5) if answered else None,
                             "mood": rnd.randint(1, 5) if answered else None,
                             "craving": rnd.randint(0, 9) if answered else None})
        for start in range(0, len(rows), 5000):
            conn.execute(insert(CheckIn), rows[start:start + 5000])


async def reader(http: httpx.AsyncClient, fake: FakeTelegram, until: asyncio.Event, found: list[float]) -> None:
    """Someone writing in every 100 ms: from the webhook POST to their reply reaching the fake."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    while not until.is_set():
        before = fake.sent_count(READER)
        began = time.perf_counter()
        await http.post("/telegram/webhook", json=fake.make_message_update(READER, "help"), headers=headers)
        while fake.sent_count(READER) == before:
            await asyncio.sleep(0.002)
        found.append((time.perf_counter() - began) * 1000)
        await asyncio.sleep(0.1)


async def loop_lag(until: asyncio.Event, found: list[float]) -> None:
    while not until.is_set():
        began = time.perf_counter()
        await asyncio.sleep(0.02)
        found.append((time.perf_counter() - began - 0.02) * 1000)


async def run(clients: int, baseline_seconds: float) -> dict[str, list[float] | float]:
    with tempfile.TemporaryDirectory() as tmp, FakeTelegram() as fake:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'sunday.db'}")
        upgrade(engine)
        seed(engine, clients)
        rt = Runtime(db=engine, content=Content(), clock=FixedClock(SUNDAY))
        results: dict[str, list[float] | float] = {"baseline reply": [], "baseline lag": [], "sunday reply": [],
                                                   "sunday lag": []}
        async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
            delivery = Delivery(rt, {}, limits={})
            reception = Reception(rt, delivery)
            channel = TelegramChannel(rt, bot, webhook_secret=SECRET, reception=reception)
            delivery.senders["telegram"] = channel.sender
            app = create_app(rt, [channel.route()])
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
                for text in ("hi", "1", "Reader", "1", "21:00", "30 days ago", "later"):  # the reader onboards
                    await http.post("/telegram/webhook", json=fake.make_message_update(READER, text),
                                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
                await reception.close()
                stop = asyncio.Event()
                tasks = [asyncio.create_task(reader(http, fake, stop, results["baseline reply"])),
                         asyncio.create_task(loop_lag(stop, results["baseline lag"]))]
                await asyncio.sleep(baseline_seconds)
                stop.set()
                await asyncio.gather(*tasks)

                began = time.perf_counter()
                queued = await asyncio.to_thread(followups.weekly_summaries, rt, SUNDAY, batch=clients + 10)
                results["planning s"] = time.perf_counter() - began
                stop = asyncio.Event()
                tasks = [asyncio.create_task(reader(http, fake, stop, results["sunday reply"])),
                         asyncio.create_task(loop_lag(stop, results["sunday lag"]))]
                began = time.perf_counter()
                sent = await delivery.drain()
                results["drain s"] = time.perf_counter() - began
                stop.set()
                await asyncio.gather(*tasks)
                await reception.close()
                results["queued"], results["sent"] = float(queued), float(sent)
                results["photos"] = float(fake.methods().count("sendPhoto"))
        engine.dispose()
        return results


def _line(name: str, values: list[float]) -> str:
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    return (f"  {name:<32} median {statistics.median(values):7.1f} ms  p99 {p99:7.1f} ms  "
            f"max {values[-1]:7.1f} ms  (n={len(values)})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench sunday", description=__doc__)
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--baseline", type=float, default=5.0, help="seconds of the reader alone")
    args = parser.parse_args(argv or [])
    found = asyncio.run(run(args.clients, args.baseline))
    print(f"sunday: {args.clients} weekly summaries with pictures (SQLite, Telegram, pacing out of reach)")
    print(f"  planned in {found['planning s']:.1f} s; {found['queued']:.0f} summaries, {found['sent']:.0f} messages "
          f"sent ({found['photos']:.0f} pictures) in {found['drain s']:.1f} s "
          f"({found['sent'] / found['drain s']:.0f} messages/s)")
    print(_line("reply while idle (baseline)", found["baseline reply"]))
    print(_line("reply during the Sunday drain", found["sunday reply"]))
    print(_line("event loop late, idle", found["baseline lag"]))
    print(_line("event loop late, Sunday", found["sunday lag"]))


if __name__ == "__main__":
    main(sys.argv[1:])
