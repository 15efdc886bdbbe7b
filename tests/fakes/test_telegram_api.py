"""The fake Telegram Bot API, exercised through the real python-telegram-bot library."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import telegram
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)

from tests.fakes.telegram_api import FakeTelegram

# PTB 22 warns inside RetryAfter itself that retry_after will become a timedelta.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

CHAT = 4242
OTHER = 777
YES = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes")]])
YES_JSON = {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"}]]}


@pytest.fixture
def fake():
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(fake):
    async with telegram.Bot(
        fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url
    ) as bot:
        yield bot


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else value


# ---------------------------------------------------------------- basics


def test_urls_and_lifecycle():
    fake = FakeTelegram()
    with pytest.raises(RuntimeError):
        _ = fake.url
    with fake:
        assert fake.url.startswith("http://127.0.0.1:")
        assert fake.base_url == fake.url + "/bot"
        response = httpx.get(f"{fake.base_url}{fake.token}/getMe")
        assert response.json()["result"]["username"] == "recovery_test_bot"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{fake.base_url}{fake.token}/getMe", timeout=1)


async def test_get_me(fake, bot):
    me = await bot.get_me()
    assert me.username == "recovery_test_bot"
    assert me.is_bot and me.can_join_groups and me.id == 123456
    assert bot.username == "recovery_test_bot"
    assert fake.calls[0] == ("getMe", {})


async def test_send_message_records_decoded_keyboard(fake, bot):
    message = await bot.send_message(CHAT, "hi", reply_markup=YES)
    assert message.message_id == 1
    assert message.chat.id == CHAT and message.chat.type == "private"
    assert message.from_user.username == "recovery_test_bot"
    assert message.text == "hi"
    assert message.reply_markup == YES

    [sent] = fake.sent(CHAT)
    assert sent["chat_id"] == CHAT
    assert sent["text"] == "hi"
    assert sent["reply_markup"] == YES_JSON
    assert fake.calls[-1][0] == "sendMessage"

    # Ids increase per chat; texts that look like JSON stay strings.
    assert (await bot.send_message(CHAT, "123")).message_id == 2
    assert (await bot.send_message(OTHER, "true")).message_id == 1
    assert fake.texts(CHAT) == ["hi", "123"]
    assert fake.texts(OTHER) == ["true"]


async def test_send_message_validation(fake, bot):
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(CHAT, "x" * 4097)
    too_long_data = InlineKeyboardMarkup([[InlineKeyboardButton("B", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(CHAT, "hi", reply_markup=too_long_data)
    assert fake.sent(CHAT) == []
    assert [m for m, _ in fake.calls] == ["getMe", "sendMessage", "sendMessage"]


async def test_edits(fake, bot):
    message = await bot.send_message(CHAT, "Question?", reply_markup=YES)
    edited = await bot.edit_message_text("Answered", chat_id=CHAT, message_id=message.message_id)
    assert isinstance(edited, telegram.Message)
    assert edited.text == "Answered" and edited.edit_date is not None
    assert edited.reply_markup is None
    assert fake.edits(CHAT) == [{"chat_id": CHAT, "message_id": 1, "text": "Answered"}]
    assert fake.message(CHAT, 1)["text"] == "Answered"

    edited = await bot.edit_message_reply_markup(chat_id=CHAT, message_id=1, reply_markup=YES)
    assert edited.reply_markup == YES and edited.text == "Answered"
    assert fake.edits(CHAT)[-1]["reply_markup"] == YES_JSON

    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(chat_id=CHAT, message_id=1, reply_markup=YES)
    with pytest.raises(BadRequest, match="not found"):
        await bot.edit_message_text("x", chat_id=CHAT, message_id=99)
    assert len(fake.edits(CHAT)) == 2


async def test_answer_callback_query(fake, bot):
    update = fake.make_callback_update(CHAT, "yes", message_id=5, message_text="Question?")
    query_id = update["callback_query"]["id"]
    assert await bot.answer_callback_query(query_id, text="Noted")
    assert fake.answered_callbacks == [query_id]
    # The pressed message is known to the fake now, so it can be edited.
    edited = await bot.edit_message_text("Done", chat_id=CHAT, message_id=5)
    assert edited.text == "Done"


async def test_send_document_records_file(fake, bot):
    content = b"col1,col2\r\n1,2\r\n\x00\xff--binary"
    message = await bot.send_document(CHAT, content, filename="report.csv", caption="Your report")
    assert message.document.file_name == "report.csv"
    assert message.document.file_size == len(content)
    assert message.caption == "Your report"

    [sent] = fake.sent(CHAT)
    assert sent["caption"] == "Your report"
    assert sent["document"]["filename"] == "report.csv"
    assert sent["document"]["content"] == content
    assert fake.documents(CHAT) == [sent["document"]]
    assert fake.texts(CHAT) == []

    with pytest.raises(BadRequest, match="no text in the message"):
        await bot.edit_message_text("x", chat_id=CHAT, message_id=message.message_id)

    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == content


async def test_webhook(fake, bot):
    assert fake.webhook is None
    assert (await bot.get_webhook_info()).url == ""
    fake.queue_update(fake.make_message_update(CHAT, "old"))

    assert await bot.set_webhook(
        "https://bot.example.org/telegram",
        secret_token="s",
        allowed_updates=["message", "callback_query"],
        drop_pending_updates=True,
    )
    assert fake.webhook["url"] == "https://bot.example.org/telegram"
    assert fake.webhook["secret_token"] == "s"
    assert fake.webhook["allowed_updates"] == ["message", "callback_query"]
    assert fake.webhook["drop_pending_updates"] is True
    info = await bot.get_webhook_info()
    assert info.url == "https://bot.example.org/telegram"
    assert info.pending_update_count == 0
    assert info.allowed_updates == ("message", "callback_query")

    with pytest.raises(Conflict):
        await bot.get_updates()
    with pytest.raises(BadRequest, match="unallowed characters"):
        await bot.set_webhook("https://x.org", secret_token="no spaces")

    assert await bot.delete_webhook()
    assert fake.webhook is None
    assert (await bot.get_webhook_info()).url == ""


async def test_commands(fake, bot):
    commands = [BotCommand("start", "Begin"), BotCommand("help", "Help")]
    assert await bot.set_my_commands(commands)
    assert fake.commands == [
        {"command": "start", "description": "Begin"},
        {"command": "help", "description": "Help"},
    ]
    assert tuple(await bot.get_my_commands()) == tuple(commands)
    with pytest.raises(BadRequest):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_get_updates_parses_and_acknowledges(fake, bot):
    first = fake.queue_update(fake.make_message_update(CHAT, "/start hello", username="ken"))
    second = fake.queue_update(
        fake.make_callback_update(CHAT, "yes", message_id=1, message_text="Q?")
    )
    assert second == first + 1

    updates = await bot.get_updates(timeout=1)
    assert [u.update_id for u in updates] == [first, second]
    assert all(isinstance(u, Update) for u in updates)
    message = updates[0].message
    assert message.text == "/start hello"
    assert message.from_user.first_name == "Ken" and message.from_user.username == "ken"
    assert message.chat.id == CHAT
    assert message.entities[0].type == "bot_command" and message.entities[0].length == 6
    query = updates[1].callback_query
    assert query.data == "yes"
    assert query.message.message_id == 1 and query.message.text == "Q?"
    assert query.from_user.id == CHAT

    # Not acknowledged yet: returned again. Acknowledged by offset: gone.
    assert len(await bot.get_updates(timeout=0)) == 2
    assert [u.update_id for u in await bot.get_updates(offset=second, timeout=0)] == [second]
    fake.max_long_poll = 0.3
    started = time.monotonic()
    assert await bot.get_updates(offset=second + 1, timeout=1) == ()
    assert 0.25 <= time.monotonic() - started < 1.5
    assert fake.pending_updates == []
    assert fake.calls[-1] == ("getUpdates", {"offset": second + 1, "timeout": 1})


async def test_get_updates_long_poll_wakes_on_new_update(fake, bot):
    update = fake.make_message_update(CHAT, "late")
    timer = threading.Timer(0.2, fake.queue_update, args=[update])
    timer.start()
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    elapsed = time.monotonic() - started
    timer.join()
    assert [u.message.text for u in updates] == ["late"]
    assert elapsed < 1.5


async def test_long_poll_is_capped():
    with FakeTelegram(max_long_poll=0.3) as fake:
        async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
            started = time.monotonic()
            assert await bot.get_updates(timeout=30) == ()
            assert 0.25 <= time.monotonic() - started < 1.5
    assert FakeTelegram().max_long_poll == 2.0


# ---------------------------------------------------------------- failure injection


async def test_block(fake, bot):
    fake.block(CHAT)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "hi")
    with pytest.raises(Forbidden):
        await bot.send_document(CHAT, b"x", filename="a.txt")
    await bot.send_message(OTHER, "still fine")
    fake.unblock(CHAT)
    await bot.send_message(CHAT, "hi again")
    assert fake.texts(CHAT) == ["hi again"]
    assert [m for m, _ in fake.calls].count("sendMessage") == 3


async def test_rate_limit(fake, bot):
    fake.rate_limit(7, times=2)
    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(CHAT, "hi")
        assert seconds(caught.value.retry_after) == 7
    await bot.send_message(CHAT, "hi")
    assert fake.texts(CHAT) == ["hi"]


async def test_rate_limit_for_one_chat(fake, bot):
    fake.rate_limit(3, chat_id=CHAT)
    await bot.send_message(OTHER, "unaffected")
    with pytest.raises(RetryAfter):
        await bot.send_message(CHAT, "hi")
    await bot.send_message(CHAT, "hi")
    # Edits are not sends: unaffected by default.
    fake.rate_limit(3)
    await bot.edit_message_text("edited", chat_id=CHAT, message_id=1)
    with pytest.raises(RetryAfter):
        await bot.send_message(CHAT, "limited")


async def test_fail_502_is_network_error(fake, bot):
    fake.fail()
    with pytest.raises(NetworkError, match="Bad Gateway") as caught:
        await bot.send_message(CHAT, "hi")
    assert type(caught.value) is NetworkError  # not BadRequest, which subclasses NetworkError
    fake.fail(times=1, status=500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(CHAT, "hi")
    message = await bot.send_message(CHAT, "hi")
    assert message.message_id == 1  # failed sends did not use up message ids


async def test_bad_request(fake, bot):
    fake.bad_request("Bad Request: can't parse entities")
    with pytest.raises(BadRequest, match="parse entities"):
        await bot.send_message(CHAT, "<b>", parse_mode="HTML")
    await bot.send_message(CHAT, "ok")


async def test_invalid_token_and_unknown_method(fake):
    with pytest.raises(InvalidToken):
        async with telegram.Bot("999:WRONG", base_url=fake.base_url):
            pass
    response = httpx.post(f"{fake.base_url}999:WRONG/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}

    response = httpx.post(f"{fake.base_url}{fake.token}/sendSticker", data={"chat_id": 1})
    assert response.status_code == 404
    assert response.json() == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found: method not found",
    }
    async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("fooBar", api_kwargs={"chat_id": 1})


def test_raw_http_forms(fake):
    # Method names are case-insensitive; JSON bodies and query strings work too.
    base = f"{fake.base_url}{fake.token}"
    with httpx.Client() as client:
        assert client.post(f"{base}/SENDMESSAGE", data={"chat_id": "5", "text": "a"}).json()["ok"]
        assert client.post(
            f"{base}/sendmessage", json={"chat_id": 5, "text": "b", "reply_markup": YES_JSON}
        ).json()["ok"]
        assert client.get(f"{base}/sendMessage", params={"chat_id": 5, "text": "c"}).json()["ok"]
        assert client.post(f"{base}/logOut").json() == {"ok": True, "result": True}
        assert client.post(f"{base}/close").json() == {"ok": True, "result": True}
    assert fake.texts(5) == ["a", "b", "c"]
    assert fake.sent(5)[1]["reply_markup"] == YES_JSON
    assert [m for m, _ in fake.calls] == ["sendMessage"] * 3 + ["logOut", "close"]


# ---------------------------------------------------------------- producing updates


async def test_updates_parse_with_de_json(fake, bot):
    update = Update.de_json(
        fake.make_message_update(CHAT, "hello", first_name="Ann", language_code="zh-hk"), bot
    )
    assert update.message.text == "hello"
    assert update.effective_user.first_name == "Ann"
    assert update.effective_user.language_code == "zh-hk"
    assert update.effective_chat.id == CHAT

    sent = await bot.send_message(CHAT, "Pick", reply_markup=YES)
    raw = fake.make_callback_update(CHAT, "yes", message_id=sent.message_id)
    update = Update.de_json(raw, bot)
    assert update.callback_query.data == "yes"
    assert update.callback_query.message.text == "Pick"
    assert update.callback_query.message.reply_markup == YES
    assert update.update_id > 0

    other = fake.make_callback_update(CHAT, "yes", message_id=sent.message_id)
    assert other["callback_query"]["id"] != raw["callback_query"]["id"]
    assert other["update_id"] == raw["update_id"] + 1
    # User and bot messages share the chat's message id sequence.
    assert fake.make_message_update(CHAT, "next")["message"]["message_id"] == sent.message_id + 1


def test_post_webhook(fake):
    received: list[tuple[dict, str | None]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((json.loads(body), self.headers.get("X-Telegram-Bot-Api-Secret-Token")))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/telegram"
        update = fake.make_message_update(CHAT, "via webhook")
        assert fake.post_webhook(url, update, secret_token="s3cret").status_code == 200
        assert fake.post_webhook(url, update).status_code == 200
    finally:
        server.shutdown()
        server.server_close()
    assert received == [(update, "s3cret"), (update, None)]


def test_wait_for(fake):
    threading.Timer(0.1, lambda: httpx.post(f"{fake.base_url}{fake.token}/getMe")).start()
    assert fake.wait_for(lambda: fake.methods() == ["getMe"], timeout=3)
    with pytest.raises(AssertionError):
        fake.wait_for(lambda: False, timeout=0.05)


async def test_async_wait_for(fake, bot):
    async def later():
        await bot.send_message(CHAT, "eventually")

    task = asyncio.create_task(later())
    assert await fake.async_wait_for(lambda: fake.texts(CHAT) == ["eventually"], timeout=3)
    await task
