"""Settings from the environment (and an optional .env file), checked once at start-up."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from handlers.types import Ladder

DEFAULT_DATABASE_URL = "sqlite:///var/recovery-bot.db"


class SettingsError(Exception):
    """A setting is missing or wrong; the message names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    clinic_name: str = Field("Recovery852", alias="CLINIC_NAME")
    clinician_name: str = Field("your clinician", alias="CLINICIAN_NAME")
    clinician_contact: str = Field("", alias="CLINICIAN_CONTACT")
    default_timezone: str = Field("Asia/Hong_Kong", alias="DEFAULT_TIMEZONE")
    default_locale: str = Field("en", alias="DEFAULT_LOCALE")
    content_dir: Path | None = Field(None, alias="CONTENT_DIR")
    craving_followup_minutes: int = Field(20, alias="CRAVING_FOLLOWUP_MINUTES", ge=1, le=24 * 60)
    craving_second_followup_minutes: int = Field(60, alias="CRAVING_SECOND_FOLLOWUP_MINUTES", ge=1, le=24 * 60)
    reminder_after_minutes: int = Field(60, alias="REMINDER_AFTER_MINUTES", ge=1)
    partner_nudge_after_minutes: int = Field(180, alias="PARTNER_NUDGE_AFTER_MINUTES", ge=1)
    clinician_alert_after_minutes: int = Field(1440, alias="CLINICIAN_ALERT_AFTER_MINUTES", ge=1)
    crisis_resend_minutes: int = Field(15, alias="CRISIS_RESEND_MINUTES", ge=1)
    alert_digest_at: int = Field(5, alias="ALERT_DIGEST_AT", ge=2, le=10_000)
    log_level: str = Field("INFO", alias="LOG_LEVEL")
    host: str = Field("127.0.0.1", alias="HOST")
    port: int = Field(8080, alias="PORT", ge=1, le=65535)
    pass_interval_seconds: float = Field(10, alias="PASS_INTERVAL_SECONDS", gt=0, le=3600)
    telegram_rate_per_second: float = Field(30, alias="TELEGRAM_RATE_PER_SECOND", gt=0)
    telegram_chat_rate_per_second: float = Field(1, alias="TELEGRAM_CHAT_RATE_PER_SECOND", gt=0)
    whatsapp_rate_per_second: float = Field(10, alias="WHATSAPP_RATE_PER_SECOND", gt=0)
    public_base_url: str | None = Field(None, alias="PUBLIC_BASE_URL")
    telegram_bot_token: SecretStr | None = Field(None, alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str = Field("https://api.telegram.org/bot", alias="TELEGRAM_API_BASE_URL")
    telegram_mode: Literal["polling", "webhook"] = Field("polling", alias="TELEGRAM_MODE")
    telegram_webhook_secret: SecretStr | None = Field(None, alias="TELEGRAM_WEBHOOK_SECRET")
    webhook_max_body_bytes: int = Field(1024 * 1024, alias="WEBHOOK_MAX_BODY_BYTES", ge=1024, le=64 * 1024 * 1024)
    twilio_account_sid: str | None = Field(None, alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: SecretStr | None = Field(None, alias="TWILIO_AUTH_TOKEN")
    twilio_whatsapp_from: str | None = Field(None, alias="TWILIO_WHATSAPP_FROM")
    twilio_api_base_url: str = Field("https://api.twilio.com", alias="TWILIO_API_BASE_URL")
    dashboard_enabled: bool = Field(False, alias="DASHBOARD_ENABLED")
    sandbox_enabled: bool = Field(False, alias="SANDBOX_ENABLED")
    sandbox_max_worlds: int = Field(20, alias="SANDBOX_MAX_WORLDS", ge=1, le=1000)
    dashboard_session_secret: SecretStr | None = Field(None, alias="DASHBOARD_SESSION_SECRET")
    # The font the progress pictures use (a .ttc/.otf/.ttf able to draw Chinese); unset: Noto Sans CJK as Debian's
    # fonts-noto-cjk installs it. bot/progress_chart.py reads it from the environment.
    chart_font: Path | None = Field(None, alias="CHART_FONT")
    whatsapp_templates_file: Path = Field(Path(__file__).parents[1] / "data" / "content" / "whatsapp_templates.toml",
                                          alias="WHATSAPP_TEMPLATES_FILE")

    @field_validator("content_dir", "public_base_url", "telegram_bot_token", "telegram_webhook_secret",
                     "dashboard_session_secret", "chart_font",
                     "twilio_account_sid", "twilio_auth_token", "twilio_whatsapp_from", mode="before")
    @classmethod
    def _blank_is_unset(cls, value):
        return None if value in ("", None) else value

    @field_validator("public_base_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        from urllib.parse import urlsplit

        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("https", "http") or not parts.hostname or " " in value or parts.query:
                raise ValueError("must be the public https:// address webhooks are registered under, "
                                 "like https://bot.example.org")
        return value.rstrip("/") if value else value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"\d+:[A-Za-z0-9_-]{5,}", value.get_secret_value()):
            raise ValueError("does not look like a bot token from @BotFather (digits:letters)")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", value.get_secret_value()):
            raise ValueError("must be 16 to 256 characters of A-Z a-z 0-9 _ -")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://")):
            raise ValueError("must start with sqlite:// or postgresql+psycopg://")
        if value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @field_validator("default_timezone")
    @classmethod
    def _real_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (KeyError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r} (for example Asia/Hong_Kong)") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @field_validator("chart_font")
    @classmethod
    def _font_usable(cls, value: Path | None) -> Path | None:
        if value is None:
            return value
        if not value.is_file():
            raise ValueError(f"{value} is not a font file")
        from bot import progress_chart

        progress_chart.check_font(str(value))  # ValueError naming CHART_FONT when it cannot draw Chinese
        return value

    @field_validator("content_dir")
    @classmethod
    def _content_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not (value / "locale.en.toml").is_file():
            raise ValueError(f"{value} has no locale.en.toml")
        return value


    @field_validator("twilio_whatsapp_from")
    @classmethod
    def _whatsapp_number(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"whatsapp:\+\d{6,15}", value):
            raise ValueError("must look like whatsapp:+85212345678")
        return value

    @field_validator("whatsapp_templates_file", mode="before")
    @classmethod
    def _templates_default(cls, value):
        if value in ("", None):
            return Path(__file__).parents[1] / "data" / "content" / "whatsapp_templates.toml"
        return value

    @field_validator("whatsapp_templates_file")
    @classmethod
    def _templates_exist(cls, value: Path) -> Path:
        if not value.is_file():
            raise ValueError(f"{value} does not exist")
        return value

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.twilio_account_sid or self.twilio_auth_token or self.twilio_whatsapp_from)

    @model_validator(mode="after")
    def _whatsapp_needs_its_settings(self):
        if self.whatsapp_enabled:
            for name, value in (("TWILIO_ACCOUNT_SID", self.twilio_account_sid),
                                ("TWILIO_AUTH_TOKEN", self.twilio_auth_token),
                                ("TWILIO_WHATSAPP_FROM", self.twilio_whatsapp_from),
                                ("PUBLIC_BASE_URL", self.public_base_url)):
                if not value:
                    raise ValueError(f"{name} is required for WhatsApp (the TWILIO_* settings are partly set)")
        return self

    @model_validator(mode="after")
    def _dashboard_needs_its_settings(self):
        if self.dashboard_enabled:
            secret = self.dashboard_session_secret.get_secret_value() if self.dashboard_session_secret else ""
            if len(secret) < 32:
                raise ValueError("DASHBOARD_SESSION_SECRET must be set to at least 32 random characters when "
                                 "DASHBOARD_ENABLED=true (for example: python -c \"import secrets; "
                                 "print(secrets.token_urlsafe(32))\")")
            if not self.public_base_url:
                raise ValueError("PUBLIC_BASE_URL is required when DASHBOARD_ENABLED=true (sign-in links point there)")
        return self

    @model_validator(mode="after")
    def _webhook_needs_its_settings(self):
        if self.telegram_bot_token and self.telegram_mode == "webhook":
            if not self.public_base_url:
                raise ValueError("PUBLIC_BASE_URL is required when TELEGRAM_MODE=webhook")
            if not self.telegram_webhook_secret:
                raise ValueError("TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_MODE=webhook")
        return self

    @model_validator(mode="after")
    def _ladder_in_order(self):
        if not (self.reminder_after_minutes < self.partner_nudge_after_minutes < self.clinician_alert_after_minutes):
            raise ValueError("REMINDER_AFTER_MINUTES < PARTNER_NUDGE_AFTER_MINUTES < CLINICIAN_ALERT_AFTER_MINUTES"
                             " must hold")
        if self.craving_second_followup_minutes <= self.craving_followup_minutes:
            raise ValueError("CRAVING_SECOND_FOLLOWUP_MINUTES must be later than CRAVING_FOLLOWUP_MINUTES")
        return self

    def ladder(self) -> Ladder:
        return Ladder(
            reminder_after=timedelta(minutes=self.reminder_after_minutes),
            partner_nudge_after=timedelta(minutes=self.partner_nudge_after_minutes),
            clinician_alert_after=timedelta(minutes=self.clinician_alert_after_minutes),
            crisis_resend_after=timedelta(minutes=self.crisis_resend_minutes),
            digest_at=self.alert_digest_at,
            craving_followups=(timedelta(minutes=self.craving_followup_minutes),
                               timedelta(minutes=self.craving_second_followup_minutes)),
        )


def load_settings(**overrides) -> Settings:
    """Read settings, turning validation errors into one clear message that names each bad setting."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = err["loc"][0] if err["loc"] else "settings"
            name = Settings.model_fields[field].alias if field in Settings.model_fields else field
            problems.append(f"{name}: {err['msg'].removeprefix('Value error, ')}")
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None
