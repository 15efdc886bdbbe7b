"""The clinician dashboard with a full caseload: how long the server takes to render its pages.

Run: `python -m bench dashboard` (also part of `./dev bench`).

One clinician with 500 clients, each with 90 days of history (check-ins with mood and craving, about one missed
in nine, logged cravings with triggers, a slip for some, open alerts for a few), on a fresh SQLite file and,
when TEST_DATABASE_URL (or BENCH_DATABASE_URL) is set, in a private PostgreSQL schema. Each page is requested
in process through the app (httpx's ASGI transport, so no network), signed in, `--repeat` times after a
warm-up; the figure is the time from request to the last byte of the response, which is all server time
here. Baseline in the same run: GET /healthz (the app's floor, one trivial query).

Figures: Clients page (all 500 rows: days sober, streaks, check-ins over 7 and 30 days, craving trend with a
sparkline, open alerts, risk flags) [target: under 200 ms], the alert queue, and one client's page with its
90-day charts; median and p95 per store.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert

from bench.common import drop_pg_schema, fresh_engine
from data.content import Content
from data.models import CheckIn, ClientProfile, Craving, Escalation, EscalationStep, Person, Slip
from handlers import dashboard
from handlers.types import FixedClock, Runtime

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 14:00 in Hong Kong
TARGET_MS = 200
TRIGGERS = ["trig:hungry", "trig:angry", "trig:lonely", "trig:tired", "trig:people", "trig:places"]


def seed(engine, clients: int, days: int = 90) -> tuple[int, list[int]]:
    """One clinician and `clients` clients of hers with `days` of history; returns their ids."""
    rnd = random.Random(7)
    today = NOW.date()
    with engine.begin() as conn:
        clinician = conn.execute(insert(Person).values(role="clinician", display_name="Dr Chan", locale="en",
                                                       timezone="Asia/Hong_Kong", consent_at=NOW,
                                                       created_at=NOW).returning(Person.id)).scalar_one()
        ids = list(conn.execute(insert(Person).returning(Person.id), [
            {"role": "client", "display_name": f"Client {n:03d}", "locale": "en", "timezone": "Asia/Hong_Kong",
             "consent_at": NOW - timedelta(days=days), "created_at": NOW - timedelta(days=days)}
            for n in range(clients)]).scalars())
        conn.execute(insert(ClientProfile), [
            {"person_id": pid, "clinician_id": clinician, "streak_start": today - timedelta(days=rnd.randint(3, 300)),
             "sobriety_start": today - timedelta(days=400), "longest_streak_days": rnd.randint(10, 300)}
            for pid in ids])
        checkins, cravings, slips, escalations = [], [], [], []
        for pid in ids:
            usual = rnd.randint(2, 6)
            for back in range(days, 0, -1):
                day = today - timedelta(days=back)
                at = datetime(day.year, day.month, day.day, 13, 0, tzinfo=UTC)
                answered = rnd.random() > 0.11
                checkins.append({"client_id": pid, "local_date": day, "prompted_at": at,
                                 "answered_at": at + timedelta(minutes=12) if answered else None,
                                 "mood": rnd.randint(2, 5) if answered else None,
                                 "craving": min(10, max(0, usual + rnd.randint(-2, 2))) if answered else None})
                if rnd.random() < 0.15:
                    cravings.append({"client_id": pid, "logged_at": at - timedelta(hours=4),
                                     "intensity": rnd.randint(3, 9), "triggers": rnd.sample(TRIGGERS, 2),
                                     "outcome": rnd.choice(["passed", "still", None])})
            if rnd.random() < 0.2:
                slips.append({"client_id": pid, "occurred_on": today - timedelta(days=rnd.randint(1, 60)),
                              "reported_at": NOW - timedelta(days=1), "streak_days_before": 30})
            if rnd.random() < 0.05:
                escalations.append({"client_id": pid, "kind": "missed_checkin", "reason": str(today), "level": 3,
                                    "status": "open", "priority": "normal", "created_at": NOW - timedelta(hours=20)})
        for table, rows in ((CheckIn, checkins), (Craving, cravings), (Slip, slips)):
            for start in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[start:start + 5000])
        esc_ids = list(conn.execute(insert(Escalation).returning(Escalation.id), escalations).scalars()) \
            if escalations else []
        if esc_ids:
            conn.execute(insert(EscalationStep), [
                {"escalation_id": e, "step": "clinician_alert", "recipient_id": clinician, "at": NOW - timedelta(hours=1)}
                for e in esc_ids])
    return clinician, ids


async def measure(rt: Runtime, clinician_id: int, client_id: int, repeat: int) -> dict[str, list[float]]:
    from sqlmodel import Session

    from bot.web import create_app
    from bot.web.dashboard import Dashboard

    app = create_app(rt, Dashboard(rt, secret="bench-" + "x" * 40, secure_cookie=False).routes())
    with Session(rt.db) as session:
        token = dashboard.login_token(session, session.get(Person, clinician_id), rt.clock())
        session.commit()
    pages = {"healthz (baseline)": "/healthz", "clients (500)": "/dashboard/clients", "alert queue": "/dashboard",
             "client, 90 days": f"/dashboard/clients/{client_id}?days=90"}
    times: dict[str, list[float]] = {name: [] for name in pages}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
        assert (await http.get(f"/dashboard/login?token={token}")).status_code == 303
        for name, url in pages.items():  # warm-up: templates compiled, caches filled
            response = await http.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if name == "clients (500)":
                assert response.text.count("<tr>") >= 500, "not every client was rendered"
        for _ in range(repeat):
            for name, url in pages.items():
                t0 = time.perf_counter()
                response = await http.get(url)
                times[name].append(time.perf_counter() - t0)
                assert response.status_code == 200
    return times


def run_store(label: str, url: str, clients: int, repeat: int) -> dict[str, list[float]]:
    engine = fresh_engine(url, "bench_dashboard") if url.startswith("postgresql") else fresh_engine(url, "")
    t0 = time.perf_counter()
    clinician, ids = seed(engine, clients)
    print(f"  [{label}] seeded {clients} clients with 90 days of history in {time.perf_counter() - t0:.1f} s")
    rt = Runtime(db=engine, content=Content(), clock=FixedClock(NOW))
    try:
        return asyncio.run(measure(rt, clinician, ids[0], repeat))
    finally:
        engine.dispose()


def report(label: str, times: dict[str, list[float]]) -> None:
    for name, values in times.items():
        ms = sorted(v * 1000 for v in values)
        p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
        target = f" [target < {TARGET_MS} ms] {'OK' if statistics.median(ms) < TARGET_MS else 'MISSED'}" \
            if name.startswith("clients") else ""
        print(f"{label:<11} {name:<20} median {statistics.median(ms):6.1f} ms, p95 {p95:6.1f} ms "
              f"({len(ms)} requests){target}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args(argv)
    print(f"dashboard benchmark: one clinician, {args.clients} clients, 90 days each; in-process requests")
    with tempfile.TemporaryDirectory() as tmp:
        report("SQLite", run_store("SQLite", f"sqlite:///{Path(tmp) / 'dashboard.db'}", args.clients, args.repeat))
    pg = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if pg:
        try:
            report("PostgreSQL", run_store("PostgreSQL", pg, args.clients, args.repeat))
        finally:
            drop_pg_schema(pg, "bench_dashboard")
    else:
        print("PostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)")


if __name__ == "__main__":
    main()
