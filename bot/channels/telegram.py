"""Telegram: translate updates to Inbound (polling or our own webhook route) and send outbox rows with the Bot API.

python-telegram-bot supplies the types, the HTTP client and the error classes; the conversation
itself stays in handlers/, so no ConversationHandler and no in-memory callback data.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import json
import logging
import warnings
from datetime import timedelta

import telegram
from sqlalchemy import update
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import BotCommand, Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot import media
from bot.channels import DEFAULT_MAX_BODY_BYTES, read_limited
from data.content import Content
from data.db import run_db
from data.models import ChannelAddress, Outbox
from handlers.types import Inbound, Runtime
from scheduler.outbox import RateLimited, RecipientUnreachable, Rejected, SendResult, TransientError
from scheduler.reception import Reception

CHANNEL = "telegram"
WEBHOOK_PATH = "/telegram/webhook"
MAX_TEXT = 4096
MAX_CAPTION = 1024
SCALE_ROW = 6
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
# The command menu Telegram shows, in this order; its descriptions come from the content files, per language.
COMMANDS = ("checkin", "craving", "progress", "network", "slip", "settings", "invite", "guide", "menu", "help",
            "export", "delete")

log = logging.getLogger(__name__)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split at paragraph boundaries, then lines, then words, so no piece is longer than `limit`."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), 0) or max(window.rfind("\n"), 0) or max(window.rfind(" "), 0) or limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest:
        pieces.append(rest)
    return pieces


def keyboard(message: Outbox) -> dict | None:
    """Options as an inline keyboard (the Bot API's JSON): one button per row, or rows of numbers for a scale."""
    if not message.options:
        return None
    buttons = [{"text": o["label"], "callback_data": o["payload"]} for o in message.options]
    if message.numbered:
        rows = [[b] for b in buttons]
    else:
        rows = [buttons[i:i + SCALE_ROW] for i in range(0, len(buttons), SCALE_ROW)]
    return {"inline_keyboard": rows}


def language_code(locale: str) -> str:
    """Telegram's language code for a locale: two letters (zh-HK -> zh: every Chinese-language Telegram)."""
    return locale.split("-", 1)[0].lower()


def menu(content: Content, locale: str) -> list[BotCommand]:
    return [BotCommand(c, content.text(f"commands.{c}", locale)) for c in COMMANDS]


async def register_menus(bot: telegram.Bot, content: Content, default_locale: str) -> None:
    """The command menu and the bot's descriptions, for each language, and the default for everyone else."""
    for locale, code in [(default_locale, None), *((loc, language_code(loc)) for loc in content.locales)]:
        await bot.set_my_commands(menu(content, locale), language_code=code)
        await bot.set_my_description(content.text("commands.description", locale), language_code=code)
        await bot.set_my_short_description(content.text("commands.short_description", locale),
                                           language_code=code)


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramSender:
    """Sends outbox rows to Telegram chats; maps the Bot API's errors onto the outbox's."""

    channel = CHANNEL

    def __init__(self, bot: telegram.Bot, rt: Runtime | None = None) -> None:
        self.bot = bot
        self.rt = rt  # for pictures drawn when sent (bot/media.py)

    async def send(self, message: Outbox) -> SendResult:
        try:
            return await self._send(message)
        except Forbidden as exc:
            raise RecipientUnreachable(message.address, exc.message) from exc
        except RetryAfter as exc:
            raise RateLimited(_seconds(exc)) from exc
        except BadRequest as exc:
            if "chat not found" in exc.message.lower():
                raise RecipientUnreachable(message.address, exc.message) from exc
            raise Rejected(exc.message) from exc
        except NetworkError as exc:
            raise TransientError(type(exc).__name__) from exc

    async def _send(self, message: Outbox) -> SendResult:
        chat_id = int(message.address)
        if message.attachment and message.attachment.get("mime_type", "").startswith("image/"):
            try:
                photo = await media.picture(self.rt, message.attachment) if self.rt else None
            except media.NoPicture:
                photo = None  # the words alone (the caption says them all)
            if photo is not None:
                sent = await self.bot.send_photo(chat_id, photo=photo, parse_mode="HTML",
                                                 caption=html.escape(message.text[:MAX_CAPTION], quote=False))
                return SendResult(provider_id=str(sent.message_id))
        elif message.attachment:
            sent = await self.bot.send_document(
                chat_id, document=message.attachment["content"].encode(), filename=message.attachment["filename"],
                caption=html.escape(message.text[:MAX_CAPTION]), parse_mode="HTML",
            )
            return SendResult(provider_id=str(sent.message_id))
        pieces = split_text(message.text)
        sent = None
        for n, piece in enumerate(pieces):
            data = {"chat_id": chat_id, "text": html.escape(piece, quote=False), "parse_mode": "HTML"}
            markup = keyboard(message) if n == len(pieces) - 1 else None
            if markup:
                data["reply_markup"] = markup
            # Bot._post is what Bot.send_message runs (same request, same errors) minus turning the
            # answer into a Message object, which costs a fifth of a send and is never read here.
            sent = await self.bot._post("sendMessage", data)
        return SendResult(provider_id=str(sent["message_id"]) if sent else None)


def translate(update: Update) -> Inbound | None:
    """An update as the engine sees it; None for updates that carry nothing to answer."""
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat if query.message else None
        if chat is None or chat.type != "private" or query.from_user is None or query.from_user.id != chat.id:
            return None  # in a private chat the one who taps is the chat: anyone else's tap acts on nobody
        return Inbound(
            channel=CHANNEL, address=str(chat.id), external_id=str(update.update_id), text="",
            payload=query.data if isinstance(query.data, str) else None, profile_name=query.from_user.first_name if query.from_user else None,
            language=query.from_user.language_code if query.from_user else None,
        )
    message = update.message
    if message is None or message.chat is None or message.chat.type != "private" or message.from_user is None \
            or message.from_user.id != message.chat.id:
        return None
    return Inbound(
        channel=CHANNEL, address=str(message.chat.id), external_id=str(update.update_id),
        text=next((t for t in (message.text, message.caption) if isinstance(t, str) and t), ""),
        profile_name=message.from_user.first_name if message.from_user else None,
        language=message.from_user.language_code if message.from_user else None,
    )


POLL_RETRY_SECONDS = 1.0


class TelegramChannel:
    """One bot: receives by polling or webhook, hands each update to the engine, then acknowledges it."""

    def __init__(self, rt: Runtime, bot: telegram.Bot, *, webhook_secret: str | None = None,
                 public_base_url: str | None = None, reception: Reception | None = None,
                 max_body: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.rt = rt
        self.max_body = max_body
        self.bot = bot
        self.webhook_secret = webhook_secret
        self.public_base_url = (public_base_url or "").rstrip("/")
        self.reception = reception or Reception(rt)
        self.sender = TelegramSender(bot, rt)
        rt.join_replies[CHANNEL] = MAX_TEXT  # a turn's replies as one message: one notification, one send
        self._stopping = asyncio.Event()

    async def start(self, *, webhook: bool) -> None:
        """Check the token, learn the bot's username (for invitation links) and register with Telegram."""
        await self.bot.initialize()
        self.rt.invite_links[CHANNEL] = f"https://t.me/{self.bot.username}?start={{token}}"
        await register_menus(self.bot, self.rt.content, self.rt.default_locale)
        info = await self.bot.get_webhook_info()
        if webhook:
            url = self.public_base_url + WEBHOOK_PATH
            if info.url and info.url != url:
                log.warning("replacing the bot's previous webhook", extra={"previous": info.url})
            await self.bot.set_webhook(url, secret_token=self.webhook_secret, allowed_updates=ALLOWED_UPDATES,
                                       drop_pending_updates=False)
        elif info.url:
            log.warning("removing the bot's webhook to poll instead; pending updates are kept")
            await self.bot.delete_webhook(drop_pending_updates=False)

    async def stop(self) -> None:
        self._stopping.set()
        await self.bot.shutdown()

    # -- receiving ----------------------------------------------------------------------------------------
    async def handle(self, update: Update) -> None:
        """Dispatch one update (committed before this returns), then answer its button and mark the choice."""
        if update.my_chat_member is not None:
            await run_db(self.rt.db, self._member_changed, update)
            return
        inbound = translate(update)
        if inbound is None:
            return
        await self.reception.receive(inbound)
        if update.callback_query is not None:
            await self._acknowledge_choice(update.callback_query)

    def _member_changed(self, update: Update) -> None:
        """Someone blocked or unblocked the bot: stop or resume sending to that chat."""
        change = update.my_chat_member
        blocked = change.new_chat_member.status in ("kicked", "left")
        with Session(self.rt.db) as session:
            session.execute(update_address(str(change.chat.id), self.rt.clock() if blocked else None))
            session.commit()

    async def _acknowledge_choice(self, query: telegram.CallbackQuery) -> None:
        try:
            await query.answer()
            message = query.message
            if message is None or not getattr(message, "text", None):
                return
            chosen = next((button.text for row in (message.reply_markup.inline_keyboard if message.reply_markup
                                                   else ()) for button in row
                           if button.callback_data == query.data), None)
            if chosen is not None:
                await self.bot.edit_message_text(
                    html.escape(f"{message.text}\n\n✓ {chosen}", quote=False), chat_id=message.chat.id,
                    message_id=message.message_id, parse_mode="HTML")
        except TelegramError as exc:  # cosmetic: the answer itself is already handled and committed
            log.info("could not acknowledge a button", extra={"error": type(exc).__name__})

    # -- polling --------------------------------------------------------------------------------------------
    async def poll(self, *, timeout: int = 30) -> None:
        """Long-poll for updates until stopped; an update is confirmed only after it was handled."""
        offset = None
        while not self._stopping.is_set():
            try:
                updates = await self.bot.get_updates(offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES)
            except RetryAfter as exc:
                await asyncio.sleep(_seconds(exc))
                continue
            except NetworkError as exc:
                log.warning("polling failed; retrying", extra={"error": type(exc).__name__})
                await asyncio.sleep(1)
                continue
            for item in updates:
                try:
                    await self.handle(item)
                except Exception as exc:  # the engine's own failures are retried and dead-lettered in Reception;
                    # what is left is the network or the database: wait, then fetch the update again
                    log.warning("update not handled; it will be fetched again",
                                extra={"update_id": item.update_id, "error": type(exc).__name__})
                    await asyncio.sleep(POLL_RETRY_SECONDS)
                    break
                offset = item.update_id + 1

    # -- webhook ----------------------------------------------------------------------------------------------
    def route(self) -> Route:
        return Route(WEBHOOK_PATH, self.webhook, methods=["POST"])

    async def webhook(self, request: Request) -> Response:
        """Refuse a missing or wrong secret (403), a malformed body (400); answer 200 only after commit."""
        given = request.headers.get("x-telegram-bot-api-secret-token", "")
        if not self.webhook_secret or not hmac.compare_digest(given.encode(), self.webhook_secret.encode()):
            return Response(status_code=403)
        body = await read_limited(request, self.max_body)
        if body is None:
            return Response(status_code=413)
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            update = Update.de_json(data, self.bot)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError, TelegramError):
            return Response(status_code=400)
        await self.handle(update)
        return Response(status_code=200)


def update_address(address: str, unreachable_at):
    return (
        update(ChannelAddress).where(ChannelAddress.channel == CHANNEL, ChannelAddress.address == address)
        .values(unreachable_at=unreachable_at)
    )


# Connections to the Bot API kept open. A bare Bot keeps one, so replies to different chats queue
# behind each other, and a send that waits over a second for it fails as a timeout. httpcore looks
# at every pooled connection on each request, so the pool is sized to how many sends run at once
# (a reply task per chat plus the outbox's 16), not to thousands.
CONNECTIONS = 32
POOL_TIMEOUT = 30.0


def make_request() -> HTTPXRequest:
    return HTTPXRequest(connection_pool_size=CONNECTIONS, pool_timeout=POOL_TIMEOUT)


def make_bot(token: str, base_url: str) -> telegram.Bot:
    """A Bot for the official API, a Local Bot API Server or a test server: only `base_url` differs."""
    return telegram.Bot(token, base_url=base_url, request=make_request())
