"""Drives a realistic mix of client conversations through dispatch and prints messages/s and p50/p99 latency.

Run: `./dev bench` (SQLite file in WAL; PostgreSQL too when TEST_DATABASE_URL or BENCH_DATABASE_URL is set).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import drop_pg_schema, fresh_engine
from data.content import Content
from handlers.dispatch import dispatch
from handlers.types import FixedClock, Inbound, Runtime

ONBOARDING = ["hi", "1", "Sam", "Hong Kong", "9pm", "3 weeks ago", "2"]
CHECKIN = ["/checkin", "4", "3", "no", "skip"]
CRAVING = ["craving", "6", "lonely, tired", "done", "home", "skip", "1", "It passed"]
NETWORK = ["/network", "Mum", "9123 4567", "yes", "Finish"]
# A long chat message is a paragraph, not a page: the 5,000-character case is timed on its own below.
PARAGRAPH = ("Today was rough. Work was stressful and I walked past the bar on the way home, "
             "but I called my sister instead and we talked for a while. ") * 3
ODD = ["what's up?", "🙂", "/help", "menu", "1", PARAGRAPH, "cancel"]
SESSION = CHECKIN + CRAVING + ODD + NETWORK + ["/settings", "Quiet hours", "22:00-07:00", "Done"]


def conversations(clients: int, rounds: int) -> list[tuple[str, str]]:
    """Interleave clients' messages round-robin, the way real traffic arrives."""
    scripts = [ONBOARDING + SESSION * rounds for _ in range(clients)]
    longest = max(len(s) for s in scripts)
    return [(f"bench-{c}", scripts[c][i]) for i in range(longest) for c in range(clients) if i < len(scripts[c])]


def run(url: str, label: str, clients: int, rounds: int) -> dict[str, float]:
    engine = fresh_engine(url, "dispatch_bench")
    clock = FixedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    rt = Runtime(db=engine, content=Content(), clock=clock)
    messages = conversations(clients, rounds)
    latencies = []
    started = time.perf_counter()
    for n, (address, message) in enumerate(messages):
        t0 = time.perf_counter()
        dispatch(rt, Inbound("bench", address, f"m{n}", text=message))
        latencies.append(time.perf_counter() - t0)
        clock.advance(seconds=0.05)
    elapsed = time.perf_counter() - started
    long_ms = []
    for n in range(20):
        t0 = time.perf_counter()
        dispatch(rt, Inbound("bench", "bench-0", f"long{n}", text="I am writing a very long message. " * 150))
        long_ms.append((time.perf_counter() - t0) * 1000)
    engine.dispose()
    latencies.sort()
    figures = {
        "messages": len(messages),
        "per_second": len(messages) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "long_ms": statistics.median(long_ms),
    }
    print(f"{label:<22} {figures['messages']:>7} msgs  {figures['per_second']:>8.0f} msg/s  "
          f"p50 {figures['p50_ms']:.2f} ms  p99 {figures['p99_ms']:.2f} ms  "
          f"(one 5,100-character message: {figures['long_ms']:.1f} ms)")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args([])
    print(f"dispatch benchmark: {args.clients} clients, onboarding + {args.rounds} rounds of "
          f"check-in, craving, odd input, network and settings; one process")
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'bench.db'}", "SQLite (file, WAL)", args.clients, args.rounds)
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if pg:
        try:
            run(pg, "PostgreSQL", args.clients, args.rounds)
        finally:
            drop_pg_schema(pg, "dispatch_bench")
    else:
        print("PostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)")


if __name__ == "__main__":
    main()
