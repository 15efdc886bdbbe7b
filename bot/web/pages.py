"""What the app's pages share: one template environment, the headers every page sends, how a ladder step reads."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from data.content import Content

HERE = Path(__file__).parent
# Pages hold health data: never cached, never framed, scripts and styles only from this app (htmx is vendored).
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
}


@cache
def templates() -> Environment:
    return Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]),
                       trim_blocks=True, lstrip_blocks=True)


def step_text(content: Content, locale: str, step: str, who: str | None) -> str:
    """A step the ladder took, in words ("nudged Mum"); a step without a text of its own is shown by name."""
    key = f"dashboard.step_{step}"
    return content.text(key, locale, who=who or "?") if content.has(key) else step
