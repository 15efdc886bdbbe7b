"""The month as a picture, delivered: Telegram gets a photo uploaded from memory, WhatsApp a media link that
Twilio fetches (once, fine; after 24 hours, refused), the console a file; and Telegram's command menu and
descriptions in every language."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta

import pytest
import telegram
from PIL import Image
from starlette.applications import Starlette

from bot import media
from bot.channels.telegram import COMMANDS, TelegramSender, register_menus
from handlers.types import Runtime
from tests.bot.test_whatsapp import BOT, KEN, WhatsApp, approved_templates
from tests.chat import Chat
from tests.fakes.loopback import AppServer
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.twilio_api import FakeTwilio
from tests.scheduler.conftest import outbox_for

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def twilio():
    with FakeTwilio(whatsapp_number=BOT) as server:
        yield server


@pytest.fixture
def templates(tmp_path):
    return approved_templates(tmp_path)


@pytest.fixture
def fake_telegram():
    with FakeTelegram() as server:
        yield server


def chart_row(rt: Runtime, chat: Chat):
    chat.send("/progress")
    (row,) = [m for m in outbox_for(rt, chat.person().id) if m.kind == "chart"]
    return row


def test_progress_sends_the_month_as_a_photo_on_telegram(client, rt, fake_telegram):
    row = chart_row(rt, client)
    assert row.attachment["mime_type"] == "image/png"
    assert row.attachment["content"] == "" and row.attachment["chart"]  # what to draw, never the picture
    row.channel, row.address = "telegram", "1001"

    async def send():
        async with telegram.Bot(fake_telegram.token, base_url=fake_telegram.base_url) as bot:
            return await TelegramSender(bot, rt).send(row)

    asyncio.run(send())
    (photo,) = fake_telegram.photos(1001)
    assert photo["content"].startswith(PNG) and len(photo["content"]) < 150 * 1024
    assert photo["caption"] == row.text and "Ken" in row.text  # the words a screen reader reads
    assert Image.open(io.BytesIO(photo["content"])).width == 720


def test_the_menu_and_descriptions_are_registered_in_every_language(rt, content, fake_telegram):
    async def register():
        async with telegram.Bot(fake_telegram.token, base_url=fake_telegram.base_url) as bot:
            await register_menus(bot, content, "en")

    asyncio.run(register())
    default, english, chinese = fake_telegram.commands, fake_telegram.commands_for("en"), \
        fake_telegram.commands_for("zh")
    assert [c["command"] for c in chinese] == list(COMMANDS) == [c["command"] for c in default]
    assert default == english and english[0]["description"] == "Today's check-in"
    for command in chinese:  # a client whose Telegram is in Chinese sees no English in the menu
        assert not any("a" <= ch.lower() <= "z" for ch in command["description"]), command
    assert chinese[0]["description"] == content.text("commands.checkin", "zh-HK")
    zh = fake_telegram.descriptions("zh")
    assert zh["description"] == content.text("commands.description", "zh-HK")
    assert zh["short_description"] == content.text("commands.short_description", "zh-HK")
    assert fake_telegram.descriptions("")["short_description"].startswith("Your clinic's recovery companion")


@pytest.fixture
def media_server(rt):
    """The app's /media route on a real loopback server: the fake Twilio fetches from it as Twilio would."""
    with AppServer(Starlette(routes=media.MediaRoutes(rt).routes())) as server:
        yield server.url


def test_whatsapp_sends_the_picture_as_media_that_twilio_fetches_once_and_that_expires(rt, twilio, templates,
                                                                                         media_server):
    async def scenario():
        async with WhatsApp(rt, twilio, templates, media_base=media_server) as wa:
            await wa.onboard()
            await wa.say(KEN, "progress")
            (sent,) = [m for m in twilio.to(KEN) if m.get("MediaUrl")]
            url = sent["MediaUrl"]
            assert url.startswith(media_server + "/media/") and len(url.rsplit("/", 1)[1]) >= 40
            first = twilio.media_fetches
            rt.clock.now += timedelta(hours=24, minutes=1)
            late = await twilio.fetch_media(url)
            forged = await twilio.fetch_media(url[:-4] + "AAAA")
            return sent, first, late, forged

    sent, first, late, forged = asyncio.run(scenario())
    assert sent["Body"] and "Ken" in sent["Body"]  # the caption travels as the message's words
    (fetched,) = first
    assert fetched["status"] == 200 and fetched["content_type"] == "image/png"
    assert fetched["content"].startswith(PNG) and len(fetched["content"]) < 150 * 1024
    assert late["status"] == 410 and forged["status"] == 404


def test_outside_the_24_hour_window_the_summary_goes_as_its_template_and_no_picture_is_queued(
        rt, twilio, templates, media_server, clock):
    async def scenario():
        async with WhatsApp(rt, twilio, templates, media_base=media_server) as wa:
            await wa.onboard()
            clock.now += timedelta(days=8)  # Sunday's summary falls due days after Ken last wrote
            await wa.tick()
            summary = [m for m in twilio.to(KEN) if m.get("ContentSid") == templates["weekly_summary"].content_sid]
            await wa.say(KEN, "progress")  # once he writes, the picture comes on request
            return summary

    summary = asyncio.run(scenario())
    assert len(summary) == 1
    charts = [m for m in outbox_for(rt, KEN_ID(rt)) if m.kind == "chart"]
    assert len(charts) == 1 and charts[0].status == "sent"  # /progress's; none queued with the summary
    assert len(twilio.media_fetches) == 1 and twilio.media_fetches[0]["status"] == 200


def KEN_ID(rt) -> int:  # noqa: N802 - reads as the constant it stands for
    from sqlmodel import Session, select

    from data.models import ChannelAddress

    with Session(rt.db) as session:
        return session.exec(select(ChannelAddress.person_id).where(ChannelAddress.address == KEN)).one()


def test_the_console_saves_the_picture_and_prints_where(rt, client, tmp_path):
    from bot.channels.console import ConsoleSender

    row = chart_row(rt, client)
    out = io.StringIO()
    asyncio.run(ConsoleSender(out, tmp_path, rt).send(row))
    saved = tmp_path / row.attachment["filename"]
    assert saved.read_bytes().startswith(PNG) and f"(saved to {saved})" in out.getvalue()


def test_a_picture_that_cannot_be_drawn_still_sends_its_words(rt, client, fake_telegram, monkeypatch):
    row = chart_row(rt, client)
    row.channel, row.address = "telegram", "1002"

    def no_font(*_args, **_kw):
        raise media.NoPicture("no font")

    monkeypatch.setattr(media, "load", no_font)

    async def send():
        async with telegram.Bot(fake_telegram.token, base_url=fake_telegram.base_url) as bot:
            return await TelegramSender(bot, rt).send(row)

    asyncio.run(send())
    assert fake_telegram.photos(1002) == [] and fake_telegram.texts(1002) == [row.text]

