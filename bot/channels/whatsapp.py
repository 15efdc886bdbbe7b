"""WhatsApp through Twilio: signed webhooks in, messages out within the 24-hour window or as approved templates.

The Twilio client sends with its async HTTP client (never blocking the event loop); the
conversation itself stays in handlers/, so this module only verifies, translates and delivers.
"""

from __future__ import annotations

import json
import logging
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qsl, quote

from sqlmodel import Session, select
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator

from bot import media
from bot.channels import DEFAULT_MAX_BODY_BYTES, read_limited
from data import outbox
from data.db import run_db
from data.models import ChannelAddress, Outbox
from handlers import optout
from handlers.delivery import WINDOW, WINDOW_MARGIN, in_window
from handlers.types import FAREWELL_KIND, Inbound, Runtime
from scheduler.outbox import (
    RateLimited,
    RecipientUnreachable,
    Rejected,
    SendResult,
    TransientError,
    policy,
)
from scheduler.reception import Reception

CHANNEL = "whatsapp"
INBOUND_PATH = "/whatsapp/inbound"
STATUS_PATH = "/whatsapp/status"
TEMPLATE_KEYS = ("daily_prompt", "reminder", "partner_nudge", "clinician_alert", "all_clear", "craving_followup",
                 "weekly_summary")
# Delivery statuses in the order they happen; failed and undelivered end it.
STATUS_ORDER = {"accepted": 0, "queued": 1, "sending": 2, "sent": 3, "delivered": 4, "read": 5,
                "failed": 6, "undelivered": 6}
OUTSIDE_WINDOW = "63016"
UNREACHABLE_CODES = {"21211", "21614", "63003", "63024"}  # invalid or non-WhatsApp numbers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Template:
    content_sid: str
    variables: tuple[str, ...]  # which of the message's template variables fill {{1}}, {{2}} ...


def load_templates(path: Path) -> tuple[dict[str, Template], dict[int, str]]:
    """The approved templates by message kind, and quick-reply templates by number of buttons."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    found = {}
    for key, entry in data.get("templates", {}).items():
        sid = (entry.get("content_sid") or "").strip()
        if sid:
            found[key] = Template(sid, tuple(str(v) for v in entry.get("variables", [])))
    quick = {int(n): sid.strip() for n, sid in data.get("quick_reply", {}).items() if sid and sid.strip()}
    return found, quick


def missing_templates(templates: dict[str, Template]) -> list[str]:
    return [key for key in TEMPLATE_KEYS if key not in templates]


def render_options(message: Outbox) -> str:
    """Options as numbered lines (or a row of values for a scale); typed numbers and words both work."""
    if not message.options:
        return message.text
    if message.numbered:
        lines = [f"{n}. {o['label']}" for n, o in enumerate(message.options, start=1)]
        return message.text + "\n\n" + "\n".join(lines)
    return message.text + "\n\n" + " · ".join(o["label"] for o in message.options)


class WhatsAppSender:
    """Sends outbox rows through Twilio: free-form inside the 24-hour window, a template outside it."""

    channel = CHANNEL

    def __init__(self, rt: Runtime, client, from_: str, templates: dict[str, Template],
                 status_callback: str | None = None, quick_replies: dict[int, str] | None = None,
                 media_base: str | None = None) -> None:
        self.rt = rt
        self.media_base = (media_base or "").rstrip("/") or None  # PUBLIC_BASE_URL: where Twilio fetches pictures
        self.client = client
        self.from_ = from_
        self.templates = templates
        self.quick_replies = quick_replies or {}
        self.status_callback = status_callback

    async def _media_url(self, person_id: int, chart: str) -> str:
        """A fresh, expiring link to the picture, for Twilio to fetch (bot/media.py)."""
        now = self.rt.clock()

        def link() -> str:
            with Session(self.rt.db) as session:
                token = media.make_link(session, person_id, chart, now)
                session.commit()
                return token

        return f"{self.media_base}{media.MEDIA_PATH}/{await run_db(self.rt.db, link)}"

    def window_open(self, address: str, now: datetime) -> bool:
        with Session(self.rt.db) as session:
            last = session.exec(select(ChannelAddress.last_inbound_at).where(
                ChannelAddress.channel == CHANNEL, ChannelAddress.address == address)).first()
        return in_window(last, now)

    async def _window_open(self, message: Outbox) -> bool:
        now = self.rt.clock()
        # The goodbye after an erasure answers the message that asked for it (the window is open), but the
        # address it would be looked up by is already gone.
        if message.kind == FAREWELL_KIND and now - message.created_at < WINDOW - WINDOW_MARGIN:
            return True
        return await run_db(self.rt.db, self.window_open, message.address, now)

    async def send(self, message: Outbox) -> SendResult:
        open_ = not message.force_template and await self._window_open(message)
        params = {"from_": self.from_, "to": message.address}
        if self.status_callback:
            params["status_callback"] = self.status_callback
        quick = self.quick_replies.get(len(message.options)) if message.numbered else None
        if open_ and quick:
            values = {"1": message.text}
            for n, option in enumerate(message.options):
                values[str(2 + 2 * n)], values[str(3 + 2 * n)] = option["label"][:20], option["payload"]
            params["content_sid"], params["content_variables"] = quick, json.dumps(values)
        elif open_:
            params["body"] = render_options(message)
            chart = (message.attachment or {}).get("chart")
            if chart and self.media_base and message.person_id is not None:
                params["media_url"] = [await self._media_url(message.person_id, chart)]
        else:
            template = self.templates.get(message.template_key or "")
            if template is None:
                raise Rejected(f"outside the 24-hour window and no approved template for "
                               f"{message.template_key or message.kind!r}")
            params["content_sid"] = template.content_sid
            values = ({str(n): message.template_vars.get(var, "") for n, var in enumerate(template.variables, start=1)}
                      if template.variables else dict(message.template_vars))
            params["content_variables"] = json.dumps(values)
        try:
            sent = await self.client.messages.create_async(**params)
        except TwilioRestException as exc:
            code = str(exc.code or "")
            if exc.status == 429 or code == "20429":
                raise RateLimited(1.0) from exc
            if exc.status in (401, 403) and code in ("20003", ""):
                log.error("Twilio refused our credentials: check TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN")
                raise TransientError("twilio authentication") from exc  # kept, retried once fixed
            if code in UNREACHABLE_CODES:
                raise RecipientUnreachable(message.address, f"twilio {code}") from exc
            if exc.status >= 500:
                raise TransientError(f"twilio {exc.status}") from exc
            raise Rejected(f"twilio {exc.status} {code}".strip()) from exc
        except (TimeoutError, OSError) as exc:
            raise TransientError(type(exc).__name__) from exc
        return SendResult(provider_id=sent.sid)


class WhatsAppChannel:
    """The signed webhook routes: inbound messages and delivery-status callbacks."""

    def __init__(self, rt: Runtime, *, auth_token: str, public_base_url: str, sender: WhatsAppSender,
                 reception: Reception | None = None, max_body: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.rt = rt
        self.max_body = max_body
        self.validator = RequestValidator(auth_token)
        self.public_base_url = public_base_url.rstrip("/")
        self.sender = sender
        self.reception = reception or Reception(rt)

    def routes(self) -> list[Route]:
        return [Route(INBOUND_PATH, self.inbound, methods=["POST"]),
                Route(STATUS_PATH, self.status, methods=["POST"])]

    async def _verified_form(self, request: Request, path: str) -> dict[str, str] | Response:
        """The form, if X-Twilio-Signature matches the public URL Twilio called (not the request's Host);
        otherwise the response to give: 403 for a missing or wrong signature, 400 for an unreadable body."""
        signature = request.headers.get("x-twilio-signature", "")
        if not signature:
            return Response(status_code=403)
        body = await read_limited(request, self.max_body)
        if body is None:
            return Response(status_code=413)
        try:  # Twilio signs the URL and the form's fields, so they are read, then checked before any is used
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
        except (UnicodeDecodeError, ValueError):
            return Response(status_code=400)
        url = self.public_base_url + path
        if request.url.query:
            url += "?" + request.url.query
        if not self.validator.validate(url, form, signature):
            return Response(status_code=403)
        return form

    async def inbound(self, request: Request) -> Response:
        form = await self._verified_form(request, INBOUND_PATH)
        if isinstance(form, Response):
            return form
        sid, sender = form.get("MessageSid", ""), form.get("From", "")
        if not sid or not sender.startswith("whatsapp:"):
            return Response(status_code=400)
        inbound = Inbound(
            channel=CHANNEL, address=sender, external_id=sid, text=form.get("Body", ""),
            payload=form.get("ButtonPayload") or None, profile_name=form.get("ProfileName") or None,
            received_at=self.rt.clock(),
        )
        which = optout.keyword(self.rt, inbound.text) if not inbound.payload else None
        if which is not None and await run_db(self.rt.db, optout.apply, self.rt, inbound, which):
            await self.reception.flush(inbound)  # the one confirmation
        else:
            await self.reception.receive(inbound)
        # Empty TwiML: every reply goes through the outbox, not the webhook response.
        return Response("<Response></Response>", media_type="text/xml")

    async def status(self, request: Request) -> Response:
        form = await self._verified_form(request, STATUS_PATH)
        if isinstance(form, Response):
            return form
        sid, status = form.get("MessageSid", ""), (form.get("MessageStatus") or "").lower()
        if not sid or status not in STATUS_ORDER:
            return Response(status_code=400)
        await run_db(self.rt.db, self.apply_status, sid, status, form.get("ErrorCode") or None)
        return Response(status_code=204)

    def apply_status(self, sid: str, status: str, error: str | None) -> None:
        """Move the message's status forward only; recover from 63016 and undelivered messages."""
        with Session(self.rt.db, expire_on_commit=False) as session:
            message = outbox.record_delivery(session, sid, status, error, STATUS_ORDER)
            if message is not None and status in ("failed", "undelivered"):
                policy.undelivered(session, message, self.rt.clock(), outside_window=error == OUTSIDE_WINDOW)
            session.commit()


def invite_link(from_: str) -> str:
    """wa.me link that opens a chat with our number, the JOIN code already typed."""
    number = from_.removeprefix("whatsapp:").lstrip("+")
    return f"https://wa.me/{number}?text={quote('JOIN ')}{{token}}"


SEND_TIMEOUT = 15.0


def make_client(account_sid: str, auth_token: str, base_url: str | None, *, timeout: float = SEND_TIMEOUT):
    """A Twilio client on the async HTTP client; `base_url` swaps the API host (a test server, a proxy)."""
    from twilio.http.async_http_client import AsyncTwilioHttpClient
    from twilio.rest import Client

    class _TimedClient(AsyncTwilioHttpClient):
        """twilio's async client ignores its own timeout (it passes None to aiohttp): apply it."""

        async def request(self, *args, timeout=None, **kwargs):
            return await super().request(*args, timeout=timeout or self.timeout, **kwargs)

    client = Client(account_sid, auth_token, http_client=_TimedClient(timeout=timeout))
    if base_url:
        client.api.base_url = base_url.rstrip("/")
    return client
