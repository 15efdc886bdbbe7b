"""The composition root: turns settings into a ready Runtime (database upgraded, content loaded)."""

from __future__ import annotations

import logging

from bot.settings import Settings
from data.content import CONTENT_DIR, Content, ContentError
from data.db import make_engine, upgrade
from handlers.types import Clinic, Clock, Runtime, system_clock


def build_runtime(settings: Settings, *, clock: Clock = system_clock, migrate: bool = True) -> Runtime:
    engine = open_database(settings.database_url, migrate=migrate)
    try:
        content = Content(settings.content_dir or CONTENT_DIR)
    except ContentError as exc:
        raise SystemExit(f"CONTENT_DIR: {exc}") from exc
    if settings.default_locale not in content.locales:
        raise SystemExit(f"DEFAULT_LOCALE: {settings.default_locale!r} is not one of {content.locales}")
    check_chart_font(settings)
    return Runtime(
        db=engine,
        content=content,
        clock=clock,
        clinic=Clinic(settings.clinic_name, settings.clinician_name, settings.clinician_contact),
        default_timezone=settings.default_timezone,
        default_locale=settings.default_locale,
        ladder=settings.ladder(),
        dashboard_url=settings.public_base_url.rstrip("/") + "/dashboard"
        if settings.dashboard_enabled and settings.public_base_url else None,
    )


def check_chart_font(settings: Settings) -> None:
    """The progress pictures' font: CHART_FONT (checked with the settings) reaches the renderer even from .env;
    without any CJK font, Chinese-speaking clients get their month in words, and the log says so once."""
    import os

    from bot import progress_chart

    if settings.chart_font is not None:
        os.environ[progress_chart.FONT_ENV] = str(settings.chart_font)
    if not progress_chart.chinese_ready():
        logging.getLogger(__name__).warning(
            "no CJK font: Chinese progress pictures are sent as words only; install Debian's fonts-noto-cjk "
            "or set CHART_FONT")


def open_database(url: str, *, migrate: bool = True):
    """The engine, migrated; a database that cannot be used ends start-up with one line naming DATABASE_URL
    (never the URL itself: it may carry a password)."""
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    try:
        engine = make_engine(url)
        if migrate:
            upgrade(engine)
        return engine
    except OSError as exc:
        raise SystemExit(f"DATABASE_URL: cannot create or write the database's folder ({exc.strerror}); "
                         "choose a folder this user can write") from None
    except (ArgumentError, NoSuchModuleError, ValueError):
        raise SystemExit("DATABASE_URL: not a database URL this bot can use; for example "
                         "sqlite:///var/recovery-bot.db or postgresql+psycopg://user@host:5432/db") from None
    except DBAPIError as exc:
        reason = str(exc.orig).split("\n", 1)[0] if exc.orig is not None else type(exc).__name__
        raise SystemExit(f"DATABASE_URL: cannot use the database ({reason[:200]}); check that the server runs, "
                         "the address and the credentials") from None


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
