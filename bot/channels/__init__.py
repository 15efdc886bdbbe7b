"""The channel adapters (console, Telegram, WhatsApp), and what their webhooks share."""

from __future__ import annotations

from starlette.requests import Request

DEFAULT_MAX_BODY_BYTES = 1024 * 1024


async def read_limited(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is larger than `limit` bytes: refused by its declared length before
    anything is read, and by counting while it streams (a body with no length, or one that lies)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                return None
        except ValueError:
            return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)
