"""The WhatsApp channel through the real twilio client, against a fake Twilio API on loopback.

Twilio's side is played by tests/fakes/twilio_api.py: it receives what the real (async) twilio
client sends, and it builds and signs the webhooks Twilio would post to us. Our side runs in
process: the webhook routes over httpx.ASGITransport at PUBLIC (the URL Twilio is configured
with, so the one signatures are computed for), the outbox drained by Delivery, scheduler passes by
run_pass, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import Session, col, func, select
from twilio.base.exceptions import TwilioRestException

from bot.channels.whatsapp import (
    INBOUND_PATH,
    STATUS_PATH,
    Template,
    WhatsAppChannel,
    WhatsAppSender,
    invite_link,
    load_templates,
    make_client,
    missing_templates,
)
from bot.web import create_app
from data.models import ChannelAddress, CheckIn, InboundEvent, Outbox, Person, SupportContact
from scheduler.outbox import Delivery, RateLimited, RecipientUnreachable, Rejected, TransientError
from scheduler.passes import plan, run_pass
from tests.fakes.loopback import free_socket
from tests.fakes.twilio_api import FakeTwilio, sign, signed_post_async
from tests.scheduler.conftest import add_person, outbox_for

PUBLIC = "https://bot.example.org"
INBOUND_URL, STATUS_URL = PUBLIC + INBOUND_PATH, PUBLIC + STATUS_PATH
BOT = "whatsapp:+85200000000"
KEN, MUM = "whatsapp:+85291234567", "whatsapp:+85298765432"
TEMPLATES_FILE = Path(__file__).parents[2] / "data" / "content" / "whatsapp_templates.toml"
EMPTY_TWIML = "<Response></Response>"

# twilio's async client still passes aiohttp the basic auth aiohttp now deprecates: theirs to change, not ours.
pytestmark = [pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning"),
              pytest.mark.filterwarnings("ignore:The 'auth' parameter is deprecated:DeprecationWarning")]


# -- the webhook form parser -------------------------------------------------------------------------------
# -- fixtures and the harness ------------------------------------------------------------------------------
@pytest.fixture
def fake():
    with FakeTwilio(whatsapp_number=BOT) as server:
        yield server


@pytest.fixture
def templates(tmp_path) -> dict[str, Template]:
    return approved_templates(tmp_path)


def approved_templates(tmp_path) -> dict[str, Template]:
    """The shipped templates file with (fake) approved Content SIDs pasted in, loaded as the bot loads it."""
    sids = iter(f"HX{n:032x}" for n in range(1, 100))
    text = re.sub(r'content_sid = ""', lambda _: f'content_sid = "{next(sids)}"', TEMPLATES_FILE.read_text())
    path = tmp_path / "whatsapp_templates.toml"
    path.write_text(text)
    found, quick = load_templates(path)
    assert missing_templates(found) == [] and quick == {}
    return found


class WhatsApp:
    """The bot's WhatsApp side in this event loop: sender, signed webhook routes, outbox delivery."""

    def __init__(self, rt, fake: FakeTwilio, templates: dict[str, Template], **sender_options) -> None:
        self.rt, self.fake, self.templates, self.sender_options = rt, fake, templates, sender_options

    async def __aenter__(self) -> WhatsApp:
        self.client = make_client(self.fake.account_sid, self.fake.auth_token, self.fake.base_url)
        self.sender = WhatsAppSender(self.rt, self.client, BOT, self.templates, status_callback=STATUS_URL,
                                     **self.sender_options)
        self.channel = WhatsAppChannel(self.rt, auth_token=self.fake.auth_token, public_base_url=PUBLIC,
                                       sender=self.sender)
        app = create_app(self.rt, self.channel.routes())
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC)
        self.delivery = Delivery(self.rt, {"whatsapp": self.sender}, limits={})
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.http.aclose()
        await self.client.http_client.close()

    # -- Twilio calling us -----------------------------------------------------------------------------
    async def post(self, url: str, params: dict, *, sign_url: str | None = None,
                   token: str | None = None) -> httpx.Response:
        return await signed_post_async(self.http, url, params, token or self.fake.auth_token, sign_url=sign_url)

    async def inbound(self, who: str, body: str, **kw) -> httpx.Response:
        return await self.post(INBOUND_URL, self.fake.inbound_params(who, body, **kw))

    async def status(self, sid: str, status: str, error: str | None = None) -> httpx.Response:
        return await self.post(STATUS_URL, self.fake.status_params(sid, status, error))

    async def say(self, who: str, body: str, **kw) -> str:
        """`who` writes `body`; returns the free-form replies the fake received, as the person reads them."""
        before = len(self.fake.to(who))
        response = await self.inbound(who, body, **kw)
        assert response.status_code == 200, (response.status_code, response.text)
        assert response.text == EMPTY_TWIML and response.headers["content-type"].startswith("text/xml")
        await self.delivery.drain()
        new = self.fake.to(who)[before:]
        assert new, f"nothing was sent to {who}"
        assert all("Body" in m and "ContentSid" not in m for m in new), new
        return "\n".join(m["Body"] for m in new)

    async def tick(self):
        """One full scheduler pass at the runtime's clock, delivering through this sender."""
        return await run_pass(self.rt, self.delivery)

    async def onboard(self, who: str = KEN, name: str = "Ken") -> None:
        await self.say(who, "hi", profile_name=name)
        await self.say(who, "1", profile_name=name)  # I agree
        await self.say(who, name, profile_name=name)
        await self.say(who, "1", profile_name=name)  # Hong Kong time
        await self.say(who, "21:00", profile_name=name)
        await self.say(who, "30 days ago", profile_name=name)
        assert "What would you like to do?" in await self.say(who, "later", profile_name=name)


def count(rt, table) -> int:
    with Session(rt.db) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def rows_to(rt, address: str) -> list[Outbox]:
    with Session(rt.db) as session:
        return list(session.exec(select(Outbox).where(Outbox.address == address).order_by(col(Outbox.id))))


def address_row(rt, address: str) -> ChannelAddress:
    with Session(rt.db) as session:
        return session.exec(select(ChannelAddress).where(ChannelAddress.address == address)).one()


def row_by_sid(rt, sid: str) -> Outbox:
    with Session(rt.db) as session:
        return session.exec(select(Outbox).where(Outbox.provider_id == sid)).one()


def options_in(body: str) -> list[str]:
    return re.findall(r"^\d+\. .+$", body, flags=re.M)


# -- the fake itself -------------------------------------------------------------------------------------
def test_the_fake_answers_like_twilio(fake):
    async def scenario():
        wrong = make_client(fake.account_sid, "not-the-token", fake.base_url)
        client = make_client(fake.account_sid, fake.auth_token, fake.base_url)
        try:
            with pytest.raises(TwilioRestException) as denied:
                await wrong.messages.create_async(from_=BOT, to=KEN, body="hi")
            assert (denied.value.status, denied.value.code) == (401, 20003)
            for kw in ({}, {"body": "x", "content_sid": "HX" + "0" * 32}):
                with pytest.raises(TwilioRestException) as refused:
                    await client.messages.create_async(from_=BOT, to=KEN, **kw)
                assert (refused.value.status, refused.value.code) == (400, 21619)
            sent = await client.messages.create_async(from_=BOT, to=KEN, body="hello", status_callback=STATUS_URL)
            assert re.fullmatch(r"SM[0-9a-f]{32}", sent.sid) and sent.status == "queued"
            assert (sent.to, sent.from_, sent.body, sent.account_sid) == (KEN, BOT, "hello", fake.account_sid)
            assert sent.date_created is not None and sent.uri.endswith(f"/Messages/{sent.sid}.json")
        finally:
            await wrong.http_client.close()
            await client.http_client.close()

    asyncio.run(scenario())
    assert fake.messages == [{"To": KEN, "From": BOT, "Body": "hello", "StatusCallback": STATUS_URL}]
    assert [r["status"] for r in fake.requests] == [401, 400, 400, 201]
    assert fake.wait_for(lambda: fake.sids(KEN), timeout=1)


# -- 1. a client's onboarding and check-in ---------------------------------------------------------------------
def test_a_client_onboards_and_checks_in_on_whatsapp(rt, fake, templates):
    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            welcome = await wa.say(KEN, "hi")
            assert "Is that okay with you?" in welcome
            assert options_in(welcome) == ["1. I agree", "2. Tell me more", "3. Not now", "4. 繁體中文"]
            assert "What would you like me to call you?" in await wa.say(KEN, "1")
            city = await wa.say(KEN, "Ken")
            assert "Which city" in city and "1. Hong Kong time" in city
            times = await wa.say(KEN, "1")
            assert "08:00 · 12:30 · 18:00 · 21:00" in times  # a row of values, not numbered lines
            await wa.say(KEN, "21:00")
            done = await wa.say(KEN, "30 days ago")
            assert "You're all set, Ken. I'll check in each day at 21:00" in done
            assert options_in(done) == ["1. Yes, let's start", "2. Later"]
            menu = await wa.say(KEN, "later")  # a word works as well as its number
            assert "1. Check in" in menu
            mood = await wa.say(KEN, "1")
            assert "How is your mood today" in mood and "1 · Very low · 2 · Low" in mood
            assert "How strong have cravings been" in await wa.say(KEN, "4")
            used = await wa.say(KEN, "3")
            assert options_in(used) == ["1. No", "2. Yes"]
            assert "Anything else" in await wa.say(KEN, "no")
            assert "Thanks, Ken, that's today's check-in" in await wa.say(KEN, "skip")

    asyncio.run(scenario())
    with Session(rt.db) as session:
        (checkin,) = session.exec(select(CheckIn)).all()
        person = session.exec(select(Person)).one()
    assert (checkin.mood, checkin.craving, checkin.used) == (4, 3, False)
    assert (person.display_name, person.consent_at is not None) == ("Ken", True)
    sent = fake.to(KEN)
    assert all(m["From"] == BOT and m["StatusCallback"] == STATUS_URL for m in sent)
    rows = rows_to(rt, KEN)
    assert all(r.status == "sent" for r in rows)
    assert [r.provider_id for r in rows] == fake.sids(KEN)  # each row knows its Twilio Message SID
    assert count(rt, InboundEvent) == 12


def test_the_menu_on_whatsapp_speaks_the_client_language(rt, fake, templates):
    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            await wa.onboard()
            await wa.say(KEN, "中文")
            return await wa.say(KEN, "選單")

    menu = asyncio.run(scenario())
    assert options_in(menu) and all(not any("a" <= ch.lower() <= "z" for ch in line) for line in options_in(menu))
    assert "報到" in menu


@pytest.mark.parametrize("body, payload", [("1", None), ("I agree", None), ("i agre", None), ("I agree", "agree")],
                         ids=["number", "label", "misspelt", "button"])
def test_a_typed_number_a_word_or_a_button_payload_answers_the_same(rt, fake, templates, body, payload):
    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            await wa.say(KEN, "hi")
            return await wa.say(KEN, body, button_payload=payload)

    assert "What would you like me to call you?" in asyncio.run(scenario())
    with Session(rt.db) as session:
        assert session.exec(select(Person)).one().consent_at is not None


# -- 2 and 3. signatures, malformed posts, retries ---------------------------------------------------------
def test_a_signed_webhook_is_accepted_with_the_declared_dependencies(rt, fake, templates):
    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            return await wa.inbound(KEN, "hi")

    response = asyncio.run(scenario())
    assert response.status_code == 200, f"a genuine, correctly signed webhook got {response.status_code}"
    assert response.text == EMPTY_TWIML


def test_forged_or_misdirected_signatures_are_refused_and_nothing_is_stored(rt, fake, templates):
    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            params = fake.inbound_params(KEN, "hi")
            good = sign(INBOUND_URL, params, fake.auth_token)
            assert (await wa.http.post(INBOUND_PATH, data=params)).status_code == 403  # no signature
            forged = await wa.http.post(INBOUND_PATH, data=params, headers={"X-Twilio-Signature": "bm90IGl0"})
            assert forged.status_code == 403
            assert (await wa.post(INBOUND_URL, params, token="0" * 32)).status_code == 403  # another account's
            tampered = dict(params, Body="/delete")
            replay = await wa.http.post(INBOUND_PATH, data=tampered, headers={"X-Twilio-Signature": good})
            assert replay.status_code == 403  # a valid signature does not carry over to other parameters
            # Behind a proxy the request arrives for an internal host: only the public URL's signature counts.
            internal = "http://10.0.0.7:8080" + INBOUND_PATH
            assert (await wa.post(internal, params)).status_code == 403
            assert (await wa.post(INBOUND_URL, params, sign_url=internal)).status_code == 403
            assert (await wa.post(INBOUND_URL, params, sign_url="http://bot.example.org" + INBOUND_PATH)
                    ).status_code == 403
            assert (await wa.post(INBOUND_URL, params, sign_url=STATUS_URL)).status_code == 403
            no_sid = {k: v for k, v in params.items() if k not in ("MessageSid", "SmsSid", "SmsMessageSid")}
            assert (await wa.post(INBOUND_URL, no_sid)).status_code == 400  # signed, but not a message
            sms = dict(params, From="+85291234567")
            assert (await wa.post(INBOUND_URL, sms)).status_code == 400  # signed, but not from WhatsApp
            await wa.delivery.drain()
            assert count(rt, InboundEvent) == count(rt, Person) == count(rt, Outbox) == 0
            assert fake.messages == []
            ok = await wa.http.post(INBOUND_PATH, data=params, headers={"X-Twilio-Signature": good})
            assert (ok.status_code, ok.text) == (200, EMPTY_TWIML)

    asyncio.run(scenario())
    assert count(rt, InboundEvent) == 1 and count(rt, Person) == 1


def test_a_retried_webhook_is_handled_once(rt, fake, templates):
    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            params = fake.inbound_params(KEN, "hi")
            first = await wa.post(INBOUND_URL, params)
            again = await wa.post(INBOUND_URL, params)  # Twilio retries when our answer was slow
            assert (first.status_code, again.status_code) == (200, 200)
            assert first.text == again.text == EMPTY_TWIML
            await wa.delivery.drain()

    asyncio.run(scenario())
    assert count(rt, InboundEvent) == 1
    assert len(fake.to(KEN)) == 1 and "Is that okay with you?" in fake.to(KEN)[0]["Body"]


# -- 4. the 24-hour window ---------------------------------------------------------------------------------------
def test_a_prompt_outside_the_window_is_sent_as_the_approved_template(rt, fake, templates, clock):
    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            await wa.onboard()
            clock.advance(days=2, hours=11)  # 21:00, his check-in time; Ken last wrote over two days ago
            report = await wa.tick()
            assert report.prompts == 1

    asyncio.run(scenario())
    prompt = fake.to(KEN)[-1]
    assert prompt["ContentSid"] == templates["daily_prompt"].content_sid
    assert json.loads(prompt["ContentVariables"]) == {"1": "Ken"}
    assert "Body" not in prompt and prompt["From"] == BOT and prompt["StatusCallback"] == STATUS_URL
    (row,) = [r for r in rows_to(rt, KEN) if r.kind == "prompt"]
    assert (row.status, row.provider_id) == ("sent", fake.sids(KEN)[-1])


def test_a_prompt_with_no_approved_template_fails_with_the_reason(rt, fake, templates, clock):
    without = {k: v for k, v in templates.items() if k != "daily_prompt"}

    async def scenario():
        async with WhatsApp(rt, fake, without) as wa:
            await wa.onboard()
            before = len(fake.messages)
            clock.advance(days=2, hours=11)  # 21:00, his check-in time
            await wa.tick()
            assert len(fake.messages) == before  # nothing went to Twilio

    asyncio.run(scenario())
    (row,) = [r for r in rows_to(rt, KEN) if r.kind == "prompt"]
    assert row.status == "failed"
    assert "daily_prompt" in row.last_error and "24-hour window" in row.last_error


@pytest.mark.parametrize("since, free_form", [(timedelta(hours=23, minutes=54), True),
                                              (timedelta(hours=23, minutes=56), False)],
                         ids=["inside", "last-minutes"])
def test_the_window_closes_five_minutes_early(rt, fake, templates, clock, since, free_form):
    person = add_person(rt, role="client", name="Ken", address=KEN, channel="whatsapp")
    with Session(rt.db) as session:
        session.execute(update(ChannelAddress).values(last_inbound_at=clock() - since))
        session.commit()
    row = Outbox(id=1, person_id=person.id, channel="whatsapp", address=KEN, text="Time for your check-in, Ken.",
                 options=[], numbered=True, kind="prompt", template_key="daily_prompt", template_vars={"1": "Ken"},
                 attachment=None)

    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            return await wa.sender.send(row)

    result = asyncio.run(scenario())
    (sent,) = fake.to(KEN)
    assert result.provider_id == fake.sids(KEN)[0]
    assert ("Body" in sent) is free_form and ("ContentSid" in sent) is not free_form


def test_inside_the_window_options_can_be_quick_reply_buttons(rt, fake, templates, clock):
    person = add_person(rt, role="client", name="Ken", address=KEN, channel="whatsapp")
    with Session(rt.db) as session:
        session.execute(update(ChannelAddress).values(last_inbound_at=clock()))
        session.commit()
    quick = {2: "HX" + "b" * 32}
    row = Outbox(id=1, person_id=person.id, channel="whatsapp", address=KEN, text="Have you used?",
                 options=[{"label": "No", "payload": "no"}, {"label": "Yes", "payload": "yes"}], numbered=True,
                 kind="reply", attachment=None)

    async def scenario():
        async with WhatsApp(rt, fake, templates, quick_replies=quick) as wa:
            await wa.sender.send(row)

    asyncio.run(scenario())
    (sent,) = fake.to(KEN)
    assert sent["ContentSid"] == quick[2] and "Body" not in sent
    assert json.loads(sent["ContentVariables"]) == {"1": "Have you used?", "2": "No", "3": "no", "4": "Yes",
                                                     "5": "yes"}


# -- 5. delivery-status callbacks ------------------------------------------------------------------------------
@pytest.mark.parametrize("order, final", [
    (["sent", "delivered"], "delivered"),
    (["delivered", "sent"], "delivered"),
    (["sent", "delivered", "read"], "read"),
    (["read", "delivered", "sent", "queued"], "read"),
])
def test_status_callbacks_only_move_forward(rt, fake, templates, order, final):
    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            await wa.say(KEN, "hi")
            sid = fake.sids(KEN)[-1]
            for status in order:
                response = await wa.status(sid, status)
                assert (response.status_code, response.text) == (204, "")
            return sid

    sid = asyncio.run(scenario())
    row = row_by_sid(rt, sid)
    assert (row.delivery_status, row.delivery_error) == (final, None)
    assert len(rows_to(rt, KEN)) == 1  # no recovery for a message that arrived


def test_unknown_forged_and_malformed_status_callbacks(rt, fake, templates):
    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            await wa.say(KEN, "hi")
            sid = fake.sids(KEN)[-1]
            assert (await wa.status(sid, "delivered")).status_code == 204
            unknown = await wa.status("SM" + "9" * 32, "failed", "63016")
            assert unknown.status_code == 204  # someone else's message, or one we no longer have: ignored
            params = fake.status_params(sid, "failed", "30008")
            assert (await wa.post(STATUS_URL, params, token="0" * 32)).status_code == 403
            assert (await wa.http.post(STATUS_PATH, data=params)).status_code == 403
            assert (await wa.post(STATUS_URL, {k: v for k, v in params.items() if "Sid" not in k})).status_code == 400
            assert (await wa.post(STATUS_URL, dict(params, MessageStatus="exploded"))).status_code == 400
            return sid

    sid = asyncio.run(scenario())
    assert row_by_sid(rt, sid).delivery_status == "delivered"
    assert len(rows_to(rt, KEN)) == 1


# -- 6. error 63016: accepted free-form, refused outside the window ---------------------------------------------
def test_63016_is_recovered_by_sending_the_template(rt, fake, templates, clock):
    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            await wa.onboard()
            clock.advance(hours=11)  # 21:00 in Hong Kong: check-in time, 11 hours after Ken last wrote
            await wa.tick()
            prompt = fake.to(KEN)[-1]
            assert "Hi Ken, time for today's check-in" in prompt["Body"]  # the window looks open: free-form
            sid = fake.sids(KEN)[-1]
            assert (await wa.status(sid, "sent")).status_code == 204
            assert (await wa.status(sid, "failed", "63016")).status_code == 204
            assert (await wa.status(sid, "failed", "63016")).status_code == 204  # a repeated callback
            retry = [r for r in rows_to(rt, KEN) if r.force_template]
            assert len(retry) == 1 and retry[0].status == "pending"
            assert (retry[0].kind, retry[0].template_key, retry[0].channel) == ("prompt", "daily_prompt", "whatsapp")
            before = len(fake.to(KEN))
            assert await wa.delivery.drain() == 1
            return sid, fake.to(KEN)[before:]

    sid, (resent,) = asyncio.run(scenario())
    assert resent["ContentSid"] == templates["daily_prompt"].content_sid and "Body" not in resent
    assert json.loads(resent["ContentVariables"]) == {"1": "Ken"}
    original = row_by_sid(rt, sid)
    assert (original.delivery_status, original.delivery_error) == ("failed", "63016")


def test_an_undelivered_message_falls_back_to_another_channel(rt, fake, templates, clock):
    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            await wa.onboard()
            person_id = rows_to(rt, KEN)[0].person_id
            with Session(rt.db) as session:
                session.add(ChannelAddress(person_id=person_id, channel="telegram", address="1001",
                                           opted_in_at=clock()))
                session.commit()
            await wa.say(KEN, "menu")
            sid = fake.sids(KEN)[-1]
            assert (await wa.status(sid, "undelivered", "30003")).status_code == 204
            return person_id, sid

    person_id, sid = asyncio.run(scenario())
    failed = row_by_sid(rt, sid)
    (fallback,) = [r for r in outbox_for(rt, person_id) if r.channel == "telegram"]
    assert (fallback.address, fallback.text, fallback.status) == ("1001", failed.text, "pending")


# -- 7. STOP and START -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("stop, start", [("STOP", "START"), ("取消訂閱", "開始")], ids=["english", "chinese"])
def test_stop_is_honoured_and_start_resumes(rt, fake, templates, clock, stop, start):
    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            await wa.onboard()
            clock.advance(hours=11)
            assert plan(rt, clock()).prompts == 1  # the day's prompt is queued, not yet sent
            (pending,) = [r for r in rows_to(rt, KEN) if r.kind == "prompt"]
            assert pending.status == "pending"

            before = len(fake.to(KEN))
            response = await wa.inbound(KEN, stop)
            assert (response.status_code, response.text) == (200, EMPTY_TWIML)
            await wa.delivery.drain()
            (confirmation,) = fake.to(KEN)[before:]
            assert "no more check-ins" in confirmation["Body"] and "START" in confirmation["Body"]
            assert [r.status for r in rows_to(rt, KEN) if r.kind == "prompt"] == ["cancelled"]
            assert address_row(rt, KEN).opted_out_at is not None

            before = len(fake.to(KEN))
            clock.advance(days=1)  # the next day's check-in time, and the ladder for the missed one
            await wa.tick()
            assert fake.to(KEN)[before:] == []

            clock.advance(hours=15)  # noon the day after: Ken comes back
            assert "Welcome back" in await wa.say(KEN, start)
            assert address_row(rt, KEN).opted_out_at is None
            clock.advance(hours=9)
            before = len(fake.to(KEN))
            await wa.tick()
            (prompt,) = fake.to(KEN)[before:]
            assert "time for today's check-in" in prompt["Body"]  # inside the window again: free-form
            assert [r.status for r in rows_to(rt, KEN) if r.kind == "prompt"] == ["cancelled", "sent"]

    asyncio.run(scenario())


@pytest.mark.parametrize("same_sid", [True, False], ids=["twilio-retry", "sent-again"])
def test_a_repeated_stop_sends_nothing_more(rt, fake, templates, same_sid):
    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            await wa.onboard()
            before = len(fake.to(KEN))
            params = fake.inbound_params(KEN, "STOP")
            assert (await wa.post(INBOUND_URL, params)).status_code == 200
            again = params if same_sid else fake.inbound_params(KEN, "STOP")
            assert (await wa.post(INBOUND_URL, again)).status_code == 200
            await wa.delivery.drain()
            return fake.to(KEN)[before:]

    sent = asyncio.run(scenario())
    assert len(sent) == 1 and "no more check-ins" in sent[0]["Body"], [m.get("Body") for m in sent]


def test_a_stop_from_a_stranger_stores_and_sends_nothing(rt, fake, templates):
    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            assert (await wa.inbound(KEN, "STOP")).status_code == 200
            await wa.delivery.drain()

    asyncio.run(scenario())
    assert fake.to(KEN) == [] and count(rt, Person) == 0


# -- 8. a partner joins by code ------------------------------------------------------------------------------------
def test_a_partner_joins_with_the_code_from_a_wa_me_link(rt, fake, templates):
    rt.invite_links["whatsapp"] = invite_link(BOT)
    assert rt.invite_links["whatsapp"] == "https://wa.me/85200000000?text=JOIN%20{token}"

    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            await wa.onboard()
            assert "(1/12) Family and friends" in await wa.say(KEN, "/network")
            assert "How can you reach Mum?" in await wa.say(KEN, "Mum")
            assert "accountability partner" in await wa.say(KEN, "9123 4567")
            invitation = await wa.say(KEN, "1")  # Yes
            link = re.search(r"https://wa\.me/85200000000\?text=JOIN%20([A-Za-z0-9_-]{20,64})", invitation)
            assert link, invitation
            token = link.group(1)

            consent = await wa.say(MUM, f"JOIN {token}", profile_name="Mum")
            assert "Ken has invited you" in consent and "Would you like to do this?" in consent
            assert options_in(consent)[0] == "1. Yes, I'll help"
            before = len(fake.to(KEN))
            assert "now Ken's accountability partner" in await wa.say(MUM, "1", profile_name="Mum")
            told = fake.to(KEN)[before:]
            assert any("Mum accepted your invitation" in m["Body"] for m in told)

    asyncio.run(scenario())
    with Session(rt.db) as session:
        mum = session.get(Person, address_row(rt, MUM).person_id)
        (contact,) = session.exec(select(SupportContact)).all()
    assert (mum.role, mum.display_name, mum.consent_at is not None) == ("partner", "Mum", True)
    assert (contact.name, contact.consent_state, contact.partner_person_id) == ("Mum", "accepted", mum.id)


# -- 9. Twilio's errors, as the outbox understands them -------------------------------------------------------------
def _row(**kw) -> Outbox:
    values = dict(id=1, channel="whatsapp", address=KEN, text="hello", options=[], numbered=True, kind="prompt",
                  template_key="daily_prompt", template_vars={"1": "Ken"}, attachment=None)
    values.update(kw)
    return Outbox(**values)


@pytest.mark.parametrize("status, code, error", [
    (429, 20429, RateLimited),
    (500, 20500, TransientError),
    (503, 20503, TransientError),
    (400, 21211, RecipientUnreachable),
    (400, 63024, RecipientUnreachable),
    (400, 21408, Rejected),
    (400, 63005, Rejected),
])
def test_twilio_errors_map_to_what_the_outbox_understands(rt, fake, templates, status, code, error):
    fake.fail_next(status, code, f"Injected {code}")

    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            return await wa.sender.send(_row())

    with pytest.raises(error) as caught:
        asyncio.run(scenario())
    if error is RateLimited:
        assert caught.value.retry_after > 0
    if error is RecipientUnreachable:
        assert caught.value.address == KEN and str(code) in caught.value.reason
    assert fake.messages == [] and fake.requests[-1]["status"] == status


def test_a_hanging_twilio_request_times_out_as_a_transient_error(fake, templates):
    """twilio's AsyncTwilioHttpClient ignores its own timeout (it hands aiohttp None: no limit); make_client's must
    hold, or one hung request stalls its recipient's queue and the drain, and is re-sent after the lease."""
    fake.delay = 30  # Twilio accepted the connection and never answers (in time)
    row = _row(force_template=True)  # no window look-up: no database needed

    async def scenario():
        default = make_client(fake.account_sid, fake.auth_token, fake.base_url)
        client = make_client(fake.account_sid, fake.auth_token, fake.base_url, timeout=0.5)
        try:
            assert default.http_client.timeout == 15
            sender = WhatsAppSender(None, client, BOT, templates)
            started = time.monotonic()
            try:
                await asyncio.wait_for(sender.send(row), timeout=5)
            except TransientError:
                return time.monotonic() - started
            except TimeoutError:
                raise AssertionError("the send was still waiting for Twilio after 5 s") from None
            raise AssertionError("the send returned although Twilio never answered")
        finally:
            await default.http_client.close()
            await client.http_client.close()

    assert 0.4 < asyncio.run(scenario()) < 2


def test_an_unreachable_host_is_a_transient_error(rt, templates):
    with free_socket() as sock:
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    # Nothing listens there any more: the connection is refused.

    async def scenario():
        client = make_client("AC" + "0" * 32, "token", closed)
        try:
            return await WhatsAppSender(rt, client, BOT, templates).send(_row())
        finally:
            await client.http_client.close()

    with pytest.raises(TransientError):
        asyncio.run(scenario())


def test_an_invalid_number_is_marked_unreachable_by_delivery(rt, fake, templates):
    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            await wa.onboard()
            before = len(fake.messages)
            fake.fail_next(400, 21211, "The 'To' number whatsapp:+85291234567 is not a valid phone number.")
            response = await wa.inbound(KEN, "menu")
            assert response.status_code == 200
            await wa.delivery.drain()
            assert len(fake.messages) == before

    asyncio.run(scenario())
    assert address_row(rt, KEN).unreachable_at is not None
    failed = [r for r in rows_to(rt, KEN) if r.status == "failed"]
    assert failed and all("21211" in r.last_error for r in failed)
    assert not [r for r in rows_to(rt, KEN) if r.status == "pending"]


# -- 10. the event loop keeps running while Twilio is slow -----------------------------------------------------------
def test_sending_never_blocks_the_event_loop(rt, fake, templates):
    fake.delay = 0.5

    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            ticks, done = 0, asyncio.Event()

            async def ticker():
                nonlocal ticks
                while not done.is_set():
                    await asyncio.sleep(0.01)
                    ticks += 1

            counting = asyncio.create_task(ticker())
            started = time.monotonic()
            result = await wa.sender.send(_row())
            elapsed = time.monotonic() - started
            done.set()
            await counting
            return result, elapsed, ticks

    result, elapsed, ticks = asyncio.run(scenario())
    assert elapsed >= 0.5 and result.provider_id == fake.sids(KEN)[0]
    assert ticks >= 20, f"the loop ticked only {ticks} times in {elapsed:.2f} s"


def test_an_unsigned_or_oversized_body_is_refused_before_it_is_parsed(rt, fake, templates):
    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            wa.channel.max_body = 4096
            params = fake.inbound_params(KEN, "x" * 5000)
            assert (await wa.post(INBOUND_URL, params)).status_code == 413  # signed, but too big to read
            huge = b"Body=" + b"x" * 100_000
            refused = await wa.http.post(INBOUND_PATH, content=huge, headers={
                "X-Twilio-Signature": "bm90IGl0", "Content-Type": "application/x-www-form-urlencoded"})
            assert refused.status_code == 413
            assert count(rt, InboundEvent) == count(rt, Person) == 0
            assert (await wa.inbound(KEN, "hi")).status_code == 200

    asyncio.run(scenario())


def test_the_erase_confirmation_reaches_a_whatsapp_user(rt, fake, templates):
    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            await wa.onboard()
            await wa.say(KEN, "/delete")
            return await wa.say(KEN, "1")  # Yes, erase everything

    goodbye = asyncio.run(scenario())
    assert "erased" in goodbye.casefold()
    assert count(rt, Person) == 0


# -- fuzz: any body Twilio (or anyone) could send gets a considered answer, never a 500 --------------------------
from urllib.parse import parse_qsl  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
VALUES = TEXT | st.sampled_from([KEN, "whatsapp:", "SM" + "1" * 32, "delivered", "failed", "undelivered", "63016",
                                 "STOP", "START", "/delete", "1", "9" * 30, "\x00", "cmd:bogus", "fu:²"])
FIELDS = st.sampled_from(["MessageSid", "SmsSid", "From", "To", "Body", "ButtonPayload", "ProfileName",
                          "MessageStatus", "ErrorCode", "NumMedia", "x"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=st.dictionaries(FIELDS, VALUES, max_size=6), to_status=st.booleans())
def test_any_signed_form_gets_a_considered_answer(rt, fake, templates, form, to_status):
    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            response = await wa.post(STATUS_URL if to_status else INBOUND_URL, form)
            await wa.delivery.drain()
            return response.status_code

    assert asyncio.run(scenario()) in ((204, 400) if to_status else (200, 400))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=200) | TEXT.map(str.encode), signed=st.booleans(), to_status=st.booleans())
def test_any_raw_body_signed_or_not_gets_a_considered_answer(rt, fake, templates, body, signed, to_status):
    url, path = (STATUS_URL, STATUS_PATH) if to_status else (INBOUND_URL, INBOUND_PATH)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signed:  # signed as our parser will read the body, so the fuzzing reaches past the signature check
        try:
            headers["X-Twilio-Signature"] = sign(url, dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)),
                                                 fake.auth_token)
        except (UnicodeDecodeError, ValueError):
            headers["X-Twilio-Signature"] = sign(url, {}, fake.auth_token)

    async def scenario():
        async with WhatsApp(rt, fake, templates) as wa:
            response = await wa.http.post(path, content=body, headers=headers)
            await wa.delivery.drain()
            return response.status_code

    assert asyncio.run(scenario()) in (200, 204, 400, 403)
