"""The composition root: turns settings into a ready Runtime (database upgraded, content loaded)."""

from __future__ import annotations

import logging

from bot.settings import Settings
from data.content import CONTENT_DIR, Content, ContentError
from data.db import make_engine, upgrade
from handlers.types import Clinic, Clock, Runtime, system_clock


def build_runtime(settings: Settings, *, clock: Clock = system_clock, migrate: bool = True) -> Runtime:
    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    try:
        content = Content(settings.content_dir or CONTENT_DIR)
    except ContentError as exc:
        raise SystemExit(f"CONTENT_DIR: {exc}") from exc
    if settings.default_locale not in content.locales:
        raise SystemExit(f"DEFAULT_LOCALE: {settings.default_locale!r} is not one of {content.locales}")
    return Runtime(
        db=engine,
        content=content,
        clock=clock,
        clinic=Clinic(settings.clinic_name, settings.clinician_name, settings.clinician_contact),
        default_timezone=settings.default_timezone,
        default_locale=settings.default_locale,
        ladder=settings.ladder(),
    )


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # httpx logs request URLs, and a Telegram URL carries the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(logging.WARNING)
    logging.getLogger("twilio").setLevel(logging.WARNING)  # its request log would carry message bodies


def load_crisis_model() -> None:
    """Load the crisis detector's model and sentence encoder now (about 2 s), so the first message of
    the day, perhaps someone's crisis, does not wait for it."""
    from handlers.safety import model

    found = model.load()
    if found is None:
        logging.getLogger(__name__).error(
            "no trained crisis model at %s: crisis detection runs on its rules alone "
            "(run `recovery-bot safety train`)", model.ARTIFACT)
        return
    found.embedder  # noqa: B018 - loading the encoder is the point
    from handlers.intents import model as intents

    if intents.load() is None:  # the same encoder; its own weights are small
        logging.getLogger(__name__).warning(
            "no trained intent model at %s: free text gets the short 'did you mean' reply "
            "(run `recovery-bot intents train`)", intents.ARTIFACT)
