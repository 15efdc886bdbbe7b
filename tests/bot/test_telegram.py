"""The Telegram channel through python-telegram-bot's real HTTP layer, against a fake Bot API on loopback."""

import asyncio
import html
from datetime import timedelta

import httpx
import pytest
import telegram
from sqlmodel import Session, func, select

from bot.channels.telegram import TelegramChannel, TelegramSender, split_text, translate
from bot.web import create_app
from data.models import ChannelAddress, InboundEvent, Outbox
from handlers.types import Attachment, Option, Outbound
from scheduler.outbox import Delivery, RateLimited, RecipientUnreachable, Rejected, TransientError
from scheduler.reception import Reception
from tests.chat import Chat
from tests.fakes.telegram_api import FakeTelegram
from tests.scheduler.conftest import add_person, outbox_for

SECRET = "s3cret-token-for-tests_0123456789"


@pytest.fixture
def fake():
    with FakeTelegram() as server:
        yield server


def row(**kw) -> Outbox:
    values = dict(id=1, channel="telegram", address="1001", text="hello", options=[], numbered=True, kind="reply",
                  attachment=None)
    values.update(kw)
    return Outbox(**values)


async def send(fake, message: Outbox):
    async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
        return await TelegramSender(bot).send(message)


def test_names_with_markup_characters_and_emoji_arrive_as_written(fake):
    text = "Hi <b>Ken</b> & Mei 🌱 — 5 < 6"
    asyncio.run(send(fake, row(text=text)))
    (sent,) = fake.sent(1001)
    assert sent["parse_mode"] == "HTML" and html.unescape(sent["text"]) == text
    assert "<b>" not in sent["text"]


def test_options_become_inline_buttons_with_short_keys(fake):
    options = [{"label": "I agree", "payload": "agree"}, {"label": "Not now", "payload": "not_now"}]
    asyncio.run(send(fake, row(options=options)))
    keyboard = fake.sent(1001)[0]["reply_markup"]["inline_keyboard"]
    assert keyboard == [[{"text": "I agree", "callback_data": "agree"}], [{"text": "Not now", "callback_data": "not_now"}]]
    scale = [{"label": str(n), "payload": f"n:{n}"} for n in range(11)]
    asyncio.run(send(fake, row(options=scale, numbered=False)))
    rows = fake.sent(1001)[1]["reply_markup"]["inline_keyboard"]
    assert [len(r) for r in rows] == [6, 5]


def test_button_keys_can_never_exceed_64_bytes():
    with pytest.raises(ValueError):
        Option("label", "x" * 65)


def test_long_texts_are_split_at_paragraphs_with_buttons_on_the_last_part(fake):
    paragraphs = [f"Paragraph {n}. " + "words " * 120 for n in range(12)]
    text = "\n\n".join(paragraphs)
    asyncio.run(send(fake, row(text=text, options=[{"label": "OK", "payload": "ok"}])))
    sent = fake.sent(1001)
    assert len(sent) >= 2 and all(len(html.unescape(s["text"])) <= 4096 for s in sent)
    assert all(html.unescape(s["text"]).startswith("Paragraph") for s in sent)
    assert "reply_markup" not in sent[0] and sent[-1]["reply_markup"]
    assert " ".join(split_text(text)).split() == text.split()  # nothing lost or reordered


def test_an_export_is_sent_as_a_document(fake):
    asyncio.run(send(fake, row(text="Your data", attachment={"filename": "x.json", "content": '{"a": 1}',
                                                              "mime_type": "application/json"})))
    (doc,) = fake.documents(1001)
    assert doc["filename"] == "x.json" and doc["content"] == b'{"a": 1}'


@pytest.mark.parametrize("inject, error", [
    (lambda f: f.block(1001), RecipientUnreachable),
    (lambda f: f.rate_limit(3), RateLimited),
    (lambda f: f.fail(status=502), TransientError),
    (lambda f: f.bad_request("message text is empty"), Rejected),
])
def test_platform_errors_map_to_what_the_outbox_understands(fake, inject, error):
    inject(fake)
    with pytest.raises(error) as caught:
        asyncio.run(send(fake, row()))
    if error is RateLimited:
        assert caught.value.retry_after == 3


def telegram_client(rt, address="1001"):
    return Chat(rt, address=address, channel="telegram")


def test_a_blocked_client_is_marked_unreachable_and_the_clinician_told(rt, fake):
    doctor = add_person(rt, role="clinician", name="Dr Chan", address="3003", channel="telegram")
    client = telegram_client(rt)
    client.onboard()
    fake.block(1001)

    async def drain():
        async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
            return await Delivery(rt, {"telegram": TelegramSender(bot)}, limits={}).drain()

    asyncio.run(drain())
    with Session(rt.db) as session:
        address = session.exec(select(ChannelAddress).where(ChannelAddress.address == "1001")).one()
    assert address.unreachable_at is not None
    assert "Ken can't be reached on telegram" in fake.texts(3003)[-1]
    assert outbox_for(rt, doctor.id)[-1].status == "sent"


def test_a_429_waits_exactly_retry_after_and_then_delivers(rt, fake, clock):
    client = telegram_client(rt)
    client.send("hi")
    fake.rate_limit(3)

    async def drain():
        async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
            return await Delivery(rt, {"telegram": TelegramSender(bot)}, limits={}).drain()

    assert asyncio.run(drain()) == 0
    (message,) = outbox_for(rt, client.person().id)
    assert message.status == "pending" and message.due_at == clock() + timedelta(seconds=3)
    clock.advance(seconds=3)
    assert asyncio.run(drain()) == 1
    assert "recovery companion" in fake.texts(1001)[-1]


# -- the webhook route, in-process over ASGI ------------------------------------------------------------
async def post(app, body, secret=SECRET, raw=False):
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        if raw:
            return await http.post("/telegram/webhook", content=body, headers=headers)
        return await http.post("/telegram/webhook", json=body, headers=headers)


def events(rt) -> int:
    with Session(rt.db) as session:
        return session.exec(select(func.count()).select_from(InboundEvent)).one()


def test_webhook_refuses_forgeries_and_malformed_bodies_storing_nothing(rt, fake):
    async def scenario():
        async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
            channel = TelegramChannel(rt, bot, webhook_secret=SECRET)
            app = create_app(rt, [channel.route()])
            update = fake.make_message_update(1001, "hi")
            assert (await post(app, update, secret=None)).status_code == 403
            assert (await post(app, update, secret="wrong-secret-0123456789")).status_code == 403
            assert (await post(app, b"{not json", raw=True)).status_code == 400
            assert (await post(app, [1, 2])).status_code == 400
            assert (await post(app, {"message": {}})).status_code == 400
            assert events(rt) == 0
            assert (await post(app, update)).status_code == 200
            assert (await post(app, update)).status_code == 200  # Telegram retried: handled once
            assert events(rt) == 1

    asyncio.run(scenario())


def test_a_tapped_button_is_answered_and_the_question_shows_the_choice(rt, fake):
    async def scenario():
        async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
            channel = TelegramChannel(rt, bot, webhook_secret=SECRET)
            app = create_app(rt, [channel.route()])
            delivery = Delivery(rt, {"telegram": channel.sender}, limits={})
            await post(app, fake.make_message_update(1001, "hi"))
            await delivery.drain()
            question = fake.sent(1001)[-1]
            data = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            last_id = max(i for i in range(1, 20) if fake.message(1001, i))  # the question just sent
            update = fake.make_callback_update(1001, data, message_id=last_id)
            assert (await post(app, update)).status_code == 200
            assert fake.answered_callbacks
            assert "✓ I agree" in fake.edits(1001)[-1]["text"]
            before = len(fake.sent(1001))
            await delivery.drain()
            # The thanks and the next question arrive as one message, the question's buttons under it.
            (reply,) = fake.sent(1001)[before:]
            assert "Thank you" in reply["text"] and "What would you like me to call you?" in reply["text"]

    asyncio.run(scenario())


def test_group_chats_and_empty_updates_are_not_conversations(fake):
    bot = telegram.Bot(fake.token, base_url=fake.base_url)
    group = fake.make_message_update(-500, "hi")
    group["message"]["chat"]["type"] = "group"
    assert translate(telegram.Update.de_json(group, bot)) is None
    photo = fake.make_message_update(1001, "x")
    del photo["message"]["text"]
    inbound = translate(telegram.Update.de_json(photo, bot))
    assert inbound.text == "" and inbound.address == "1001" and inbound.channel == "telegram"


def test_outbound_for_other_people_carries_no_platform_types():
    out = Outbound(text="x", attachment=Attachment("a.json", "{}"))
    assert type(out).__module__ == "handlers.types"


def test_a_body_over_the_limit_is_refused_before_it_is_read(rt, fake):
    async def scenario():
        async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
            channel = TelegramChannel(rt, bot, webhook_secret=SECRET, max_body=4096)
            app = create_app(rt, [channel.route()])
            update = fake.make_message_update(1001, "x" * 5000)
            assert (await post(app, update)).status_code == 413
            assert (await post(app, b"{" + b" " * 10_000 + b"}", raw=True)).status_code == 413
            assert events(rt) == 0
            assert (await post(app, fake.make_message_update(1001, "hi"))).status_code == 200

    asyncio.run(scenario())


def test_a_button_tapped_by_someone_else_than_the_chat_acts_on_nobody(rt, fake):
    async def scenario():
        async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
            channel = TelegramChannel(rt, bot, webhook_secret=SECRET)
            app = create_app(rt, [channel.route()])
            await post(app, fake.make_message_update(1001, "hi"))
            before = events(rt)
            forged = fake.make_callback_update(1001, "agree", message_id=1, user_id=666)
            assert (await post(app, forged)).status_code == 200
            assert events(rt) == before  # ignored: not recorded, not dispatched

    asyncio.run(scenario())


def test_odd_webhook_bodies_get_400_or_an_ignored_200_never_500(rt, fake):
    update = fake.make_message_update(1001, "hi")
    no_chat = {"update_id": 7, "message": {k: v for k, v in update["message"].items() if k != "chat"}}
    number_text = {"update_id": 8, "message": dict(update["message"], text=12345)}
    deep = b'{"update_id": 9, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    surrogate = b'{"update_id": 10, "message": {"message_id": 1, "date": 1, "chat": {"id": 1001, "type": "private"}, ' \
                b'"from": {"id": 1001, "is_bot": false, "first_name": "K"}, "text": "hi \\ud800 there"}}'

    async def scenario():
        async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
            channel = TelegramChannel(rt, bot, webhook_secret=SECRET)
            app = create_app(rt, [channel.route()])
            codes = [(await post(app, no_chat)).status_code, (await post(app, number_text)).status_code,
                     (await post(app, deep, raw=True)).status_code, (await post(app, surrogate, raw=True)).status_code]
            return codes

    codes = asyncio.run(scenario())
    assert all(code in (200, 400, 413) for code in codes), codes


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                                max_size=4), max_leaves=20)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(st.sampled_from(["update_id", "message", "callback_query", "edited_message", "x"]),
                            JSON, max_size=4))
def test_any_webhook_body_gets_a_considered_answer(rt, fake, body):
    async def scenario():
        async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
            channel = TelegramChannel(rt, bot, webhook_secret=SECRET)
            return (await post(create_app(rt, [channel.route()]), body)).status_code

    assert asyncio.run(scenario()) in (200, 400)


def test_a_crisis_alert_to_the_clinician_leaves_at_once_not_at_the_next_pass(rt, fake):
    """Messages a turn writes for someone else (here the urgent alert) go out with the replies."""
    add_person(rt, role="clinician", name="Dr Chan", address="2002", channel="telegram")

    async def scenario():
        async with telegram.Bot(fake.token, base_url=fake.base_url) as bot:
            delivery = Delivery(rt, {}, limits={})
            channel = TelegramChannel(rt, bot, webhook_secret=SECRET, reception=Reception(rt, delivery))
            delivery.senders["telegram"] = channel.sender
            app = create_app(rt, [channel.route()])
            for text in ("hi", "1", "Ken", "1", "21:00", "30 days ago"):
                await post(app, fake.make_message_update(1001, text))
            await post(app, fake.make_message_update(1001, "I took all my pills"))
            for _ in range(100):  # no scheduler pass runs in this test
                if fake.texts(2002):
                    break
                await asyncio.sleep(0.05)
            await channel.reception.close()

    asyncio.run(scenario())
    assert any("Ken" in text for text in fake.texts(2002)), fake.texts(2002)
