"""A fake Twilio REST API (Programmable Messaging) for end-to-end tests without the internet.

The real twilio library talks HTTP to it on loopback::

    with FakeTwilio() as fake:
        client = make_client(fake.account_sid, fake.auth_token, fake.base_url)
        await client.messages.create_async(from_="whatsapp:+852...", to="whatsapp:+852...", body="hi")

It answers like https://api.twilio.com: ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json``
with HTTP basic auth (account SID : auth token) and form-encoded parameters (From, To, Body or
ContentSid + ContentVariables, StatusCallback ...), 201 and a Message resource on success, and
Twilio's JSON errors (``{"code", "message", "more_info", "status"}``) otherwise. Every accepted
message is recorded as the parameters were sent; failures and delays can be injected.

It also plays Twilio calling *our* webhooks: :meth:`FakeTwilio.inbound_params` and
:meth:`FakeTwilio.status_params` build the form Twilio posts, and :func:`signed_post` /
:func:`signed_post_async` post it with the ``X-Twilio-Signature`` Twilio would compute.

The server runs uvicorn in a background thread with its own event loop, so state is shared
between that thread and the test thread and is guarded by one lock.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import secrets
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import parse_qsl

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from tests.fakes.loopback import LoopbackServer

__all__ = ["FakeTwilio", "sign", "signed_post", "signed_post_async"]

API_VERSION = "2010-04-01"
MAX_BODY = 1600
MORE_INFO = "https://www.twilio.com/docs/errors/{code}"


def _sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def _rfc2822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC).replace(microsecond=0))  # "Mon, 02 Mar 2026 02:00:00 +0000"


async def _form(request: Request) -> dict[str, str]:
    """The form-encoded parameters (parsed here: Starlette's parser needs python-multipart)."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        return {}
    return dict(parse_qsl((await request.body()).decode("utf-8"), keep_blank_values=True))


class _ApiError(Exception):
    """An error answer of the REST API, in Twilio's legacy JSON shape (what twilio-python parses)."""

    def __init__(self, status: int, code: int, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> JSONResponse:
        return JSONResponse({"code": self.code, "message": self.message,
                             "more_info": MORE_INFO.format(code=self.code), "status": self.status},
                            status_code=self.status)


# -- playing Twilio towards our webhooks -------------------------------------------------------------------
def sign(url: str, params: Mapping[str, str], auth_token: str) -> str:
    """The X-Twilio-Signature Twilio sends for a POST of `params` to `url`."""
    return RequestValidator(auth_token).compute_signature(url, dict(params))


def _signed(url: str, params: Mapping[str, str], auth_token: str, sign_url: str | None) -> tuple[dict, dict]:
    form = {k: str(v) for k, v in params.items()}
    headers = {"X-Twilio-Signature": sign(sign_url or url, form, auth_token),
               "User-Agent": "TwilioProxy/1.1", "I-Twilio-Idempotency-Token": secrets.token_hex(16)}
    return form, headers


def signed_post(url: str, params: Mapping[str, str], auth_token: str, *, sign_url: str | None = None,
                client: httpx.Client | None = None, timeout: float = 10) -> httpx.Response:
    """POST `params` form-encoded to `url`, signed as Twilio signs (for `sign_url` when given, else `url`)."""
    form, headers = _signed(url, params, auth_token, sign_url)
    if client is not None:
        return client.post(url, data=form, headers=headers)
    return httpx.post(url, data=form, headers=headers, timeout=timeout)


async def signed_post_async(http: httpx.AsyncClient, url: str, params: Mapping[str, str], auth_token: str, *,
                            sign_url: str | None = None) -> httpx.Response:
    """The same through an async client (e.g. one on httpx.ASGITransport, for an in-process app)."""
    form, headers = _signed(url, params, auth_token, sign_url)
    return await http.post(url, data=form, headers=headers)


class FakeTwilio(LoopbackServer):
    """A loopback Twilio REST API server for sending messages; see the module docstring."""

    name = "Twilio"

    def __init__(self, account_sid: str | None = None, auth_token: str | None = None,
                 whatsapp_number: str = "whatsapp:+85200000000"):
        super().__init__()
        self.account_sid = account_sid or "AC" + "0123456789abcdef" * 2
        self.auth_token = auth_token or "f" * 8 + "0123456789abcdef" + "e" * 8
        self.whatsapp_number = whatsapp_number  # the bot's sender: `To` of inbound messages
        self._messages: list[dict] = []  # params of accepted messages, as sent
        self._sids: list[str] = []  # the Message SID each of them was given
        self._resources: dict[str, dict] = {}  # sid -> Message resource
        self._requests: list[dict] = []  # every create request, accepted or not
        self._failures: list[dict] = []
        self._delay = 0.0
        self._media: list[dict] = []  # each media URL fetch: url, status, content_type, content

    # ------------------------------------------------------------------ URLs
    @property
    def base_url(self) -> str:
        """For ``make_client(..., base_url=...)`` (``client.api.base_url``)."""
        return self.url

    # ------------------------------------------------------------------ recorded state
    @property
    def messages(self) -> list[dict]:
        """Params of every accepted message in order, as sent (ContentVariables still a JSON string)."""
        with self._lock:
            return copy.deepcopy(self._messages)

    @property
    def requests(self) -> list[dict]:
        """Every message-create request, including refused ones: {"params", "status"}."""
        with self._lock:
            return copy.deepcopy(self._requests)

    def to(self, address: str) -> list[dict]:
        """Params of the accepted messages to `address` (e.g. "whatsapp:+85291234567"), in order."""
        with self._lock:
            return [copy.deepcopy(m) for m in self._messages if m.get("To") == address]

    def sids(self, address: str) -> list[str]:
        """The Message SIDs given to the messages :meth:`to` returns, in the same order."""
        with self._lock:
            return [sid for sid, m in zip(self._sids, self._messages, strict=True) if m.get("To") == address]

    def bodies(self, address: str) -> list[str | None]:
        return [m.get("Body") for m in self.to(address)]

    def resource(self, sid: str) -> dict | None:
        with self._lock:
            return copy.deepcopy(self._resources.get(sid))

    @property
    def media_fetches(self) -> list[dict]:
        """Every fetch of a message's MediaUrl, in order: {"url", "status", "content_type", "content"}."""
        with self._lock:
            return copy.deepcopy(self._media)

    async def fetch_media(self, url: str) -> dict:
        """Fetch a media URL as Twilio does when a message names one (and again, when a test asks)."""
        async with httpx.AsyncClient(timeout=10) as http:
            try:
                response = await http.get(url)
                found = {"url": url, "status": response.status_code,
                         "content_type": response.headers.get("content-type", ""), "content": response.content}
            except httpx.HTTPError as exc:
                found = {"url": url, "status": None, "content_type": "", "content": b"", "error": type(exc).__name__}
        with self._lock:
            self._media.append(found)
        return found

    def reset(self) -> None:
        """Forget recorded messages and requests (not injected failures)."""
        with self._lock:
            self._messages.clear()
            self._sids.clear()
            self._requests.clear()

    # ------------------------------------------------------------------ failure injection
    def fail_next(self, status: int, code: int, message: str = "", times: int = 1) -> None:
        """The next `times` message creates answer `status` with Twilio error `code` (e.g. 429/20429)."""
        with self._lock:
            self._failures.append({"status": status, "code": code, "times": times,
                                   "message": message or f"Injected error {code}"})

    @property
    def delay(self) -> float:
        with self._lock:
            return self._delay

    @delay.setter
    def delay(self, seconds: float) -> None:
        """Answer every message create only after this many seconds (the server's loop is not blocked)."""
        with self._lock:
            self._delay = float(seconds)

    def _progress(self) -> str:
        return f"{len(self.messages)} message(s) sent"

    # ------------------------------------------------------------------ webhook forms
    def inbound_params(self, from_: str, body: str, *, sid: str | None = None, profile_name: str | None = "Ken",
                       button_payload: str | None = None, button_text: str | None = None,
                       to: str | None = None) -> dict[str, str]:
        """The form Twilio posts to the inbound webhook for a WhatsApp message from `from_`."""
        sid = sid or _sid("SM")
        wa_id = from_.removeprefix("whatsapp:").lstrip("+")
        params = {
            "SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid, "SmsStatus": "received", "Body": body,
            "To": to or self.whatsapp_number, "NumSegments": "1", "MessageSid": sid,
            "AccountSid": self.account_sid, "From": from_, "ApiVersion": API_VERSION, "WaId": wa_id,
            "MessageType": "text", "ReferralNumMedia": "0",
        }
        if profile_name is not None:
            params["ProfileName"] = profile_name
        if button_payload is not None:
            params["ButtonPayload"] = button_payload
            params["ButtonText"] = button_text if button_text is not None else body
            params["MessageType"] = "button"
        return params

    def status_params(self, sid: str, status: str, error_code: str | int | None = None) -> dict[str, str]:
        """The form Twilio posts to a message's StatusCallback when its status changes."""
        with self._lock:
            known = self._resources.get(sid, {})
        params = {
            "MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
            "AccountSid": self.account_sid, "ApiVersion": API_VERSION,
            "From": known.get("from") or self.whatsapp_number, "To": known.get("to") or "",
            "ChannelToAddress": (known.get("to") or "").removeprefix("whatsapp:"),
            "ChannelPrefix": "whatsapp", "ChannelInstallSid": _sid("XE"),
        }
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
            params["EventType"] = "FAILED" if status in ("failed", "undelivered") else status.upper()
        if status == "read":
            params["EventType"] = "READ"
        return params

    # ------------------------------------------------------------------ HTTP
    def _app(self) -> Starlette:
        return Starlette(routes=[
            Route(f"/{API_VERSION}/Accounts/{{account}}/Messages.json", self._create, methods=["POST"]),
            Route(f"/{API_VERSION}/Accounts/{{account}}/Messages/{{sid}}.json", self._fetch, methods=["GET"]),
            Route(f"/{API_VERSION}/Accounts/{{account}}.json", self._account, methods=["GET"]),
        ])

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return (secrets.compare_digest(user, self.account_sid) and secrets.compare_digest(password, self.auth_token)
                and request.path_params["account"] == self.account_sid)

    @staticmethod
    def _unauthorised() -> JSONResponse:
        return JSONResponse({"code": 20003, "message": "Authenticate", "more_info": MORE_INFO.format(code=20003),
                             "status": 401}, status_code=401, headers={"WWW-Authenticate": 'Basic realm="Twilio API"'})

    async def _account(self, request: Request) -> Response:
        """GET the account itself: what a client does to check its credentials."""
        if not self._authorised(request):
            return self._unauthorised()
        return JSONResponse({"sid": self.account_sid, "friendly_name": "Test account", "status": "active",
                             "type": "Full", "auth_token": None, "owner_account_sid": self.account_sid})

    async def _fetch(self, request: Request) -> Response:
        if not self._authorised(request):
            return self._unauthorised()
        found = self.resource(request.path_params["sid"])
        if found is None:
            return _ApiError(404, 20404, f"The requested resource {request.url.path} was not found").response()
        return JSONResponse(found)

    async def _create(self, request: Request) -> Response:
        params = await _form(request)
        if not self._authorised(request):
            with self._lock:
                self._requests.append({"params": params, "status": 401})
            return self._unauthorised()
        deadline = time.monotonic() + self.delay
        while time.monotonic() < deadline and not self._stopping:  # a slow answer, cut short by stop()
            await asyncio.sleep(min(0.01, max(0.0, deadline - time.monotonic())))
        try:
            resource = self._accept(params)
        except _ApiError as err:
            with self._lock:
                self._requests.append({"params": params, "status": err.status})
            return err.response()
        if params.get("MediaUrl"):  # Twilio fetches the media itself, from the public URL it was given
            await self.fetch_media(params["MediaUrl"])
        return JSONResponse(resource, status_code=201)

    def _accept(self, params: dict[str, str]) -> dict:
        to, from_ = params.get("To", ""), params.get("From", "")
        body, content_sid = params.get("Body"), params.get("ContentSid")
        if not to:
            raise _ApiError(400, 21604, "A 'To' phone number is required.")
        if not from_ and not params.get("MessagingServiceSid"):
            raise _ApiError(400, 21603, "A 'From' phone number is required.")
        if to.startswith("whatsapp:") != from_.startswith("whatsapp:"):
            raise _ApiError(400, 21910, "Invalid From and To pair. From and To should be of the same channel")
        if params.get("MediaUrl") and not content_sid:
            if not params["MediaUrl"].startswith(("https://", "http://")):
                raise _ApiError(400, 21620, "Media urls: invalid url")
        elif (body is None or body == "") == (content_sid is None or content_sid == ""):
            raise _ApiError(400, 21619, "A text message body or media URL must be specified."
                            if not body and not content_sid else "Message body and ContentSid are both specified.")
        if content_sid is not None:
            if not (content_sid.startswith("HX") and len(content_sid) == 34):
                raise _ApiError(400, 21655, "The ContentSid is Invalid.")
            variables = params.get("ContentVariables")
            if variables is not None:
                try:
                    decoded = json.loads(variables)
                except ValueError:
                    decoded = None
                if not isinstance(decoded, dict) or not all(isinstance(v, str) for v in decoded.values()):
                    raise _ApiError(400, 21656, "The ContentVariables Parameter is invalid.")
        elif body and len(body) > MAX_BODY:
            raise _ApiError(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        with self._lock:
            for rule in self._failures:
                if rule["times"] > 0:
                    rule["times"] -= 1
                    self._failures = [r for r in self._failures if r["times"] > 0]
                    raise _ApiError(rule["status"], rule["code"], rule["message"])
            sid = _sid("SM")
            now = _rfc2822(datetime.now(UTC))
            uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json"
            resource = {
                "account_sid": self.account_sid, "api_version": API_VERSION, "body": body or "",
                "date_created": now, "date_sent": None, "date_updated": now, "direction": "outbound-api",
                "error_code": None, "error_message": None, "from": from_, "messaging_service_sid": None,
                "num_media": "1" if params.get("MediaUrl") else "0", "num_segments": "1", "price": None, "price_unit": "USD", "sid": sid,
                "status": "queued", "to": to, "uri": uri,
                "subresource_uris": {"media": uri.replace(".json", "/Media.json"),
                                     "feedback": uri.replace(".json", "/Feedback.json")},
            }
            self._resources[sid] = resource
            self._messages.append(dict(params))
            self._sids.append(sid)
            self._requests.append({"params": params, "status": 201})
            return copy.deepcopy(resource)


FakeTwilio.sign = staticmethod(sign)
FakeTwilio.signed_post = staticmethod(signed_post)
FakeTwilio.signed_post_async = staticmethod(signed_post_async)
