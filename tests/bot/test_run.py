"""`recovery-bot run`, `tick` and `outbox` as an operator uses them: start, answer health checks, stop cleanly on
a signal, prompt console clients, and inspect or requeue messages without showing what they say."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "recovery-bot"
ONBOARDING = "\n".join(["hi", "1", "Ken", "Hong Kong", "9pm", "2 weeks ago", "2"]) + "\n"  # "2": network later
PROMPT = "time for today's check-in"


def env(**extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("DATABASE_URL", "DEFAULT_", "CONTENT_DIR"))
             and k not in ("PASS_INTERVAL_SECONDS", "LOG_LEVEL", "HOST", "PORT")}
    return {**clean, "LOG_LEVEL": "INFO", **extra}


def cli(*args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *args], input=stdin, capture_output=True, text=True, cwd=cwd, env=env(),
                          timeout=60)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sql(path: Path, statement: str, *params) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(statement, params).fetchall()
    conn.close()
    return rows


def stamp(instant: datetime) -> str:
    """An instant the way the database stores it (naive UTC)."""
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@pytest.fixture(scope="module")
def ken_template(tmp_path_factory) -> Path:
    """A database where Ken has onboarded on the console (check-in 21:00 Hong Kong), made once per module."""
    where = tmp_path_factory.mktemp("ken")
    path = where / "x.db"
    result = cli("chat", "--as", "ken", "--db", f"sqlite:///{path}", cwd=where, stdin=ONBOARDING)
    assert result.returncode == 0 and "I'll check in each day at 21:00" in result.stdout, result.stderr
    sql(path, "PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def ken(ken_template, tmp_path) -> tuple[str, Path]:
    """(database URL, file) of a fresh copy of Ken's database."""
    path = tmp_path / "x.db"
    shutil.copy(ken_template, path)
    return f"sqlite:///{path}", path


def make_prompt_due(path: Path) -> None:
    """Ken's check-in time came a minute ago today, in his zone (whatever the real time of day is)."""
    from zoneinfo import ZoneInfo

    now = datetime.now(UTC)
    (zone,) = sql(path, "SELECT timezone FROM person WHERE display_name = 'Ken'")[0]
    local_now = now.astimezone(ZoneInfo(zone))
    due = max(local_now - timedelta(minutes=1), local_now.replace(hour=0, minute=0, second=0, microsecond=0))
    sql(path, "UPDATE client_profile SET checkin_time = ?", due.strftime("%H:%M:%S.000000"))
    sql(path, "UPDATE client_profile SET next_prompt_at = ?", stamp(due.astimezone(UTC)))


def get_health(port: int) -> tuple[int, dict] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def default_signals() -> None:
    """Start the server as a terminal would, whatever this test run inherited (a background job ignores SIGINT)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextmanager
def server(tmp_path: Path, db: str, *, interval: str = "0.2", **settings: str):
    """`recovery-bot run` in the background, up and healthy; killed on the way out whatever happened."""
    port = free_port()
    with (tmp_path / "run.err").open("w") as err:
        proc = subprocess.Popen([str(BIN), "run", "--port", str(port), "--db", db], cwd=tmp_path,
                                env=env(PASS_INTERVAL_SECONDS=interval, **settings), stdout=subprocess.DEVNULL,
                                stderr=err,
                                preexec_fn=default_signals)
    try:
        deadline, health = time.monotonic() + 20, None
        while time.monotonic() < deadline and proc.poll() is None:
            health = get_health(port)
            if health is not None and health[0] == 200:
                break
            time.sleep(0.1)
        assert proc.poll() is None, f"run exited early ({proc.returncode}): {run_log(tmp_path)}"
        assert health == (200, {"status": "ok", "database": "ok"}), (health, run_log(tmp_path))
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)


def run_log(tmp_path: Path) -> str:
    """What `recovery-bot run` wrote to stderr (its log)."""
    return (tmp_path / "run.err").read_text()


def stop(proc: subprocess.Popen, sig: signal.Signals) -> int:
    proc.send_signal(sig)
    try:
        return proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pytest.fail(f"recovery-bot run did not stop within 10 s of {sig.name}")


# -- run ---------------------------------------------------------------------------------------------------
class UncleanStop(AssertionError):
    """The process did not shut down the way `run` promises (exit 0 after its own clean stop)."""


@pytest.mark.parametrize("sig", [pytest.param(signal.SIGINT, id="SIGINT"),
                                 pytest.param(signal.SIGTERM, id="SIGTERM")])
def test_run_stops_cleanly_with_exit_status_0_on_a_signal(tmp_path, sig):
    with server(tmp_path, f"sqlite:///{tmp_path}/x.db") as proc:
        time.sleep(0.5)  # a few scheduler passes (every 0.2 s) have run
        code = stop(proc, sig)
    stderr = run_log(tmp_path)
    assert "Traceback" not in stderr
    if code != 0 or "recovery-bot stopped" not in stderr:
        raise UncleanStop(f"exit status {code} after {sig.name}; stderr:\n{stderr}")


def test_run_is_healthy_and_its_scheduler_queues_a_due_prompt_that_the_console_client_then_reads(tmp_path, ken):
    db, path = ken
    make_prompt_due(path)
    with server(tmp_path, db) as proc:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not sql(path, "SELECT id FROM outbox WHERE kind = 'prompt'"):
            time.sleep(0.1)
        stop(proc, signal.SIGINT)
    assert sql(path, "SELECT status FROM outbox WHERE kind = 'prompt'") == [("pending",)]  # no console sender
    assert PROMPT in cli("chat", "--as", "ken", "--db", db, cwd=tmp_path).stdout


# -- tick ----------------------------------------------------------------------------------------------------
def test_tick_prompts_a_due_console_client_who_reads_it_in_the_next_chat_once(tmp_path, ken):
    db, path = ken
    make_prompt_due(path)
    ticked = cli("tick", "--db", db, cwd=tmp_path)
    assert ticked.returncode == 0 and "prompts 1," in ticked.stdout, ticked.stderr
    first = cli("chat", "--as", "ken", "--db", db, cwd=tmp_path)  # nothing typed: just collect what waits
    assert first.returncode == 0 and f"bot> Hi Ken, {PROMPT}" in first.stdout, first.stderr
    assert "[1 · Very low]" in first.stdout
    assert PROMPT not in cli("chat", "--as", "ken", "--db", db, cwd=tmp_path).stdout  # delivered once
    assert sql(path, "SELECT status FROM outbox WHERE kind = 'prompt'") == [("sent",)]


def test_tick_with_an_unreadable_instant_names_the_at_option(tmp_path):
    result = cli("tick", "--at", "not-a-date", "--db", f"sqlite:///{tmp_path}/x.db", cwd=tmp_path)
    assert result.returncode == 2
    assert "--at" in result.stderr and "not-a-date" in result.stderr
    assert "Traceback" not in result.stderr


# -- outbox ----------------------------------------------------------------------------------------------------
def test_outbox_lists_and_requeues_failed_messages_without_showing_their_text(tmp_path, ken):
    db, path = ken
    texts = [t for (t,) in sql(path, "SELECT text FROM outbox")]
    listed = cli("outbox", "--json", "--db", db, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [r["id"] for r in rows] == sorted((i for (i,) in sql(path, "SELECT id FROM outbox")), reverse=True)
    assert all({"status", "kind", "attempts"} <= set(r) and "text" not in r for r in rows)
    assert {(r["status"], r["kind"]) for r in rows} == {("sent", "reply")}
    assert not any(t[:40] in listed.stdout for t in texts)  # health data stays out of the listing

    failed_id, sent_id = rows[0]["id"], rows[1]["id"]
    sql(path, "UPDATE outbox SET status = 'failed', attempts = 8, last_error = 'TransientError' WHERE id = ?",
        failed_id)
    only_failed = cli("outbox", "--status", "failed", "--json", "--db", db, cwd=tmp_path)
    assert [(r["id"], r["status"], r["attempts"], r["last_error"]) for r in json.loads(only_failed.stdout)] == [
        (failed_id, "failed", 8, "TransientError")]
    table = cli("outbox", "--status", "failed", "--db", db, cwd=tmp_path).stdout
    assert "failed" in table and "TransientError" in table and str(failed_id) in table
    assert not any(t[:40] in table for t in texts)

    refused = cli("outbox", "retry", str(sent_id), "--db", db, cwd=tmp_path)
    assert refused.returncode == 1 and "not a failed message" in refused.stderr
    assert sql(path, "SELECT status FROM outbox WHERE id = ?", sent_id) == [("sent",)]

    retried = cli("outbox", "retry", str(failed_id), "--db", db, cwd=tmp_path)
    assert retried.returncode == 0 and f"message {failed_id} requeued" in retried.stdout, retried.stderr
    assert sql(path, "SELECT status, attempts, last_error FROM outbox WHERE id = ?", failed_id) == [
        ("pending", 0, None)]

    (text,) = sql(path, "SELECT text FROM outbox WHERE id = ?", failed_id)[0]
    assert text.splitlines()[0] in cli("chat", "--as", "ken", "--db", db, cwd=tmp_path).stdout  # sent again
    assert sql(path, "SELECT status FROM outbox WHERE id = ?", failed_id) == [("sent",)]


@pytest.mark.parametrize("enabled", [True, False], ids=["sandbox on", "sandbox off"])
def test_run_serves_the_sandbox_only_when_it_is_switched_on_and_never_with_its_own_data(tmp_path, enabled):
    path = tmp_path / "production.db"
    with server(tmp_path, f"sqlite:///{path}", SANDBOX_ENABLED=str(enabled).lower()) as proc:
        port = proc.args[proc.args.index("--port") + 1]
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sandbox", timeout=20) as response:
                status, page = response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            status, page = exc.code, ""
        stop(proc, signal.SIGINT)
    assert status == (200 if enabled else 404)
    if enabled:
        assert "three phones" in page and "Give this link to the client" in page
    # The sandbox's clinician and invitation live in the visitor's own world, not in this deployment's database.
    assert sql(path, "SELECT count(*) FROM person") == [(0,)]
