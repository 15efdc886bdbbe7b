"""The console channel: play the client in a terminal, or pipe a whole conversation in, one message per line."""

from __future__ import annotations

import asyncio
import getpass
import itertools
import sys
import uuid
from pathlib import Path
from typing import TextIO

from bot import media
from data.models import Outbox
from handlers.dispatch import dispatch
from handlers.types import Inbound, Runtime
from scheduler.outbox import Delivery, SendResult

CHANNEL = "console"


def render(message: Outbox) -> str:
    """A message as the terminal shows it: text, then numbered options (or a row of scale values)."""
    lines = [message.text]
    if message.options:
        if message.numbered:
            lines += [f"  {n}) {o['label']}" for n, o in enumerate(message.options, start=1)]
        else:
            lines.append("  " + "  ".join(f"[{o['label']}]" for o in message.options))
    return "\n".join(lines)


class ConsoleSender:
    """Prints messages for the console user; exports are written as files in `export_dir`."""

    channel = CHANNEL

    def __init__(self, out: TextIO, export_dir: Path, rt: Runtime | None = None) -> None:
        self.out = out
        self.export_dir = export_dir
        self.rt = rt  # for pictures drawn when sent (bot/media.py)

    async def send(self, message: Outbox) -> SendResult:
        text = render(message)
        if message.attachment:
            try:
                data = await media.picture(self.rt, message.attachment) if self.rt else None
            except media.NoPicture:
                data = None  # the words alone
            if data is not None or not message.attachment.get("chart"):
                self.export_dir.mkdir(parents=True, exist_ok=True)
                path = self.export_dir / message.attachment["filename"]
                path.write_bytes(data if data is not None else message.attachment["content"].encode())
                text += f"\n  (saved to {path})"
        self.out.write("bot> " + text.replace("\n", "\n     ") + "\n\n")
        self.out.flush()
        return SendResult(provider_id=f"console-{uuid.uuid4().hex[:12]}")


def chat(rt: Runtime, *, user: str | None = None, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout,
         export_dir: Path = Path(".")) -> int:
    """Run a console conversation until end of input; returns the number of messages sent."""
    address = user or getpass.getuser() or "local"
    sender = ConsoleSender(stdout, export_dir, rt)
    interactive = stdin.isatty()
    session_id = uuid.uuid4().hex[:8]

    delivery = Delivery(rt, {CHANNEL: sender}, limits={})

    def deliver() -> None:
        asyncio.run(delivery.drain(address=address))

    deliver()  # anything queued while they were away (prompts, follow-ups)
    if interactive:
        stdout.write("Talking to the recovery companion as '" + address + "'. Say hi to begin; Ctrl-D to leave.\n\n")
    sent = 0
    for n in itertools.count(1):
        if interactive:
            stdout.write("you> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        line = line.rstrip("\r\n")
        if not interactive:
            stdout.write(f"you> {line}\n")
        dispatch(rt, Inbound(CHANNEL, address, f"{session_id}-{n}", text=line, received_at=rt.clock()))
        deliver()
        sent += 1
    if interactive:
        stdout.write("\nBye for now.\n")
    return sent
