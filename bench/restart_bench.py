"""Restarts and takeovers: how long replies wait when the process that was sending them dies (`kill -9`).

Run: `python -m bench restart` (also part of `./dev bench`).

`recovery-bot run` in Telegram webhook mode against a fake Bot API in this process that holds every send to
`--chats` chats in flight (no answer), so that when the process is killed it holds those replies under its
lease, with more replies queued behind them. Then the fake answers again and:

  1. restart: the same process is started again on the same SQLite file. Figure: how long after the new
     process first answered /healthz each chat's replies arrived (the worst chat, and p50), per round
     [target: at most 10 s]; with the same-run baseline of a reply's latency when nothing was killed;
  2. takeover (PostgreSQL, when TEST_DATABASE_URL is set): two processes share one database; the one holding
     the replies is killed and the other, still running, sends them. Figure: seconds from the kill to the
     last reply [target: at most 15 s].

Every round also counts replies that arrived twice (the fake drops a held request whose caller died, so any
double would be the bot's) [target: 0].
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.telegram_bench import (
    SECRET,
    TimedFakeTelegram,
    free_port,
    start_recovery_bot,
    stop_process,
)

TARGET_RESTART = 10.0
TARGET_TAKEOVER = 15.0


def _settings(fake, port: int, **extra: str) -> dict[str, str]:
    return dict(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_MODE="webhook", TELEGRAM_API_BASE_URL=fake.base_url,
                TELEGRAM_WEBHOOK_SECRET=SECRET, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
                TELEGRAM_CHAT_RATE_PER_SECOND="30", **extra)


async def _post(url: str, fake, chat: int, text: str) -> float:
    update = fake.make_message_update(chat, text, first_name="Sam")
    async with httpx.AsyncClient(timeout=10) as client:
        t0 = time.perf_counter()
        response = await client.post(url, content=json.dumps(update).encode(),
                                     headers={"Content-Type": "application/json",
                                              "X-Telegram-Bot-Api-Secret-Token": SECRET})
        response.raise_for_status()
    return t0


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.01)
    raise RuntimeError(f"timed out waiting for {what}")


def _in_flight(fake, chats: list[int]) -> bool:
    held = {str(p.get("chat_id")) for m, p in fake.calls if m == "sendMessage"}
    return all(str(c) in held for c in chats)


def _baseline(fake, url: str, chats: list[int]) -> list[float]:
    """A reply's latency with nothing killed: POST to the reply's arrival at the fake, one per chat."""
    out = []
    for chat in chats:
        before = fake.arrived(chat)
        t0 = asyncio.run(_post(url, fake, chat, "hi"))
        _wait(lambda c=chat, b=before: fake.arrived(c) > b, 10, "a baseline reply")
        out.append(fake.arrivals[chat][before] - t0)
    return out


def _hold_and_fill(fake, url: str, chats: list[int]) -> None:
    for chat in chats:
        fake.hold(chat)
    for chat in chats:
        for text in ("hello?", "are you there"):  # the second one's replies queue behind the first's
            asyncio.run(_post(url, fake, chat, text))
    _wait(lambda: _in_flight(fake, chats), 10, "the replies to be in flight")


def _queue(db_url: str, chats: list[int]) -> tuple[int, int]:
    """(messages still to send, messages recorded as sent) to these chats."""
    from sqlalchemy import text

    from data.db import make_engine

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT status, count(*) FROM outbox WHERE channel = 'telegram' AND address IN "
                                     f"({', '.join(repr(str(c)) for c in chats)}) GROUP BY status")).all()
    finally:
        engine.dispose()
    counts = dict(rows)
    return counts.get("pending", 0) + counts.get("sending", 0), counts.get("sent", 0)


def _settle(fake, db_url: str, chats: list[int], timeout: float, what: str) -> int:
    """Wait until every message to these chats is sent and has arrived; returns how many arrived twice (more
    arrivals than messages recorded as sent; the fake drops a held request whose caller died)."""
    def done() -> bool:
        unsent, sent = _queue(db_url, chats)
        return unsent == 0 and sum(fake.arrived(c) for c in chats) >= sent

    _wait(done, timeout, what)
    time.sleep(1.0)  # anything sent twice would arrive now
    return sum(fake.arrived(c) for c in chats) - _queue(db_url, chats)[1]


def restart_round(n: int, chats: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, TimedFakeTelegram() as fake:
        port = free_port()
        url = f"http://127.0.0.1:{port}/telegram/webhook"
        ids = [9000 + n * 100 + i for i in range(chats)]
        proc, db = start_recovery_bot(Path(tmp), port, "restart", **_settings(fake, port))
        try:
            base = _baseline(fake, url, ids)
            before = {c: fake.arrived(c) for c in ids}
            _hold_and_fill(fake, url, ids)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=5)
        for chat in ids:
            fake.release(chat)
        proc, _ = start_recovery_bot(Path(tmp), port, "restart", **_settings(fake, port))
        healthy = time.perf_counter()  # start_recovery_bot returns as /healthz first answers 200
        try:
            doubles = _settle(fake, f"sqlite:///{db}", ids, 60, "the replies after the restart")
            waits = [fake.arrivals[c][-1] - healthy for c in ids if fake.arrived(c) > before[c]]
            assert len(waits) == len(ids), "a chat got no reply after the restart"
        finally:
            stop_process(proc)
    return {"worst": max(waits), "p50": statistics.median(waits), "baseline_p50": statistics.median(base),
            "doubles": doubles}


def takeover_round(n: int, chats: int, url: str) -> dict[str, float] | None:
    from bench.common import drop_pg_schema, fresh_engine

    schema = f"bench_takeover_{os.getpid()}_{n}"
    fresh_engine(url, schema).dispose()
    from sqlalchemy.engine import make_url

    db_url = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)
    try:
        with tempfile.TemporaryDirectory() as tmp, TimedFakeTelegram() as fake:
            port_a, port_b = free_port(), free_port()
            ids = [9500 + n * 100 + i for i in range(chats)]
            a, _ = start_recovery_bot(Path(tmp), port_a, "a", **_settings(fake, port_a, DATABASE_URL=db_url))
            b, _ = start_recovery_bot(Path(tmp), port_b, "b", **_settings(fake, port_b, DATABASE_URL=db_url))
            try:
                before = {c: fake.arrived(c) for c in ids}
                _hold_and_fill(fake, f"http://127.0.0.1:{port_a}/telegram/webhook", ids)
                a.send_signal(signal.SIGKILL)
                killed = time.perf_counter()
                a.wait(timeout=5)
                for chat in ids:
                    fake.release(chat)
                doubles = _settle(fake, db_url, ids, 60, "the other process to take over")
                took = max(fake.arrivals[c][-1] for c in ids if fake.arrived(c) > before[c]) - killed
            finally:
                stop_process(a)
                stop_process(b)
    finally:
        drop_pg_schema(url, schema)
    return {"takeover": took, "doubles": doubles}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chats", type=int, default=10)
    args = parser.parse_args(argv)
    print(f"== restart after kill -9: {args.chats} chats with replies in flight and queued, {args.rounds} rounds")
    results = [restart_round(n, args.chats) for n in range(args.rounds)]
    for r in results:
        print(f"  restart: last reply {r['worst']:.1f} s after /healthz (p50 {r['p50']:.1f} s) "
              f"[target <= {TARGET_RESTART:.0f} s]; baseline reply p50 {r['baseline_p50'] * 1000:.0f} ms; "
              f"doubled {r['doubles']}")
    worst = [r["worst"] for r in results]
    print(f"  restart, worst over rounds: {min(worst):.1f}-{max(worst):.1f} s; doubled {sum(r['doubles'] for r in results)}")
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        print("  takeover: skipped (set TEST_DATABASE_URL to a PostgreSQL database)")
        return
    taken = [takeover_round(n, args.chats, url) for n in range(args.rounds)]
    for r in taken:
        print(f"  takeover by a second process on PostgreSQL: last reply {r['takeover']:.1f} s after the kill "
              f"[target <= {TARGET_TAKEOVER:.0f} s]; doubled {r['doubles']}")
    spans = [r["takeover"] for r in taken]
    print(f"  takeover, over rounds: {min(spans):.1f}-{max(spans):.1f} s; doubled {sum(r['doubles'] for r in taken)}")


if __name__ == "__main__":
    main()
