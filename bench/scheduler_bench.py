"""Scheduler at scale: planning passes over 100,000 clients, their memory, a rate-limited outbox drain, and the
usual python-telegram-bot alternative (one JobQueue.run_daily job per client) for comparison.

Run: `python -m bench.scheduler_bench` (or `./dev bench`, which runs every benchmark). SQLite file (WAL) in a temp
dir; PostgreSQL too when TEST_DATABASE_URL or BENCH_DATABASE_URL is set (in a private schema, `scheduler_bench`,
dropped afterwards, so a test run on the same database is not disturbed). `--quick` (or BENCH_QUICK=1) shortens
the outbox drain from 60 s to 10 s for smoke runs; `--drain-pg` (BENCH_DRAIN_PG=1) drains on PostgreSQL too;
`--clients N` changes the 100,000. Takes ~5.5 minutes on 2 cores, most of it the traced planning runs (3), the
60 s drain (4) and registering the PTB jobs (5).

Figures, with the targets they are checked against:
  1. one full planning pass (scheduler.passes.plan) over N clients with nothing due      [< 0.5 s]
  2. planning N daily prompts (scheduler.planner.plan_prompts), all due                 [< 20 s]
  3. tracemalloc peak while planning N/10 vs N prompts                                   [ratio ~1x: batched]
  4. outbox drain through a sender with a hard 30 msg/rolling-second limit, 60 s         [>= 95% of it, no 429s]
  5. python-telegram-bot: time and memory to register N run_daily jobs vs our bulk schedule update
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import deque
from datetime import UTC, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select, text, update

from bench import common
from data.content import Content
from data.models import (
    ChannelAddress,
    ClientProfile,
    Outbox,
    OutboxStatus,
    Person,
)
from handlers.types import FixedClock, Runtime, system_clock
from handlers.when import next_prompt_at, next_summary_at
from scheduler import planner
from scheduler.outbox import Delivery, RateLimit, RateLimited, SendResult
from scheduler.passes import plan

# Monday 2026-03-02, 10:00 in Hong Kong: the planning benchmarks' fixed clock (the drain uses the real one).
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
ZONES = ["Asia/Hong_Kong"] * 6 + ["Asia/Singapore", "Europe/London", "America/New_York", "Australia/Sydney"]
CHECKIN_TIMES = [wall_time(h, m) for h in (7, 8, 12, 18, 19, 20, 21, 22) for m in (0, 15, 30, 45)]
PG_SCHEMA = "scheduler_bench"
CHUNK = 10_000
LIMIT_PER_SECOND = 30


# -- seeding ------------------------------------------------------------------------------------------------
def fresh_engine(url: str):
    return common.fresh_engine(url, PG_SCHEMA)


def drop_pg_schema(url: str) -> None:
    common.drop_pg_schema(url, PG_SCHEMA)


def client_settings(n: int) -> tuple[str, wall_time]:
    return ZONES[n % len(ZONES)], CHECKIN_TIMES[(n * 7) % len(CHECKIN_TIMES)]


def seed_clients(engine, clients: int, now: datetime) -> None:
    """Consented clients with a console address and a profile whose next prompt and summary are ahead."""
    zones = {name: ZoneInfo(name) for name in set(ZONES)}
    summaries = {name: next_summary_at(zone, now) for name, zone in zones.items()}
    with engine.begin() as conn:
        for start in range(1, clients + 1, CHUNK):
            ids = range(start, min(start + CHUNK, clients + 1))
            people, addresses, profiles = [], [], []
            for pid in ids:
                zone, checkin = client_settings(pid)
                people.append(dict(id=pid, role="client", display_name=f"Client {pid}", locale="en",
                                   timezone=zone, consent_at=now - timedelta(days=30),
                                   created_at=now - timedelta(days=30)))
                addresses.append(dict(id=pid, person_id=pid, channel="console", address=f"c{pid}",
                                      opted_in_at=now - timedelta(days=30), opted_out_at=None,
                                      last_inbound_at=now - timedelta(days=1), unreachable_at=None))
                profiles.append(dict(person_id=pid, clinician_id=None, partner_share="missed", checkin_time=checkin,
                                     sobriety_start=None, streak_start=None, banked_sober_days=0,
                                     longest_streak_days=0, quiet_start=None, quiet_end=None, paused_until=None,
                                     backup_clinician_id=None,
                                     next_prompt_at=next_prompt_at(checkin, zones[zone], now),
                                     next_summary_at=summaries[zone]))
            conn.execute(Person.__table__.insert(), people)
            conn.execute(ChannelAddress.__table__.insert(), addresses)
            conn.execute(ClientProfile.__table__.insert(), profiles)
        if engine.dialect.name == "postgresql":
            for table in ("person", "channel_address"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {clients})"))
            conn.execute(text("ANALYZE"))


def reschedule_all(engine, now: datetime) -> int:
    """Our equivalent of registering every client's daily job: compute each next check-in with
    handlers.when.next_prompt_at and write them all back in one bulk UPDATE (executemany)."""
    profile = ClientProfile.__table__
    zones: dict[str, ZoneInfo] = {}
    with engine.begin() as conn:
        rows = conn.execute(select(profile.c.person_id, profile.c.checkin_time, profile.c.paused_until,
                                   Person.__table__.c.timezone)
                            .join(Person.__table__, Person.__table__.c.id == profile.c.person_id)).all()
        values = []
        for pid, checkin, paused, zone in rows:
            tz = zones.get(zone) or zones.setdefault(zone, ZoneInfo(zone))
            values.append({"pid": pid, "next": next_prompt_at(checkin, tz, now, not_before=paused)})
        conn.execute(update(profile).where(profile.c.person_id == bindparam("pid"))
                     .values(next_prompt_at=bindparam("next")), values)
    return len(values)


def make_all_due(engine, at: datetime, *, only_first: int | None = None) -> None:
    """Everyone due at `at`, as after downtime. A pass prompts for each client's current local day, once its
    check-in time has come, and no single instant is past every check-in time in five zones: so everyone's
    time becomes midnight, which has passed wherever they are."""
    profile = ClientProfile.__table__
    with engine.begin() as conn:
        conn.execute(update(profile).values(next_prompt_at=at, checkin_time=wall_time(0, 0)))
        if only_first is not None:  # the rest are not due for a long while
            conn.execute(update(profile).where(profile.c.person_id > only_first)
                         .values(next_prompt_at=at + timedelta(days=30)))
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE client_profile"))


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


# -- 1-3: planning --------------------------------------------------------------------------------------------
def planning(url: str, label: str, clients: int, *, memory: bool) -> dict:
    figures: dict = {}
    engine = fresh_engine(url)
    rt = Runtime(db=engine, content=Content(), clock=FixedClock(START))
    t0 = time.perf_counter()
    seed_clients(engine, clients, START)
    print(f"  [{label}] seeded {clients:,} clients in {time.perf_counter() - t0:.1f} s")

    # Our "registration": every client's next check-in computed and written back in bulk.
    t0 = time.perf_counter()
    reschedule_all(engine, START)
    figures["schedule_s"] = time.perf_counter() - t0
    print(f"{label:<12} schedule {clients:,} clients (next_prompt_at computed per client + one bulk UPDATE): "
          f"{figures['schedule_s']:.2f} s")

    # 1. A full planning pass with nothing due (after one warm-up pass).
    plan(rt, START)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        report = plan(rt, START)
        times.append(time.perf_counter() - t0)
    assert report.prompts == report.escalations == report.followups == report.summaries == 0, report
    figures["idle_pass_s"] = statistics.median(times)
    print(f"{label:<12} 1. full planning pass, {clients:,} clients, nothing due: "
          f"median {figures['idle_pass_s'] * 1000:.1f} ms (best {min(times) * 1000:.1f} ms, 5 runs) "
          f"[target < 500 ms] {'OK' if figures['idle_pass_s'] < 0.5 else 'MISSED'}")

    # 2. Everyone due at once.
    due_at = START - timedelta(minutes=1)
    make_all_due(engine, due_at)
    t0, cpu0 = time.perf_counter(), time.process_time()
    queued = planner.plan_prompts(rt, START)
    figures["plan_s"] = elapsed = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    outbox = count(engine, Outbox.__table__)
    assert queued == clients == outbox, (queued, clients, outbox)
    print(f"{label:<12} 2. plan_prompts, {clients:,} clients due: {queued:,} prompts in {elapsed:.2f} s = "
          f"{queued / elapsed:,.0f} prompts/s (this process's CPU: {cpu:.2f} s, {cpu / queued * 1e6:.0f} us/prompt) "
          f"[target < 20 s] {'OK' if elapsed < 20 else 'MISSED'}")

    # The pass right after the big one: nothing due again, but 100k open escalations and outbox rows exist now.
    t0 = time.perf_counter()
    plan(rt, START)
    figures["idle_after_s"] = time.perf_counter() - t0
    print(f"{label:<12}    full planning pass right after (nothing due; {clients:,} open escalations, "
          f"{outbox:,} outbox rows): {figures['idle_after_s'] * 1000:.1f} ms")

    if memory:
        # 3. Peak memory while planning a tenth of the prompts, then all of them, on the following days.
        t0 = time.perf_counter()
        small = clients // 10
        peaks = {}
        for day, wanted in ((1, small), (2, clients)):
            now = START + timedelta(days=day)
            make_all_due(engine, now - timedelta(minutes=1), only_first=wanted)
            gc.collect()
            tracemalloc.start()
            base = tracemalloc.get_traced_memory()[0]
            queued = planner.plan_prompts(rt, now)
            peaks[wanted] = tracemalloc.get_traced_memory()[1] - base
            tracemalloc.stop()
            assert queued == wanted, (queued, wanted)
        ratio = peaks[clients] / peaks[small]
        figures["peak_small"], figures["peak_large"], figures["peak_ratio"] = peaks[small], peaks[clients], ratio
        print(f"{label:<12} 3. tracemalloc peak during plan_prompts: {small:,} prompts {peaks[small] / 2**20:.1f} MiB, "
              f"{clients:,} prompts {peaks[clients] / 2**20:.1f} MiB, ratio {ratio:.2f}x "
              f"[target ~1x] {'OK' if ratio < 1.5 else 'MISSED'}")
        print(f"  [{label}] the two traced planning runs took {time.perf_counter() - t0:.0f} s")

    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            figures["index_bytes"] = conn.execute(
                text("SELECT pg_relation_size('ix_client_profile_next_prompt_at')")).scalar_one()
    engine.dispose()
    return figures


# -- 4: outbox drain -----------------------------------------------------------------------------------------------
class RollingLimitSender:
    """A stand-in for Telegram's bot API: at most `limit` messages in any rolling second, else HTTP 429.

    Like Telegram, the 429 says how long to wait in whole seconds. Each send takes `latency` seconds (network)."""

    channel = "telegram"

    def __init__(self, limit: int = LIMIT_PER_SECOND, latency: float = 0.02) -> None:
        self.limit = limit
        self.latency = latency
        self.window: deque[float] = deque()
        self.accepted: list[float] = []
        self.rejected: list[float] = []

    async def send(self, message: Outbox) -> SendResult:
        await asyncio.sleep(self.latency / 2)  # the request reaches the server
        now = time.monotonic()
        while self.window and self.window[0] <= now - 1.0:
            self.window.popleft()
        if len(self.window) >= self.limit:
            self.rejected.append(now)
            raise RateLimited(max(1, math.ceil(self.window[0] + 1.0 - now)))
        self.window.append(now)
        self.accepted.append(now)
        await asyncio.sleep(self.latency / 2)  # and the answer comes back
        return SendResult(provider_id=f"tg{message.id}")


def seed_outbox(engine, rows: int, now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(Outbox.__table__.insert(), [dict(
            person_id=None, channel="telegram", address=f"{100_000_000 + n}", text=f"Message {n}: how are you today?",
            options=[], numbered=True, kind="prompt", attachment=None, template_key=None, template_vars={},
            idempotency_key=f"bench:{n}", priority="normal", status=OutboxStatus.pending,
            due_at=now - timedelta(seconds=1), attempts=0, lease_until=None, provider_id=None, last_error=None,
            created_at=now - timedelta(seconds=1), sent_at=None) for n in range(rows)])
        if engine.dialect.name == "postgresql":
            # As autovacuum would have by now: on a never-analyzed outbox the claim query's NOT EXISTS becomes a
            # nested loop over every pair of rows (~2 s per claim with 2,900 rows).
            conn.execute(text("ANALYZE outbox"))


async def _drain_for(delivery: Delivery, seconds: float) -> tuple[float, float]:
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    loop.call_later(seconds, delivery.stop)
    await delivery.drain()
    return started, time.monotonic()


def drain(url: str, label: str, seconds: float) -> dict:
    engine = fresh_engine(url)
    rt = Runtime(db=engine, content=Content(), clock=system_clock)
    rows = int(LIMIT_PER_SECOND * seconds * 1.5) + 200  # more than can go out: the limit, not the queue, sets the pace
    seed_outbox(engine, rows, system_clock())
    sender = RollingLimitSender()
    delivery = Delivery(rt, {"telegram": sender}, limits={"telegram": RateLimit(LIMIT_PER_SECOND)})
    started, ended = asyncio.run(_drain_for(delivery, seconds))
    window_end = started + seconds
    in_window = sum(1 for t in sender.accepted if t <= window_end)
    rate = in_window / seconds
    pct = rate / LIMIT_PER_SECOND * 100
    # The worst rolling second the sender saw (should never exceed the limit: it refuses the rest).
    first_second = sum(1 for t in sender.accepted if t < started + 1.0)
    with engine.connect() as conn:
        statuses = dict(conn.execute(select(Outbox.status, func.count()).group_by(Outbox.status)).all())
    print(f"{label:<12} 4. outbox drain, {LIMIT_PER_SECOND} msg/s limit, {seconds:.0f} s: {in_window:,} sent = "
          f"{rate:.1f} msg/s = {pct:.1f}% of the limit [target >= 95%] {'OK' if pct >= 95 else 'MISSED'}; "
          f"429s: {len(sender.rejected)} [target 0] {'OK' if not sender.rejected else 'MISSED'}")
    first_429 = f"{sender.rejected[0] - started:.2f} s" if sender.rejected else "never"
    print(f"{label:<12}    (first second: {first_second} accepted; first 429 at {first_429}; stop took "
          f"{ended - window_end:.2f} s; outbox afterwards: "
          f"{', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))})")
    engine.dispose()
    return {"rate": rate, "pct": pct, "429s": len(sender.rejected)}


# -- 5: python-telegram-bot JobQueue ------------------------------------------------------------------------------
async def _daily_checkin(context) -> None:  # never runs: the jobs are only registered
    pass


def _rss() -> int:
    """This process's resident memory now (Linux), in bytes; 0 where /proc is missing."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


async def _ptb_register(clients: int, *, trace: bool) -> tuple[float, int]:
    """Register one run_daily job per client on a started JobQueue; returns (seconds, bytes the jobs hold).

    Bytes are tracemalloc's count when `trace`, else the growth of resident memory (tracemalloc makes
    APScheduler ~3x slower, so the timed run is not traced)."""
    from telegram.ext import ApplicationBuilder

    app = ApplicationBuilder().token("123:ABC").build()  # no network: never initialized or polled
    job_queue = app.job_queue
    await job_queue.start()  # a running AsyncIOScheduler, as in a live bot
    zones = {name: ZoneInfo(name) for name in set(ZONES)}
    settings = []
    for pid in range(1, clients + 1):
        zone, checkin = client_settings(pid)
        settings.append((pid, checkin.replace(tzinfo=zones[zone])))
    gc.collect()
    if trace:
        tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0] if trace else _rss()
    t0 = time.perf_counter()
    for pid, at in settings:
        job_queue.run_daily(_daily_checkin, time=at, chat_id=pid, name=f"checkin:{pid}", data=pid)
    elapsed = time.perf_counter() - t0
    gc.collect()
    if trace:
        held = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.stop()
    else:
        held = _rss() - base
    jobs = len(job_queue.jobs())
    assert jobs == clients, jobs
    await job_queue.stop(wait=False)
    del settings, job_queue, app
    gc.collect()
    return elapsed, held


def ptb(clients: int, ours: dict, *, traced_clients: int) -> None:
    try:
        import telegram
        from telegram.ext import JobQueue  # noqa: F401  (needs the job-queue extra: APScheduler)
    except ImportError as exc:
        print(f"python-telegram-bot JobQueue: skipped ({exc})")
        return
    elapsed, rss = asyncio.run(_ptb_register(clients, trace=False))
    _, traced = asyncio.run(_ptb_register(traced_clients, trace=True))
    per_job = traced / traced_clients
    held = per_job * clients if traced_clients != clients else traced
    how = ("tracemalloc" if traced_clients == clients
           else f"tracemalloc on {traced_clients:,} jobs, {per_job:,.0f} bytes/job, x {clients // traced_clients}")
    print(f"PTB {telegram.__version__:<8} 5. JobQueue.run_daily x {clients:,} on a running AsyncIOScheduler: "
          f"{elapsed:.2f} s to register ({clients / elapsed:,.0f} jobs/s); jobs hold {held / 2**20:.0f} MiB "
          f"({how}; resident memory grew {rss / 2**20:.0f} MiB)")
    ours_s = ours["schedule_s"]
    print(f"{'':<12}    time to schedule {clients:,} clients: ours {ours_s:.2f} s (handlers.when.next_prompt_at per "
          f"client + one bulk UPDATE, SQLite) vs PTB {elapsed:.2f} s: PTB takes {elapsed / ours_s:.0f}x as long")
    index = ours.get("pg_index_bytes")
    on_disk = f"; its PostgreSQL index is {index / 2**20:.1f} MiB on disk" if index else ""
    print(f"{'':<12}    memory held by the schedule: ours 0 bytes in process (it is client_profile.next_prompt_at in "
          f"the database{on_disk}) vs PTB {held / 2**20:.0f} MiB ({per_job:,.0f} bytes per client), "
          f"rebuilt on every restart")


# -- main -----------------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1",
                        help="drain for 10 s instead of 60 s (also BENCH_QUICK=1)")
    parser.add_argument("--drain-seconds", type=float, default=None)
    parser.add_argument("--drain-pg", action="store_true", default=os.environ.get("BENCH_DRAIN_PG") == "1",
                        help="drain on PostgreSQL too (another 60 s; also BENCH_DRAIN_PG=1)")
    args, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    seconds = args.drain_seconds or (10.0 if args.quick else 60.0)
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    print(f"scheduler benchmark: {args.clients:,} clients ({len(set(ZONES))} time zones, "
          f"{len(CHECKIN_TIMES)} check-in times), outbox drain {seconds:.0f} s at {LIMIT_PER_SECOND} msg/s; one process")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        ours = planning(f"sqlite:///{Path(tmp) / 'plan.db'}", "SQLite", args.clients, memory=True)
        if pg:
            try:
                pg_figures = planning(pg, "PostgreSQL", args.clients, memory=False)
                ours["pg_index_bytes"] = pg_figures.get("index_bytes")
            finally:
                drop_pg_schema(pg)
        else:
            print("PostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)")
        ptb(args.clients, ours, traced_clients=max(1, args.clients // 10))
        drain(f"sqlite:///{Path(tmp) / 'drain.db'}", "SQLite", seconds)
        if pg and args.drain_pg:
            try:
                drain(pg, "PostgreSQL", seconds)
            finally:
                drop_pg_schema(pg)
    print(f"  (scheduler benchmark took {time.perf_counter() - started:.0f} s; load average now "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
