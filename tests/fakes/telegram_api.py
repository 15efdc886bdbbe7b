"""A fake Telegram Bot API server for end-to-end tests without the internet.

The real python-telegram-bot library talks HTTP to it on loopback::

    with FakeTelegram() as fake:
        bot = telegram.Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)

It answers like https://api.telegram.org: ``POST /bot{token}/{method}`` with parameters as
query string, ``application/x-www-form-urlencoded``, ``multipart/form-data`` (file uploads) or
JSON, and ``{"ok": true, "result": ...}`` / ``{"ok": false, "error_code": ..., "description": ...}``
bodies. Every call is recorded; failures can be injected; updates can be produced as Telegram
would send them, either queued for ``getUpdates`` or POSTed to a webhook.

The server runs uvicorn in a background thread with its own event loop, so state is shared
between that thread and the test thread and is guarded by one lock.
"""

from __future__ import annotations

import asyncio
import collections
import copy
import json
import re
import time
import uuid
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.loopback import LoopbackServer

__all__ = ["FakeTelegram"]


# Canonical (camelCase) names of the implemented methods, keyed by lower case: Telegram
# matches method names case-insensitively.
_METHODS = [
    "getMe",
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
    "sendDocument",
    "sendPhoto",
    "sendChatAction",
    "deleteMessage",
    "getFile",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "setMyDescription",
    "getMyDescription",
    "setMyShortDescription",
    "getMyShortDescription",
    "getUpdates",
    "logOut",
    "close",
]
_CANONICAL = {name.lower(): name for name in _METHODS}

SEND_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto"})
EDIT_METHODS = frozenset({"editMessageText", "editMessageReplyMarkup"})

# Parameters that are plain strings on the wire and must never be JSON-decoded
# ("123" stays "123", "true" stays "true").
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "ip_address",
        "language_code",
        "action",
        "file_id",
        "business_connection_id",
        "message_effect_id",
        "description",
        "short_description",
        "name",
        "title",
    }
)

_MAX_TEXT = 4096
_MAX_CAPTION = 1024
_MAX_CALLBACK_DATA = 64
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


class _ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, status: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(description: str) -> _ApiError:
    if not description.startswith("Bad Request: "):
        description = "Bad Request: " + description
    return _ApiError(400, description)


def _decode_value(name: str, value: Any) -> Any:
    """Turn a wire value back into what the client meant (JSON where it is JSON)."""
    if not isinstance(value, str) or name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, str], dict[str, dict]]:
    """Split a multipart/form-data body into plain fields and uploaded files (exact bytes)."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        raise _bad_request("Bad Request: invalid multipart body")
    delimiter = b"--" + match.group(1).encode("latin-1")
    fields: dict[str, str] = {}
    files: dict[str, dict] = {}
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        part = part.removeprefix(b"\r\n")
        raw_headers, _, content = part.partition(b"\r\n\r\n")
        content = content.removesuffix(b"\r\n")
        headers: dict[str, str] = {}
        for line in raw_headers.decode("utf-8", "replace").split("\r\n"):
            key, _, val = line.partition(":")
            headers[key.strip().lower()] = val.strip()
        disposition = headers.get("content-disposition", "")
        name_match = re.search(r'(?:^|;)\s*name="([^"]*)"', disposition)
        if not name_match:
            continue
        name = name_match.group(1)
        filename_match = re.search(r'filename="([^"]*)"', disposition)
        if filename_match is None:
            fields[name] = content.decode("utf-8")
        else:
            files[name] = {
                "filename": filename_match.group(1),
                "content": content,
                "mime_type": headers.get("content-type", "application/octet-stream"),
            }
    return fields, files


def _chat_type(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    if str(chat_id).startswith("-100"):
        return "supergroup"
    return "group"


def _clean_markup(markup: Any) -> Any:
    """reply_markup as Telegram echoes it in a Message: only inline keyboards, optional keys dropped."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return None
    rows = [
        [{k: v for k, v in button.items() if v is not None} for button in row]
        for row in markup["inline_keyboard"]
    ]
    return {"inline_keyboard": rows}


class FakeTelegram(LoopbackServer):
    """A loopback Telegram Bot API server; see the module docstring."""

    name = "Telegram"

    def __init__(
        self,
        token: str = "123456:TEST-token",
        username: str = "recovery_test_bot",
        first_name: str = "Recovery Test Bot",
        max_long_poll: float = 2.0,
    ):
        super().__init__()
        self.token = token
        self.username = username
        self.first_name = first_name
        self.max_long_poll = max_long_poll  # getUpdates waits at most this long
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456

        self._calls: list[tuple[str, dict]] = []
        self._sent: list[tuple[int | str, dict]] = []
        self._sent_to: collections.Counter = collections.Counter()  # chat -> how many, without scanning _sent
        self._edits: list[tuple[int | str, dict]] = []
        self._answered: list[str] = []
        self._messages: dict[tuple[int | str, int], dict] = {}
        self._last_message_id: dict[int | str, int] = {}
        self._users: dict[int | str, dict] = {}
        self._files: dict[str, dict] = {}
        self._file_counter = 0
        self._updates: list[dict] = []
        self._next_update_id = 500_000_001
        self._callback_counter = 0
        self._webhook: dict | None = None
        self._commands: dict[tuple[str, str], list[dict]] = {}
        self._descriptions: dict[str, dict[str, str]] = {}  # language code -> description, short_description
        self._blocked: set[int | str] = set()
        self._held: set[str] = set()
        self._rules: list[dict] = []

    # ------------------------------------------------------------------ URLs

    @property
    def base_url(self) -> str:
        """For ``telegram.Bot(token, base_url=...)``: the token is appended to it."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``telegram.Bot(..., base_file_url=...)``: downloads of uploaded documents."""
        return f"{self.url}/file/bot"

    # ------------------------------------------------------------------ recorded state

    @property
    def calls(self) -> list[tuple[str, dict]]:
        """Every request in order (including failed ones) as (canonical method name, params)."""
        with self._lock:
            return copy.deepcopy(self._calls)

    def methods(self) -> list[str]:
        """Just the method names of :attr:`calls`."""
        with self._lock:
            return [method for method, _ in self._calls]

    def sent(self, chat_id: int | str) -> list[dict]:
        """Successful sendMessage/sendDocument params to that chat, JSON values decoded.

        A sendDocument upload appears as ``document = {"filename", "content", "mime_type"}``.
        """
        with self._lock:
            return [copy.deepcopy(p) for c, p in self._sent if c == chat_id]

    def texts(self, chat_id: int | str) -> list[str]:
        """Texts of the successful sendMessage calls to that chat."""
        return [p["text"] for p in self.sent(chat_id) if "text" in p]

    def documents(self, chat_id: int | str) -> list[dict]:
        """Uploaded documents sent to that chat: {"filename", "content", "mime_type"}."""
        return [p["document"] for p in self.sent(chat_id) if isinstance(p.get("document"), dict)]

    def sent_count(self, chat_id: int | str) -> int:
        """How many messages reached that chat, in constant time (for benchmarks polling a busy fake)."""
        with self._lock:
            return self._sent_to[chat_id]

    def _record_sent(self, chat_id: int | str, params: dict) -> None:
        self._sent.append((chat_id, copy.deepcopy(params)))
        self._sent_to[chat_id] += 1

    def photos(self, chat_id: int | str) -> list[dict]:
        """Uploaded photos sent to that chat: {"filename", "content", "mime_type", "caption"}."""
        return [{**p["photo"], "caption": p.get("caption")} for p in self.sent(chat_id)
                if isinstance(p.get("photo"), dict)]

    def descriptions(self, language_code: str = "") -> dict[str, str]:
        """The bot's description and short description set for that language ("" for the default)."""
        with self._lock:
            return dict(self._descriptions.get(language_code, {}))

    def commands_for(self, language_code: str) -> list[dict]:
        """Commands set for the default scope in that language."""
        with self._lock:
            return copy.deepcopy(self._commands.get(("default", language_code), []))

    def edits(self, chat_id: int | str) -> list[dict]:
        """Successful editMessageText/editMessageReplyMarkup params for that chat."""
        with self._lock:
            return [copy.deepcopy(p) for c, p in self._edits if c == chat_id]

    def message(self, chat_id: int | str, message_id: int) -> dict | None:
        """The current state (after edits) of a message the bot sent, as a Message object."""
        with self._lock:
            msg = self._messages.get((chat_id, message_id))
            return copy.deepcopy(msg)

    @property
    def answered_callbacks(self) -> list[str]:
        with self._lock:
            return list(self._answered)

    @property
    def webhook(self) -> dict | None:
        """The current webhook {url, secret_token, allowed_updates, drop_pending_updates, ...}."""
        with self._lock:
            return copy.deepcopy(self._webhook)

    @property
    def commands(self) -> list[dict]:
        """Commands set for the default scope and no language."""
        with self._lock:
            return copy.deepcopy(self._commands.get(("default", ""), []))

    @property
    def pending_updates(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self._updates)

    def reset(self) -> None:
        """Forget recorded calls (not messages, webhook, commands or injected failures)."""
        with self._lock:
            self._calls.clear()
            self._sent.clear()
            self._sent_to.clear()
            self._edits.clear()
            self._answered.clear()

    def _progress(self) -> str:
        return f"calls: {self.methods()}"

    # ------------------------------------------------------------------ failure injection

    def block(self, chat_id: int | str) -> None:
        """sendMessage/sendDocument to that chat answer 403 'bot was blocked by the user'."""
        with self._lock:
            self._blocked.add(chat_id)

    def hold(self, chat_id: int | str) -> None:
        """Sends to that chat get no answer until `release` (a request hanging in flight); one whose caller
        went away meanwhile (a killed process) is dropped, never delivered."""
        with self._lock:
            self._held.add(str(chat_id))

    def release(self, chat_id: int | str) -> None:
        with self._lock:
            self._held.discard(str(chat_id))

    def unblock(self, chat_id: int | str) -> None:
        with self._lock:
            self._blocked.discard(chat_id)

    def rate_limit(
        self,
        seconds: int,
        times: int = 1,
        chat_id: int | str | None = None,
        methods: Iterable[str] = SEND_METHODS,
    ) -> None:
        """The next ``times`` sends (to ``chat_id``, or any chat) answer 429 with retry_after."""
        self._add_rule(
            _ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}),
            times,
            chat_id,
            methods,
        )

    def fail(
        self,
        times: int = 1,
        status: int = 502,
        chat_id: int | str | None = None,
        methods: Iterable[str] = SEND_METHODS,
    ) -> None:
        """The next ``times`` sends answer ``status`` (502 'Bad Gateway' by default)."""
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = "Error"
        self._add_rule(_ApiError(status, phrase), times, chat_id, methods)

    def bad_request(
        self,
        description: str = "Bad Request: something is wrong",
        times: int = 1,
        chat_id: int | str | None = None,
        methods: Iterable[str] = SEND_METHODS,
    ) -> None:
        """The next ``times`` sends answer 400 with that description ('Bad Request: ' prefixed)."""
        self._add_rule(_bad_request(description), times, chat_id, methods)

    def clear_failures(self) -> None:
        with self._lock:
            self._rules.clear()
            self._blocked.clear()

    def _add_rule(self, error: _ApiError, times: int, chat_id: Any, methods: Iterable[str]) -> None:
        wanted = {_CANONICAL.get(m.lower(), m) for m in methods}
        with self._lock:
            self._rules.append(
                {"error": error, "left": times, "chat_id": chat_id, "methods": wanted}
            )

    def _injected_failure(self, method: str, chat_id: Any) -> None:
        """Raise the injected error for this call, if any (caller holds the lock)."""
        if method in SEND_METHODS and chat_id in self._blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        for rule in self._rules:
            if (
                rule["left"] > 0
                and method in rule["methods"]
                and rule["chat_id"] in (None, chat_id)
            ):
                rule["left"] -= 1
                self._rules = [r for r in self._rules if r["left"] > 0]
                raise rule["error"]

    # ------------------------------------------------------------------ producing updates

    def _user(self, chat_id: int | str) -> dict:
        return self._users.get(chat_id) or {
            "id": chat_id,
            "is_bot": False,
            "first_name": "Ken",
            "language_code": "en",
        }

    def _chat(self, chat_id: int | str) -> dict:
        if isinstance(chat_id, str) and not chat_id.lstrip("-").isdigit():
            return {
                "id": -1001000000000,
                "type": "channel",
                "title": chat_id,
                "username": chat_id.lstrip("@"),
            }
        chat_id = int(chat_id)
        kind = _chat_type(chat_id)
        if kind != "private":
            return {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}
        user = self._user(chat_id)
        chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        if user.get("username"):
            chat["username"] = user["username"]
        return chat

    def _bot_user(self) -> dict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def _next_message_id(self, chat_id: int | str) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _take_update_id(self) -> int:
        self._next_update_id += 1
        return self._next_update_id - 1

    def make_message_update(
        self,
        chat_id: int,
        text: str,
        first_name: str = "Ken",
        username: str | None = None,
        language_code: str | None = "en",
        user_id: int | None = None,
    ) -> dict:
        """An Update with a text Message from the user (bot_command entity for '/cmd ...')."""
        with self._lock:
            user: dict[str, Any] = {
                "id": user_id or chat_id,
                "is_bot": False,
                "first_name": first_name,
            }
            if username:
                user["username"] = username
            if language_code:
                user["language_code"] = language_code
            if _chat_type(chat_id) == "private":
                self._users[chat_id] = user
            message: dict[str, Any] = {
                "message_id": self._next_message_id(chat_id),
                "from": user,
                "chat": self._chat(chat_id),
                "date": int(time.time()),
                "text": text,
            }
            if text.startswith("/"):
                command = text.split(maxsplit=1)[0]
                message["entities"] = [
                    {
                        "type": "bot_command",
                        "offset": 0,
                        "length": len(command.encode("utf-16-le")) // 2,
                    }
                ]
            return {"update_id": self._take_update_id(), "message": message}

    def make_callback_update(
        self,
        chat_id: int,
        data: str,
        message_id: int,
        message_text: str | None = None,
        user_id: int | None = None,
    ) -> dict:
        """An Update with a CallbackQuery (unique id) pressed on the bot's message ``message_id``.

        The original message is the bot's recorded one when known (its text and keyboard),
        else a bot message with ``message_text`` (default "...").
        """
        with self._lock:
            self._callback_counter += 1
            known = self._messages.get((chat_id, message_id))
            if known is not None and message_text is None:
                message = copy.deepcopy(known)
            else:
                message = {
                    "message_id": message_id,
                    "from": self._bot_user(),
                    "chat": self._chat(chat_id),
                    "date": int(time.time()),
                    "text": message_text if message_text is not None else "...",
                }
                if known is None:
                    self._messages[(chat_id, message_id)] = copy.deepcopy(message)
                    if message_id > self._last_message_id.get(chat_id, 0):
                        self._last_message_id[chat_id] = message_id
            user = copy.deepcopy(self._user(chat_id))
            if user_id is not None:
                user["id"] = user_id
            callback = {
                "id": f"{abs(int(chat_id)) % 10**9}{self._callback_counter:08d}",
                "from": user,
                "message": message,
                "chat_instance": f"-{abs(int(chat_id)) * 7919 % 10**18 + 1}",
                "data": data,
            }
            return {"update_id": self._take_update_id(), "callback_query": callback}

    def queue_update(self, update: dict) -> int:
        """Queue an update for getUpdates; returns its update_id."""
        with self._lock:
            if "update_id" not in update:
                update = {**update, "update_id": self._take_update_id()}
            self._updates.append(copy.deepcopy(update))
            return update["update_id"]

    def post_webhook(
        self, url: str, update: dict, secret_token: str | None = None, timeout: float = 10
    ) -> httpx.Response:
        """POST the update to a webhook like Telegram does (synchronous)."""
        headers = {"Content-Type": "application/json"}
        if secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        return httpx.post(
            url, content=json.dumps(update).encode(), headers=headers, timeout=timeout
        )

    async def apost_webhook(
        self, url: str, update: dict, secret_token: str | None = None, timeout: float = 10
    ) -> httpx.Response:
        """Async :meth:`post_webhook`, for a webhook served by the test's own event loop."""
        headers = {"Content-Type": "application/json"}
        if secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        async with httpx.AsyncClient(timeout=timeout) as client:
            return await client.post(url, content=json.dumps(update).encode(), headers=headers)

    # ------------------------------------------------------------------ HTTP

    def _app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._file_endpoint, methods=["GET"]),
            ]
        )

    async def _read_params(self, request: Request) -> dict[str, Any]:
        params: dict[str, Any] = {k: _decode_value(k, v) for k, v in request.query_params.items()}
        body = await request.body()
        content_type = request.headers.get("content-type", "")
        if not body:
            return params
        if content_type.startswith("application/json"):
            try:
                data = json.loads(body)
            except ValueError as exc:
                raise _bad_request("Bad Request: can't parse JSON") from exc
            params.update(data)
            return params
        if content_type.startswith("multipart/form-data"):
            fields, files = _parse_multipart(body, content_type)
            params.update({k: _decode_value(k, v) for k, v in fields.items()})
            for name, file in files.items():
                params[name] = file
            # attach://<name> references point at uploaded parts.
            for key, value in list(params.items()):
                if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
                    params[key] = files[value[9:]]
            return params
        fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        params.update({k: _decode_value(k, v) for k, v in fields.items()})
        return params

    async def _endpoint(self, request: Request) -> Response:
        token = request.path_params["token"]
        name = request.path_params["method"]
        if token != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        method = _CANONICAL.get(name.lower(), name)
        try:
            params = await self._read_params(request)
        except _ApiError as err:
            return JSONResponse(err.body(), status_code=err.status)
        with self._lock:
            self._calls.append((method, copy.deepcopy(params)))
        handler = getattr(self, f"_m_{method}", None) if method in _METHODS else None
        if handler is None:
            return JSONResponse(
                {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
                status_code=404,
            )
        if method in SEND_METHODS:
            while str(params.get("chat_id")) in self._held:
                await asyncio.sleep(0.02)
                if await request.is_disconnected():
                    return Response(status_code=499)
        try:
            if method == "getUpdates":
                result = await self._m_getUpdates(params)
            else:
                with self._lock:
                    result = handler(params)
        except _ApiError as err:
            return JSONResponse(err.body(), status_code=err.status)
        return JSONResponse({"ok": True, "result": result})

    async def _file_endpoint(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        path = request.path_params["path"]
        with self._lock:
            file = next((f for f in self._files.values() if f["file_path"] == path), None)
        if file is None:
            return JSONResponse(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404
            )
        return Response(file["content"], media_type=file["mime_type"])

    # ------------------------------------------------------------------ methods
    # Each runs with the lock held (except getUpdates) and returns the "result".

    @staticmethod
    def _chat_id(params: dict) -> int | str:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad_request("Bad Request: chat_id is empty")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            return int(chat_id)
        if isinstance(chat_id, str) and not chat_id.startswith("@"):
            raise _bad_request("Bad Request: chat not found")
        return chat_id

    @staticmethod
    def _check_markup(params: dict) -> Any:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad_request("Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= _MAX_CALLBACK_DATA:
                    raise _bad_request("Bad Request: BUTTON_DATA_INVALID")
                if not button.get("text"):
                    raise _bad_request(
                        "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
        return markup

    def _base_message(self, chat_id: int | str, params: dict) -> dict:
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "from": self._bot_user(),
            "chat": self._chat(chat_id),
            "date": int(time.time()),
        }
        markup = _clean_markup(params.get("reply_markup"))
        if markup:
            message["reply_markup"] = markup
        reply = params.get("reply_parameters")
        if isinstance(reply, dict) and "message_id" in reply:
            original = self._messages.get((chat_id, reply["message_id"]))
            if original is not None:
                message["reply_to_message"] = {
                    k: v for k, v in original.items() if k != "reply_to_message"
                }
        return message

    def _m_getMe(self, params: dict) -> dict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_sendMessage(self, params: dict) -> dict:
        chat_id = self._chat_id(params)
        text = params.get("text")
        if text is None or str(text).strip() == "":
            raise _bad_request("Bad Request: message text is empty")
        text = str(text)
        if len(text) > _MAX_TEXT:
            raise _bad_request("Bad Request: message is too long")
        self._check_markup(params)
        self._injected_failure("sendMessage", chat_id)
        message = self._base_message(chat_id, params)
        message["text"] = text
        if isinstance(params.get("entities"), list):
            message["entities"] = params["entities"]
        self._messages[(chat_id, message["message_id"])] = copy.deepcopy(message)
        self._record_sent(chat_id, params)
        return message

    def _m_sendDocument(self, params: dict) -> dict:
        chat_id = self._chat_id(params)
        document = params.get("document")
        if not document:
            raise _bad_request("Bad Request: there is no document in the request")
        caption = params.get("caption")
        if caption is not None and len(str(caption)) > _MAX_CAPTION:
            raise _bad_request("Bad Request: message caption is too long")
        self._check_markup(params)
        self._injected_failure("sendDocument", chat_id)
        if isinstance(document, dict):
            self._file_counter += 1
            file_id = f"BQACAgQAAxkDAAI{self._file_counter:06d}{uuid.uuid4().hex[:12]}"
            ext = document["filename"].rsplit(".", 1)[-1] if "." in document["filename"] else "bin"
            self._files[file_id] = {
                **document,
                "file_id": file_id,
                "file_unique_id": f"AgAD{self._file_counter:06d}",
                "file_path": f"documents/file_{self._file_counter}.{ext}",
            }
            doc = {
                "file_id": file_id,
                "file_unique_id": f"AgAD{self._file_counter:06d}",
                "file_name": document["filename"],
                "mime_type": document["mime_type"],
                "file_size": len(document["content"]),
            }
        else:
            known = self._files.get(str(document))
            doc = {
                "file_id": str(document),
                "file_unique_id": f"AgAD{abs(hash(document)) % 10**6:06d}",
            }
            if known is not None:
                doc.update(
                    file_name=known["filename"],
                    mime_type=known["mime_type"],
                    file_size=len(known["content"]),
                )
        message = self._base_message(chat_id, params)
        message["document"] = doc
        if caption is not None:
            message["caption"] = str(caption)
        self._messages[(chat_id, message["message_id"])] = copy.deepcopy(message)
        self._record_sent(chat_id, params)
        return message

    def _m_sendPhoto(self, params: dict) -> dict:
        chat_id = self._chat_id(params)
        photo = params.get("photo")
        if not isinstance(photo, dict) or not photo.get("content"):
            raise _bad_request("Bad Request: there is no photo in the request")
        caption = params.get("caption")
        if caption is not None and len(str(caption)) > _MAX_CAPTION:
            raise _bad_request("Bad Request: message caption is too long")
        if len(photo["content"]) > 10 * 1024 * 1024:
            raise _bad_request("Bad Request: PHOTO_INVALID_DIMENSIONS")
        self._check_markup(params)
        self._injected_failure("sendPhoto", chat_id)
        self._file_counter += 1
        file_id = f"AgACAgQAAxkDAAI{self._file_counter:06d}{uuid.uuid4().hex[:12]}"
        self._files[file_id] = {**photo, "file_id": file_id, "file_unique_id": f"AQAD{self._file_counter:06d}",
                                "file_path": f"photos/file_{self._file_counter}.png"}
        message = self._base_message(chat_id, params)
        message["photo"] = [{"file_id": file_id, "file_unique_id": f"AQAD{self._file_counter:06d}",
                             "file_size": len(photo["content"]), "width": 720, "height": 720}]
        if caption is not None:
            message["caption"] = str(caption)
        self._messages[(chat_id, message["message_id"])] = copy.deepcopy(message)
        self._record_sent(chat_id, params)
        return message

    def _describe(self, params: dict, field: str, limit: int) -> bool:
        text = str(params.get(field) or "")
        if len(text) > limit:
            raise _bad_request(f"Bad Request: {field} is too long")
        language = str(params.get("language_code") or "")
        self._descriptions.setdefault(language, {})[field] = text
        return True

    def _m_setMyDescription(self, params: dict) -> bool:
        return self._describe(params, "description", 512)

    def _m_setMyShortDescription(self, params: dict) -> bool:
        return self._describe(params, "short_description", 120)

    def _m_getMyDescription(self, params: dict) -> dict:
        found = self._descriptions.get(str(params.get("language_code") or ""), {})
        return {"description": found.get("description", "")}

    def _m_getMyShortDescription(self, params: dict) -> dict:
        found = self._descriptions.get(str(params.get("language_code") or ""), {})
        return {"short_description": found.get("short_description", "")}

    def _edit(self, method: str, params: dict, new_text: str | None) -> Any:
        markup = self._check_markup(params)
        if params.get("inline_message_id"):
            self._injected_failure(method, None)
            self._edits.append((None, copy.deepcopy(params)))
            return True
        chat_id = self._chat_id(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise _bad_request("Bad Request: message identifier is not specified")
        self._injected_failure(method, chat_id)
        current = self._messages.get((chat_id, message_id))
        if current is None:
            if message_id > self._last_message_id.get(chat_id, 0):
                raise _bad_request("Bad Request: message to edit not found")
            # A message older than this fake's records: accept the edit.
            current = {
                "message_id": message_id,
                "from": self._bot_user(),
                "chat": self._chat(chat_id),
                "date": int(time.time()),
            }
        if new_text is not None and "document" in current:
            raise _bad_request("Bad Request: there is no text in the message to edit")
        updated = copy.deepcopy(current)
        if new_text is not None:
            updated["text"] = new_text
            updated.pop("entities", None)
            if isinstance(params.get("entities"), list):
                updated["entities"] = params["entities"]
        cleaned = _clean_markup(markup)
        if cleaned:
            updated["reply_markup"] = cleaned
        else:
            updated.pop("reply_markup", None)
        same_text = updated.get("text") == current.get("text")
        if same_text and updated.get("reply_markup") == current.get("reply_markup"):
            raise _bad_request(_NOT_MODIFIED)
        updated["edit_date"] = int(time.time())
        self._messages[(chat_id, message_id)] = copy.deepcopy(updated)
        self._edits.append((chat_id, copy.deepcopy(params)))
        return updated

    def _m_editMessageText(self, params: dict) -> Any:
        text = params.get("text")
        if text is None or str(text).strip() == "":
            raise _bad_request("Bad Request: message text is empty")
        if len(str(text)) > _MAX_TEXT:
            raise _bad_request("Bad Request: MESSAGE_TOO_LONG")
        return self._edit("editMessageText", params, str(text))

    def _m_editMessageReplyMarkup(self, params: dict) -> Any:
        return self._edit("editMessageReplyMarkup", params, None)

    def _m_answerCallbackQuery(self, params: dict) -> bool:
        query_id = params.get("callback_query_id")
        if not query_id:
            raise _bad_request(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise _bad_request("Bad Request: MESSAGE_TOO_LONG")
        self._answered.append(str(query_id))
        return True

    def _m_sendChatAction(self, params: dict) -> bool:
        self._chat_id(params)
        return True

    def _m_deleteMessage(self, params: dict) -> bool:
        chat_id = self._chat_id(params)
        if self._messages.pop((chat_id, params.get("message_id")), None) is None:
            raise _bad_request("Bad Request: message to delete not found")
        return True

    def _m_getFile(self, params: dict) -> dict:
        file = self._files.get(str(params.get("file_id")))
        if file is None:
            raise _bad_request("Bad Request: invalid file_id")
        return {
            "file_id": file["file_id"],
            "file_unique_id": file["file_unique_id"],
            "file_size": len(file["content"]),
            "file_path": file["file_path"],
        }

    def _m_setWebhook(self, params: dict) -> bool:
        url = str(params.get("url") or "")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_RE.match(str(secret)):
            raise _bad_request("Bad Request: secret token contains unallowed characters")
        if url and not url.startswith(("http://", "https://")):
            raise _bad_request(
                "Bad Request: bad webhook: Failed to resolve host: Name or service not known"
            )
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if not url:
            self._webhook = None
            return True
        self._webhook = {
            "url": url,
            "secret_token": secret,
            "allowed_updates": params.get("allowed_updates"),
            "drop_pending_updates": bool(params.get("drop_pending_updates", False)),
            "max_connections": params.get("max_connections"),
            "ip_address": params.get("ip_address"),
        }
        return True

    def _m_deleteWebhook(self, params: dict) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = None
        return True

    def _m_getWebhookInfo(self, params: dict) -> dict:
        info: dict[str, Any] = {
            "url": self._webhook["url"] if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook:
            info["max_connections"] = self._webhook.get("max_connections") or 40
            if self._webhook.get("allowed_updates"):
                info["allowed_updates"] = self._webhook["allowed_updates"]
            if self._webhook.get("ip_address"):
                info["ip_address"] = self._webhook["ip_address"]
        return info

    @staticmethod
    def _commands_key(params: dict) -> tuple[str, str]:
        scope = params.get("scope")
        if isinstance(scope, dict):
            scope_key = (
                json.dumps(scope, sort_keys=True) if scope.get("type") != "default" else "default"
            )
        else:
            scope_key = "default"
        return scope_key, str(params.get("language_code") or "")

    def _m_setMyCommands(self, params: dict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad_request("Bad Request: can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.match(
                str(command.get("command", ""))
            ):
                raise _bad_request("Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("Bad Request: command description is empty")
        self._commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _m_getMyCommands(self, params: dict) -> list[dict]:
        return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    def _m_deleteMyCommands(self, params: dict) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    async def _m_getUpdates(self, params: dict) -> list[dict]:
        offset = params.get("offset")
        limit = params.get("limit") or 100
        timeout = min(float(params.get("timeout") or 0), self.max_long_poll)
        if not isinstance(limit, int) or not 1 <= limit <= 100:
            limit = 100
        with self._lock:
            if self._webhook is not None:
                raise _ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            # Acknowledge: updates before the offset are forgotten, as on Telegram.
            if isinstance(offset, int) and offset < 0:
                self._updates = (
                    self._updates[offset:] if -offset <= len(self._updates) else self._updates
                )
            elif isinstance(offset, int):
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if self._updates:
                    return copy.deepcopy(self._updates[:limit])
            if self._stopping or time.monotonic() >= deadline:
                return []
            await asyncio.sleep(0.02)

    def _m_logOut(self, params: dict) -> bool:
        return True

    def _m_close(self, params: dict) -> bool:
        return True
