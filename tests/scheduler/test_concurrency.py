"""Several scheduler workers on one PostgreSQL database: every client prompted once, every message sent once,
each recipient's messages in order, and nothing lost to a worker that dies or a process that restarts."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import time as wall
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from data.models import ChannelAddress, CheckIn, ClientProfile, Escalation, Outbox, Person
from handlers.types import Clinic, FixedClock, Runtime
from scheduler import planner
from scheduler.outbox import Delivery, SendResult, claim
from tests.chat import Chat
from tests.conftest import PG_URL, START, _truncate

CLIENTS = 1_000
DUE = START - timedelta(hours=1)  # 09:00 in Hong Kong, the seeded clients' check-in time
TOMORROW = datetime(2026, 3, 3, 1, 0, tzinfo=UTC)  # 09:00 in Hong Kong the next day
TIMEOUT = 60  # seconds: no wait in this file is unbounded


@pytest.fixture
def pg(pg_engine):
    """The PostgreSQL engine, emptied (these tests are about row locks SQLite does not have)."""
    _truncate(pg_engine)
    return pg_engine


@pytest.fixture
def rt(pg, content) -> Runtime:
    return Runtime(db=pg, content=content, clock=FixedClock(START), clinic=Clinic("Harbour Clinic", "Dr Chan"))


class SharedSender:
    """One console sender used by every worker at once: records (outbox id, address, worker) under a lock."""

    channel = "console"

    def __init__(self, delay: float = 0.001):
        self.delay = delay
        self.lock = threading.Lock()
        self.sent: list[tuple[int, str, str]] = []

    async def send(self, message: Outbox) -> SendResult:
        await asyncio.sleep(self.delay)
        with self.lock:
            self.sent.append((message.id, message.address, threading.current_thread().name))
        return SendResult(provider_id=f"p{message.id}")

    def ids(self) -> list[int]:
        with self.lock:
            return [i for i, _, _ in self.sent]

    def by_address(self) -> dict[str, list[int]]:
        seen: dict[str, list[int]] = defaultdict(list)
        with self.lock:
            for outbox_id, address, _ in self.sent:
                seen[address].append(outbox_id)
        return seen


# -- helpers ----------------------------------------------------------------------------------------------
def seed_clients(db, n: int = CLIENTS) -> list[int]:
    """n consented clients on the console, check-in at 09:00 Hong Kong, all due an hour ago (bulk inserts)."""
    with db.begin() as conn:
        people = conn.execute(
            insert(Person.__table__).returning(Person.__table__.c.id, sort_by_parameter_order=True),
            [dict(role="client", display_name=f"Client {i}", locale="en", timezone="Asia/Hong_Kong",
                  consent_at=DUE - timedelta(days=1), created_at=DUE - timedelta(days=1)) for i in range(n)],
        ).scalars().all()
        conn.execute(insert(ChannelAddress.__table__), [
            dict(person_id=pid, channel="console", address=f"client-{pid}", opted_in_at=DUE - timedelta(days=1))
            for pid in people
        ])
        conn.execute(insert(ClientProfile.__table__), [
            dict(person_id=pid, partner_share="missed", checkin_time=time(9, 0), banked_sober_days=0,
                 longest_streak_days=0, next_prompt_at=DUE) for pid in people
        ])
    return list(people)


def queue_messages(db, recipients: int, per_recipient: int) -> dict[str, list[int]]:
    """Queue messages round-robin (so recipients' ids interleave); returns each address's ids, oldest first."""
    rows = [
        dict(person_id=None, channel="console", address=f"r{r:02}", text=f"r{r:02} message {k}", options=[],
             numbered=True, kind="reply", attachment=None, template_key=None, template_vars={},
             idempotency_key=f"test:{r}:{k}", priority="normal", status="pending", due_at=START - timedelta(minutes=1),
             attempts=0, lease_until=None, provider_id=None, last_error=None, created_at=START, sent_at=None)
        for k in range(1, per_recipient + 1) for r in range(recipients)
    ]
    with db.begin() as conn:
        conn.execute(insert(Outbox.__table__), rows)
    return queues(db)


def queues(db) -> dict[str, list[int]]:
    with Session(db) as session:
        found: dict[str, list[int]] = defaultdict(list)
        for outbox_id, address in session.exec(select(Outbox.id, Outbox.address).order_by(col(Outbox.id))):
            found[address].append(outbox_id)
        return dict(found)


def outbox(db) -> list[Outbox]:
    with Session(db) as session:
        return list(session.exec(select(Outbox).order_by(col(Outbox.id))))


def count(db, model) -> int:
    with Session(db) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def run_threads(target, n: int) -> list:
    """Run target(i) on n threads released together; returns their results, re-raising the first error."""
    gate = threading.Barrier(n)
    results: list = [None] * n
    errors: list[BaseException] = []

    def body(i: int) -> None:
        try:
            gate.wait(timeout=TIMEOUT)
            results[i] = target(i)
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)

    threads = [threading.Thread(target=body, args=(i,), name=f"worker-{i}") for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    if errors:
        raise errors[0]
    return results


def drain_until_empty(rt: Runtime, sender, *, batch: int = 25, at: datetime | None = None) -> int:
    """What one worker process does: drain, again and again, until a drain finds nothing to send."""
    clock = FixedClock(at or rt.clock())
    total, deadline = 0, wall.monotonic() + TIMEOUT
    while wall.monotonic() < deadline:
        sent = asyncio.run(Delivery(replace(rt, clock=clock), {"console": sender}, limits={}, batch=batch).drain())
        if not sent:
            return total
        total += sent
    raise AssertionError("drain never ran dry")


def _plan_in_process(url: str, gate, results) -> None:
    """A separate scheduler process: its own engine and runtime, released together with the other one."""
    from data.content import Content
    from data.db import make_engine

    engine = make_engine(url)
    try:
        worker_rt = Runtime(db=engine, content=Content(), clock=FixedClock(START))
        gate.wait(timeout=TIMEOUT)
        results.put(("ok", planner.plan_prompts(worker_rt, START, batch=50)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        results.put(("error", repr(exc)))
    finally:
        engine.dispose()


def assert_everyone_prompted_once(rt: Runtime, people: list[int]) -> None:
    rows = outbox(rt.db)
    prompts = [r for r in rows if r.kind == "prompt"]
    assert len(rows) == len(prompts) == CLIENTS
    assert Counter(r.person_id for r in prompts) == Counter(people)  # each client exactly one prompt
    assert all(r.address == f"client-{r.person_id}" and r.status == "pending" for r in prompts)
    assert count(rt.db, CheckIn) == CLIENTS
    with Session(rt.db) as session:
        checkins = list(session.exec(select(CheckIn)))
        missed = list(session.exec(select(Escalation)))
        schedule = list(session.exec(select(ClientProfile.next_prompt_at)))
    assert sorted(c.client_id for c in checkins) == sorted(people)
    assert {c.local_date.isoformat() for c in checkins} == {"2026-03-02"}
    assert sorted(e.client_id for e in missed) == sorted(people)  # one ladder per missed check-in, not two
    assert set(schedule) == {TOMORROW}  # everyone's next check-in moved to tomorrow


# -- planning -----------------------------------------------------------------------------------------------
def test_a_thousand_due_clients_split_between_four_planner_threads_are_each_prompted_once(rt):
    people = seed_clients(rt.db)
    counts = run_threads(lambda _: planner.plan_prompts(rt, START, batch=50), 4)
    assert sum(counts) == CLIENTS
    assert sum(1 for n in counts if n) >= 2  # the clients really were split between workers
    assert_everyone_prompted_once(rt, people)
    assert planner.plan_prompts(rt, START + timedelta(minutes=1), batch=50) == 0  # and the next pass: nobody


def test_two_scheduler_processes_planning_at_once_prompt_each_client_once(rt):
    people = seed_clients(rt.db)
    ctx = multiprocessing.get_context("spawn")
    gate, results = ctx.Barrier(2), ctx.Queue()
    workers = [ctx.Process(target=_plan_in_process, args=(PG_URL, gate, results)) for _ in range(2)]
    try:
        for p in workers:
            p.start()
        outcomes = [results.get(timeout=TIMEOUT) for _ in workers]
        for p in workers:
            p.join(timeout=TIMEOUT)
    finally:
        for p in workers:
            if p.is_alive():
                p.kill()
                p.join(timeout=5)
    assert [status for status, _ in outcomes] == ["ok", "ok"], outcomes
    assert sum(n for _, n in outcomes) == CLIENTS
    assert all(n for _, n in outcomes)  # both processes took a share
    assert all(p.exitcode == 0 for p in workers)
    assert_everyone_prompted_once(rt, people)


# -- delivering -----------------------------------------------------------------------------------------------
def test_a_thousand_prompts_drained_by_four_workers_are_each_sent_exactly_once(rt):
    seed_clients(rt.db)
    assert planner.plan_prompts(rt, START) == CLIENTS
    sender = SharedSender()
    sent_counts = run_threads(lambda _: drain_until_empty(rt, sender, batch=25), 4)
    ids = sender.ids()
    rows = outbox(rt.db)
    assert sum(sent_counts) == len(ids) == CLIENTS
    assert Counter(ids) == Counter(r.id for r in rows)  # every message once: none twice, none missing
    assert all((r.status, r.provider_id, r.sent_at, r.lease_until) == ("sent", f"p{r.id}", START, None)
               for r in rows)
    assert len({worker for _, _, worker in sender.sent}) >= 2  # the work really was shared


def test_each_recipients_messages_arrive_in_order_while_four_workers_drain(rt):
    queued = queue_messages(rt.db, recipients=50, per_recipient=5)
    sender = SharedSender()
    run_threads(lambda _: drain_until_empty(rt, sender, batch=7), 4)
    assert sender.by_address() == queued  # per recipient: every id, once, oldest first
    assert len(sender.ids()) == 250
    texts = {r.id: r.text for r in outbox(rt.db)}
    for address, ids in sender.by_address().items():
        assert [texts[i] for i in ids] == [f"{address} message {k}" for k in range(1, 6)]


def test_a_worker_that_dies_holding_messages_delays_them_until_its_lease_ends_then_they_go_once(rt):
    chats = [Chat(rt, address=f"person-{n:02}") for n in range(20)]
    for chat in chats:
        chat.send("hi")
    everything = queues(rt.db)
    crashed = claim(rt.db, START, limit=10, lease=timedelta(seconds=30))  # ... and the worker is killed
    held = {r.id for r in crashed}
    assert len({r.address for r in crashed}) == 10

    survivor = SharedSender()
    drain_until_empty(rt, survivor, at=START)  # another worker, at the same moment
    sent_now = set(survivor.ids())
    assert sent_now and not sent_now & held
    assert sent_now | held == {i for ids in everything.values() for i in ids}
    assert drain_until_empty(rt, survivor, at=START + timedelta(seconds=29)) == 0  # the lease still holds

    later = SharedSender()
    run_threads(lambda _: drain_until_empty(rt, later, at=START + timedelta(seconds=31)), 3)
    assert Counter(later.ids()) == Counter(held)  # each held message once, by whichever worker took it
    assert later.by_address() == {a: ids for a, ids in everything.items() if set(ids) <= held}
    assert all(r.status == "sent" for r in outbox(rt.db))


def test_replies_committed_before_a_crash_are_delivered_in_order_by_the_restarted_process(rt):
    from bot.bootstrap import build_runtime
    from bot.settings import load_settings

    ken, mei = Chat(rt, address="ken"), Chat(rt, address="mei")
    ken.send("hi")
    mei.send("hi")
    ken.tap("I agree")
    ken.send("Ken")
    mei.tap("I agree")
    queued = outbox(rt.db)
    assert len(queued) >= 4 and all(r.status == "pending" for r in queued)  # committed, never sent: "crash"

    restarted = build_runtime(load_settings(DATABASE_URL=PG_URL), clock=FixedClock(START))
    try:
        sender = SharedSender()
        assert drain_until_empty(restarted, sender) == len(queued)
        assert sender.by_address() == queues(rt.db)  # each person's replies once, in the order written
        assert sorted(sender.ids()) == [r.id for r in queued]
        assert all(r.status == "sent" and r.provider_id == f"p{r.id}" for r in outbox(rt.db))
        assert drain_until_empty(restarted, sender) == 0
    finally:
        restarted.db.dispose()
