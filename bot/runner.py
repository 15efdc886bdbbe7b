"""`recovery-bot run`: the scheduler's periodic passes and the web app, in one process, stopping cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import uvicorn
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlmodel import Session

from bot import media
from bot.settings import Settings
from bot.web import create_app
from handlers import escalation
from handlers.types import Runtime
from scheduler.outbox import DEFAULT_LIMITS, Delivery, RateLimit
from scheduler.passes import PassReport, plan
from scheduler.reception import Reception

log = logging.getLogger(__name__)


def limits(settings: Settings) -> dict[str, RateLimit]:
    return {
        **DEFAULT_LIMITS,
        "telegram": RateLimit(settings.telegram_rate_per_second,
                              per_recipient_per_second=settings.telegram_chat_rate_per_second),
        "whatsapp": RateLimit(settings.whatsapp_rate_per_second),
    }


class _Server(uvicorn.Server):
    """uvicorn, minus its own signal handling: it re-raises the signal after serving, which would
    kill the process before the scheduler and the message in hand are finished."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield

    def request_exit(self) -> None:
        self.should_exit = True


class Worker:
    """Runs one pass at a time; a pass still running when the next is due is not started twice."""

    def __init__(self, rt: Runtime, delivery: Delivery) -> None:
        self.rt = rt
        self.delivery = delivery
        self.busy = asyncio.Lock()

    async def tick(self) -> PassReport | None:
        if self.busy.locked():
            return None
        async with self.busy:
            try:
                # Planning is blocking database work: keep it off the event loop that serves webhooks.
                report = await asyncio.to_thread(plan, self.rt, self.rt.clock())
                report.sent = await self.delivery.drain()
            except Exception:
                log.exception("scheduler pass failed; the next pass will pick up where it left off")
                return None
            if any((report.prompts, report.escalations, report.followups, report.summaries, report.sent)):
                log.info("pass: %s", report)
            return report

    async def stop(self) -> None:
        """Finish the message in hand, hand the rest back, and wait for the pass to end."""
        self.delivery.stop()
        async with self.busy:
            pass


async def start_telegram(channel, *, webhook: bool) -> None:
    """Start the Telegram channel; a refused token or an unreachable API ends start-up with one line naming
    the setting (never the token: Telegram's URLs carry it)."""
    from telegram.error import Forbidden, InvalidToken, NetworkError, TelegramError

    try:
        await channel.start(webhook=webhook)
    except (InvalidToken, Forbidden):
        raise SystemExit("TELEGRAM_BOT_TOKEN: Telegram refused the bot token; copy it again from @BotFather") \
            from None
    except NetworkError:
        raise SystemExit("TELEGRAM_API_BASE_URL: cannot reach the Telegram Bot API; check the network and the "
                         "address") from None
    except TelegramError as exc:
        raise SystemExit(f"TELEGRAM_BOT_TOKEN: Telegram did not accept the bot ({type(exc).__name__}); "
                         "check the token and TELEGRAM_MODE") from None


async def check_twilio(client, account_sid: str) -> None:
    """Ask Twilio for our own account: wrong credentials or an unreachable API end start-up with one line naming
    the setting (never the token), instead of every WhatsApp message failing later."""
    from twilio.base.exceptions import TwilioRestException

    try:
        await client.api.v2010.accounts(account_sid).fetch_async()
    except TwilioRestException as exc:
        if exc.status in (401, 403, 404):
            raise SystemExit("TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN: Twilio refused these credentials; copy both "
                             "again from the Twilio console") from None
        raise SystemExit(f"TWILIO_API_BASE_URL: Twilio answered {exc.status} when checking the account; try again "
                         "or check the address") from None
    except (OSError, TimeoutError):
        raise SystemExit("TWILIO_API_BASE_URL: cannot reach the Twilio API; check the network and the address") \
            from None


async def serve(settings: Settings, rt: Runtime, *, host: str, port: int) -> None:
    senders: dict = {}
    delivery = Delivery(rt, senders, limits=limits(settings))
    worker = Worker(rt, delivery)
    routes, background, channels, closers = [], set(), [], []
    reception = Reception(rt, delivery)  # replies to a message leave at once, not at the next pass

    if settings.telegram_bot_token:
        from bot.channels.telegram import TelegramChannel, make_bot

        secret = settings.telegram_webhook_secret
        telegram = TelegramChannel(
            rt, make_bot(settings.telegram_bot_token.get_secret_value(), settings.telegram_api_base_url),
            webhook_secret=secret.get_secret_value() if secret else None,
            public_base_url=settings.public_base_url, reception=reception,
            max_body=settings.webhook_max_body_bytes)
        webhook = settings.telegram_mode == "webhook"
        await start_telegram(telegram, webhook=webhook)
        senders[telegram.sender.channel] = telegram.sender
        channels.append(telegram)
        if webhook:
            routes.append(telegram.route())
        else:
            background.add(asyncio.ensure_future(telegram.poll()))
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(worker.tick, "interval", seconds=settings.pass_interval_seconds, id="pass",
                      max_instances=1, coalesce=True)
    if settings.whatsapp_enabled:
        from bot.channels import whatsapp

        client = whatsapp.make_client(settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value(),
                                      settings.twilio_api_base_url)
        try:
            await check_twilio(client, settings.twilio_account_sid)
        except SystemExit:
            await client.http_client.close()
            raise
        templates, quick = whatsapp.load_templates(settings.whatsapp_templates_file)
        for key in whatsapp.missing_templates(templates):
            log.warning("no approved WhatsApp template for %s in %s: such messages cannot reach anyone outside "
                        "the 24-hour window", key, settings.whatsapp_templates_file)
        sender = whatsapp.WhatsAppSender(rt, client, settings.twilio_whatsapp_from, templates,
                                         status_callback=settings.public_base_url + whatsapp.STATUS_PATH,
                                         quick_replies=quick, media_base=settings.public_base_url)
        channel = whatsapp.WhatsAppChannel(rt, auth_token=settings.twilio_auth_token.get_secret_value(),
                                           public_base_url=settings.public_base_url, sender=sender,
                                           reception=reception, max_body=settings.webhook_max_body_bytes)
        senders[sender.channel] = sender
        routes.extend(channel.routes())
        routes.extend(media.MediaRoutes(rt).routes())  # the pictures Twilio fetches by link
        closers.append(client.http_client.close)
        rt.invite_links[sender.channel] = whatsapp.invite_link(settings.twilio_whatsapp_from)

    if settings.sandbox_enabled:  # worlds of their own (temporary SQLite files): never this deployment's data
        from bot.web.sandbox import Sandbox

        worlds = Sandbox(content=rt.content, max_worlds=settings.sandbox_max_worlds)
        routes.extend(worlds.routes())
        closers.append(lambda: asyncio.to_thread(worlds.close))  # their files go when the process stops
    if settings.dashboard_enabled:
        from bot.web.dashboard import Dashboard

        routes.extend(Dashboard(rt, secret=settings.dashboard_session_secret.get_secret_value(),
                                secure_cookie=settings.public_base_url.startswith("https://")).routes())
    with Session(rt.db) as session:
        escalation.alert_readiness(session)  # logs an error when no clinician can receive crisis alerts
    # An open sandbox page holds an event stream: shutting down waits for such requests a moment, not forever.
    config = uvicorn.Config(create_app(rt, routes), host=host, port=port, log_level="warning", lifespan="off",
                            timeout_graceful_shutdown=2)
    server = _Server(config)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, server.request_exit)
    scheduler.start()
    asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(worker.tick()))
    # Keeps this process's leases alive, and sends what falls due between passes or was left by a dead process.
    sending = asyncio.ensure_future(delivery.run())
    log.info("recovery-bot running on http://%s:%s (channels: %s)", host, port, ", ".join(senders) or "none")
    try:
        await server.serve()  # returns after SIGINT / SIGTERM, once in-flight requests finish
    finally:
        # No new pass starts, and the one in hand finishes: shutting the scheduler down first would
        # cancel it half-way (APScheduler cancels running jobs), which a clean stop must not do.
        scheduler.pause()
        await worker.stop()
        # The sending loop sees the stop too: it finishes the message in hand and hands the rest back.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(sending, timeout=30)
        scheduler.shutdown(wait=False)
        await reception.close()
        for channel in channels:
            await channel.stop()
        for close in closers:
            await close()
        for task in list(background):
            task.cancel()
        log.info("recovery-bot stopped")
