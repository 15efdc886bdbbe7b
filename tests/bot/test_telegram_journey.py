"""The Telegram channel end to end: a real `recovery-bot run` process talks real HTTP to a fake Bot API server.

One long, realistic journey per receiving mode (long polling and our own webhook): a client onboards, logs a
craving, maps a partner into their network and invites them; the partner accepts through the t.me deep link; a
clinician joins with the link `recovery-bot clinician invite` prints; then a missed check-in climbs the ladder
(`recovery-bot tick --at`) to the partner and the clinician, who acknowledges it. Everything a person would see
is read back from the fake server; the database is only read (to know when an update was committed and its
replies sent, and when Ken's next check-in is due).
"""

from __future__ import annotations

import html
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from bot.channels.telegram import COMMANDS, WEBHOOK_PATH
from bot.settings import Settings
from tests.fakes.telegram_api import FakeTelegram

BIN = Path(sys.executable).parent / "recovery-bot"
TOKEN = "7654321:AAF-journey_Token-x9Qz"  # the shape @BotFather hands out; must never reach a log
SECRET = "wh-Secret_0123456789abcdefGHIJKL"  # 32 characters of [A-Za-z0-9_-]
KEN, MUM, DOCTOR = 1001, 2002, 3003
WAIT = 10  # seconds: the bound on every wait for the bot
LINK = re.compile(r"https://t\.me/(\w+)\?start=([A-Za-z0-9_-]+)")
GROUP = "Tuesday NA <St John's> & coffee after"  # Ken's meeting, as he types it
ENTITY = re.compile(r"&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);")

assert len(SECRET) == 32


# -- processes ----------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(**settings: str) -> dict[str, str]:
    """This test's settings and nothing the surrounding shell may have set for the bot."""
    ours = {f.alias for f in Settings.model_fields.values()}
    env = {k: v for k, v in os.environ.items() if k not in ours}
    return {**env, **settings}


def default_signals() -> None:
    """Start the server as a terminal would, whatever this test run inherited (a background job ignores SIGINT)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


@dataclass
class Bot:
    """A running `recovery-bot run` with Telegram configured against the fake, and ways to talk to it."""

    fake: FakeTelegram
    mode: str
    tmp: Path
    proc: subprocess.Popen
    port: int
    env: dict[str, str]
    user_messages: dict[int, int] = field(default_factory=dict)

    # -- where things are --------------------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.tmp / "bot.db"

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook_url(self) -> str:
        return self.public_url + WEBHOOK_PATH

    def output(self) -> str:
        return (self.tmp / "run.out").read_text() + (self.tmp / "run.err").read_text()

    def sql(self, statement: str, *params) -> list[tuple]:
        conn = sqlite3.connect(self.db_path, timeout=5)
        try:
            return conn.execute(statement, params).fetchall()
        finally:
            conn.close()

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """Another `recovery-bot` command against the same database and fake Telegram."""
        result = subprocess.run([str(BIN), *args], capture_output=True, text=True, cwd=self.tmp, env=self.env,
                                timeout=60)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        assert TOKEN not in result.stdout + result.stderr, f"`recovery-bot {args[0]}` printed the bot token"
        return result

    # -- delivering updates as Telegram would -----------------------------------------------------------
    def deliver(self, update: dict) -> None:
        if self.mode == "webhook":
            response = self.fake.post_webhook(self.webhook_url, update, SECRET, timeout=WAIT)
            assert response.status_code == 200, (response.status_code, response.text)
        else:
            self.fake.queue_update(update)

    def _event_id(self, update_id: int) -> int | None:
        rows = self.sql("SELECT id FROM inbound_event WHERE channel = 'telegram' AND external_id = ?",
                        str(update_id))
        return rows[0][0] if rows else None

    def _replies(self, chat: int, update: dict, before: int) -> list[dict]:
        """Wait until the update is handled and every reply it queued for this chat went out; return those."""
        event_id = self.fake.wait_for(lambda: self._event_id(update["update_id"]), timeout=WAIT)

        def settled() -> bool:
            rows = self.sql("SELECT status, last_error FROM outbox WHERE idempotency_key LIKE ? "
                            "AND channel = 'telegram' AND address = ?", f"in:{event_id}:%", str(chat))
            failed = [r for r in rows if r[0] == "failed"]
            assert not failed, f"a reply to chat {chat} failed: {failed}"
            return bool(rows) and all(s == "sent" for s, _ in rows) and len(self.fake.sent(chat)) >= before + len(rows)

        self.fake.wait_for(settled, timeout=WAIT)
        new = self.fake.sent(chat)[before:]
        assert new, f"the bot sent nothing to chat {chat}"
        return new

    def say(self, chat: int, text: str, *, first_name: str) -> str:
        """The person types `text`; returns what the bot answered, as they read it."""
        before = len(self.fake.sent(chat))
        update = self.fake.make_message_update(chat, text, first_name=first_name)
        self.user_messages[chat] = self.user_messages.get(chat, 0) + 1
        self.deliver(update)
        return "\n".join(shown(p) for p in self._replies(chat, update, before))

    def bot_messages(self, chat: int) -> list[dict]:
        """The bot's messages in this chat as they look now (after edits), oldest first."""
        want, found, mid = len(self.fake.sent(chat)), [], 0
        while len(found) < want and mid < want + self.user_messages.get(chat, 0) + 10:
            mid += 1
            message = self.fake.message(chat, mid)
            if message is not None and message.get("from", {}).get("is_bot"):
                found.append(message)
        return found

    def button(self, chat: int, label: str) -> tuple[dict, dict]:
        """The newest message with a button whose label contains `label`, and that button."""
        for message in reversed(self.bot_messages(chat)):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if label.casefold() in button["text"].casefold():
                        return message, button
        raise AssertionError(f"no button {label!r} in chat {chat}; last messages: "
                             f"{[m.get('text', '')[:60] for m in self.bot_messages(chat)[-3:]]}")

    def tap(self, chat: int, label: str) -> str:
        """The person taps a button; returns the answer. The tap is answered and the question marked."""
        message, button = self.button(chat, label)
        before = len(self.fake.sent(chat))
        update = self.fake.make_callback_update(chat, button["callback_data"], message["message_id"])
        # The fake keeps the HTML the bot sent; Telegram hands the message back as the person sees it.
        if message.get("text"):
            update["callback_query"]["message"]["text"] = html.unescape(message["text"])
        self.deliver(update)
        replies = self._replies(chat, update, before)
        query_id = update["callback_query"]["id"]
        self.fake.wait_for(lambda: query_id in self.fake.answered_callbacks, timeout=WAIT)
        if message.get("text"):  # a question: it now shows the choice and no longer offers buttons
            marked = message["text"] + "\n\n" + html.escape(f"✓ {button['text']}", quote=False)
            edits = self.fake.wait_for(
                lambda: [e for e in self.fake.edits(chat) if e.get("message_id") == message["message_id"]],
                timeout=WAIT)
            assert len(edits) == 1 and edits[0]["text"] == marked, (edits, marked)
            assert edits[0].get("parse_mode") == "HTML"
            now = self.fake.message(chat, message["message_id"])
            assert now["text"] == marked and "reply_markup" not in now
        return "\n".join(shown(p) for p in replies)

    def tick(self, at: datetime) -> str:
        return self.cli("tick", "--at", at.isoformat()).stdout

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail("recovery-bot run did not stop within 10 s of SIGTERM")


def shown(params: dict) -> str:
    """A sent message as the person reads it (Telegram renders the HTML the bot sends)."""
    return html.unescape(params.get("text") or params.get("caption") or "")


TAG = re.compile(r"</?(?:b|strong|i|em|u|ins|s|strike|del|a|code|pre|tg-spoiler|tg-emoji|blockquote|span)\b[^<>]*>")
CHAR = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


def assert_telegram_html(raw: str) -> None:
    """Text Telegram's HTML parse mode accepts: every < opens a supported tag, every & starts an entity."""
    bare = TAG.sub("", raw)
    assert "<" not in bare and ">" not in bare, f"unescaped < or >: {raw!r}"
    assert "&" not in CHAR.sub("", bare), f"unescaped &: {raw!r}"


def labels(params: dict) -> list[str]:
    return [b["text"] for row in (params.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


@contextmanager
def running(tmp_path: Path, fake: FakeTelegram, mode: str):
    """`recovery-bot run` in the background, healthy; killed on the way out whatever happened."""
    port = free_port()
    env = base_env(
        DATABASE_URL=f"sqlite:///{tmp_path}/bot.db", TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_BASE_URL=fake.base_url, TELEGRAM_MODE=mode, TELEGRAM_WEBHOOK_SECRET=SECRET,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", PORT=str(port), PASS_INTERVAL_SECONDS="1", LOG_LEVEL="INFO",
        # Telegram allows ~1 message a second per chat over time; the journey types faster than a person, and
        # pacing is not what it is about (it would add ~25 s per mode).
        TELEGRAM_CHAT_RATE_PER_SECOND="30",
    )
    with (tmp_path / "run.out").open("w") as out, (tmp_path / "run.err").open("w") as err:
        proc = subprocess.Popen([str(BIN), "run"], cwd=tmp_path, env=env, stdout=out, stderr=err,
                                preexec_fn=default_signals)
    bot = Bot(fake=fake, mode=mode, tmp=tmp_path, proc=proc, port=port, env=env)
    try:
        deadline, status = time.monotonic() + 20, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status = httpx.get(f"{bot.public_url}/healthz", timeout=2).status_code
            except httpx.TransportError:
                status = None
            if status == 200:
                break
            time.sleep(0.05)
        assert proc.poll() is None, f"run exited early ({proc.returncode}): {bot.output()}"
        assert status == 200, (status, bot.output())
        yield bot
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture
def fake():
    with FakeTelegram(token=TOKEN, max_long_poll=1.0) as server:
        yield server


# -- the journey --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_a_whole_journey_over_telegram(tmp_path, fake, mode):
    with running(tmp_path, fake, mode) as bot:
        # 1. Registered with Telegram: the command menu, and in webhook mode our route with its secret.
        assert "setMyCommands" in fake.methods()
        assert [c["command"] for c in fake.commands] == list(COMMANDS)
        assert [c["command"] for c in fake.commands_for("zh")] == list(COMMANDS)  # and per language
        if mode == "webhook":
            hook = fake.webhook
            assert hook is not None and hook["url"] == bot.public_url + "/telegram/webhook"
            assert hook["secret_token"] == SECRET and hook["drop_pending_updates"] is False
            assert set(hook["allowed_updates"]) == {"message", "callback_query", "my_chat_member"}
        else:
            assert fake.webhook is None and "setWebhook" not in fake.methods()
            fake.wait_for(lambda: "getUpdates" in fake.methods(), timeout=WAIT)

        # 2. Ken onboards.
        reply = bot.say(KEN, "hi", first_name="Ken")
        assert "Hi, I'm the recovery companion" in reply and "Is that okay with you?" in reply
        assert labels(fake.sent(KEN)[-1])[0] == "I agree"
        reply = bot.tap(KEN, "I agree")
        assert "What would you like me to call you?" in reply
        assert labels(fake.sent(KEN)[-1]) == ["Ken"]  # his Telegram first name, offered as a button
        assert "Which city do you live in?" in bot.say(KEN, "Ken", first_name="Ken")
        assert "What time each day" in bot.tap(KEN, "Hong Kong time")
        assert "When did your current sober stretch begin?" in bot.say(KEN, "21:00", first_name="Ken")
        reply = bot.say(KEN, "today", first_name="Ken")
        assert "You're all set, Ken. I'll check in each day at 21:00 (Hong Kong time)." in reply
        assert "map out your support network" in reply
        reply = bot.tap(KEN, "Later")
        assert "Whenever you like, type network" in reply and "What would you like to do?" in reply

        # 3. A craving, logged and ridden out.
        reply = bot.say(KEN, "/craving", first_name="Ken")
        assert "How strong is it right now" in reply
        assert labels(fake.sent(KEN)[-1]) == [str(n) for n in range(11)]
        reply = bot.say(KEN, "7", first_name="Ken")
        assert "Noted at 7" in reply and "What set it off?" in reply
        assert "Got it: Lonely" in bot.tap(KEN, "Lonely")
        assert "Where are you right now?" in bot.tap(KEN, "Done")
        assert "Who are you with?" in bot.say(KEN, "home", first_name="Ken")
        assert "What will you do for the next 20 minutes?" in bot.tap(KEN, "Skip")
        reply = bot.tap(KEN, "Check HALT")
        assert "Check HALT: Are you Hungry, Angry, Lonely or Tired?" in reply and "I'll check back in 20" in reply
        assert "Well done" in bot.tap(KEN, "It passed")

        # 4. His network: Mum, as his accountability partner.
        reply = bot.say(KEN, "/network", first_name="Ken")
        assert "(1/12) Family and friends" in reply
        assert "How can you reach Mum?" in bot.say(KEN, "Mum", first_name="Ken")
        assert "Would you like Mum to be an accountability partner?" in bot.say(KEN, "9123 4567", first_name="Ken")
        reply = bot.tap(KEN, "Yes")
        assert "Noted: Mum is one of your accountability partners" in reply and "(2/12) 12-step" in reply
        # A name with what HTML cares about arrives as written, in a question and in its edit after a tap.
        assert f"How can you reach {GROUP}?" in bot.say(KEN, GROUP, first_name="Ken")
        assert "(3/12) Therapy" in bot.tap(KEN, "Skip")
        reply = bot.tap(KEN, "Finish for now")
        assert "Family and friends: Mum (accountability partner)" in reply
        assert f"12-step and support groups: {GROUP}" in reply

        # 5. The invitation, through the bot's own t.me deep link.
        assert "Whom would you like to invite" in bot.say(KEN, "/invite", first_name="Ken")
        reply = bot.tap(KEN, "Mum")
        assert "works once and expires in 7 days" in reply
        username, token = LINK.search(reply).groups()
        assert username == fake.username

        # 6. Mum opens the link (Telegram sends "/start <token>") and says yes; Ken is told.
        reply = bot.say(MUM, f"/start {token}", first_name="Mum")
        assert "Ken has invited you to be their accountability partner" in reply
        assert "What you won't see: their cravings, slips, notes or messages" in reply
        assert "now Ken's accountability partner" in bot.tap(MUM, "Yes, I'll help")
        fake.wait_for(lambda: any("Mum accepted your invitation" in t for t in fake.texts(KEN)), timeout=WAIT)

        # 7. A clinician joins with the link the operator's command prints.
        printed = bot.cli("clinician", "invite", "--name", "Dr Chan").stdout
        username, doctor_token = LINK.search(printed).groups()
        assert username == fake.username
        assert "as a clinician" in bot.say(DOCTOR, f"/start {doctor_token}", first_name="Grace")
        assert "Alerts will arrive here" in bot.tap(DOCTOR, "Yes")

        # 8. Ken misses a check-in: prompt, partner nudge at 3 h, clinician alert at 24 h.
        ((stamp,),) = bot.sql("SELECT next_prompt_at FROM client_profile")
        due = datetime.fromisoformat(stamp).replace(tzinfo=UTC)
        ken_before = len(fake.sent(KEN))
        assert "prompts 1," in bot.tick(due)
        prompt = next(p for p in fake.sent(KEN)[ken_before:] if "time for today's check-in" in p["text"])
        assert prompt["text"].startswith("Hi Ken,")
        assert labels(prompt) == ["1 · Very low", "2 · Low", "3 · Okay", "4 · Good", "5 · Great"]
        assert [b["callback_data"] for row in prompt["reply_markup"]["inline_keyboard"] for b in row] == [
            f"mood:{n}" for n in range(1, 6)]

        mum_before = len(fake.sent(MUM))
        bot.tick(due + timedelta(hours=3))
        nudges = [shown(p) for p in fake.sent(MUM)[mum_before:]]
        assert len(nudges) == 1 and "Ken hasn't done today's check-in" in nudges[0], nudges
        for private in ("craving", "slip", "lonely", "halt", "home", "7"):
            assert private not in nudges[0].lower(), (private, nudges[0])

        doctor_before = len(fake.sent(DOCTOR))
        bot.tick(due + timedelta(hours=24))
        (alert,) = [p for p in fake.sent(DOCTOR)[doctor_before:] if "Missed check-in: Ken" in p["text"]]
        assert "Partners nudged: Mum." in shown(alert)
        assert [label.startswith("Acknowledge") for label in labels(alert)] == [True]
        assert "You've got Ken" in bot.tap(DOCTOR, "Acknowledge")

        # 9. Everything anyone was shown: escaped once, buttons Telegram accepts, nothing left undelivered.
        chats = (KEN, MUM, DOCTOR)
        everything = [p for c in chats for p in fake.sent(c)] + [e for c in chats for e in fake.edits(c)]
        for params in everything:
            assert params.get("parse_mode") == "HTML"
            assert_telegram_html(params["text"])
            assert not ENTITY.search(shown(params)), f"escaped twice: {params.get('text')!r}"
            for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
                for b in row:
                    assert 1 <= len(b["callback_data"].encode()) <= 64, b
        assert bot.sql("SELECT id, kind, last_error FROM outbox WHERE status = 'failed'") == []
        if mode == "polling":  # each update was confirmed (offset moved past it) once handled
            fake.wait_for(lambda: not fake.pending_updates, timeout=WAIT)

        # 10. SIGTERM: a clean stop, and the token never printed.
        code = bot.stop()
        output = bot.output()
        assert TOKEN not in output and TOKEN.split(":", 1)[1] not in output, "the bot token was logged"
        assert SECRET not in output, "the webhook secret was logged"
        assert "Traceback" not in output, output
        assert code == 0, f"exit status {code} after SIGTERM; output:\n{output[-3000:]}"
        assert "recovery-bot stopped" in output


# -- the webhook's door -------------------------------------------------------------------------------------
def test_the_webhook_refuses_strangers_and_malformed_bodies_without_storing_anything(tmp_path, fake):
    with running(tmp_path, fake, "webhook") as bot:
        update = fake.make_message_update(KEN, "hi", first_name="Ken")
        body = json.dumps(update).encode()

        def post(content: bytes, secret: str | None) -> int:
            headers = {"Content-Type": "application/json"}
            if secret is not None:
                headers["X-Telegram-Bot-Api-Secret-Token"] = secret
            return httpx.post(bot.webhook_url, content=content, headers=headers, timeout=WAIT).status_code

        assert post(body, None) == 403
        assert post(body, "") == 403
        assert post(body, "wrong-secret-0123456789abcdefghij") == 403
        assert post(body, SECRET[:-1]) == 403
        assert post(body, SECRET.upper()) == 403
        assert post(b"not json", SECRET) == 400
        assert post(b"\xff\xfe{", SECRET) == 400
        assert post(b"[1, 2, 3]", SECRET) == 400
        assert post(json.dumps([update]).encode(), SECRET) == 400
        assert post(json.dumps({"message": update["message"]}).encode(), SECRET) == 400
        assert post(json.dumps({**update, "update_id": str(update["update_id"])}).encode(), SECRET) == 400
        assert httpx.get(bot.webhook_url, timeout=WAIT).status_code == 405
        time.sleep(0.3)
        assert bot.sql("SELECT COUNT(*) FROM inbound_event") == [(0,)]
        assert bot.sql("SELECT COUNT(*) FROM person") == [(0,)]
        assert fake.sent(KEN) == []

        # The same update, properly signed, is taken (so the refusals above were about the request alone).
        assert post(body, SECRET) == 200
        assert bot.sql("SELECT COUNT(*) FROM inbound_event") == [(1,)]
        fake.wait_for(lambda: fake.texts(KEN), timeout=WAIT)
        queued = bot.sql("SELECT COUNT(*) FROM outbox")
        assert post(body, SECRET) == 200  # Telegram re-delivers after a timeout: handled once
        assert bot.sql("SELECT COUNT(*) FROM inbound_event") == [(1,)]
        assert bot.sql("SELECT COUNT(*) FROM outbox") == queued
