"""A wrong setting at start-up ends with one clear line naming the setting, a non-zero exit, and no secret."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.bot.test_run import BIN, env, free_port
from tests.fakes.telegram_api import FakeTelegram


def _run(args, tmp_path, **settings) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, cwd=tmp_path,
                          env=env(PORT=str(free_port()), **settings), timeout=60)


@pytest.mark.parametrize("setting, value, expect", [
    ("DATABASE_URL", "postgresql+psycopg://someone:hunter2-secret@127.0.0.1:1/none", "cannot use the database"),
    ("DATABASE_URL", "sqlite:////proc/not-a-folder/x.db", "cannot create or write the database's folder"),
    ("DATABASE_URL", "mysql://localhost/x", "must start with sqlite://"),
    ("PUBLIC_BASE_URL", "https://bot example org", "must be the public https:// address"),
    ("CHART_FONT", "/no/such/font.ttc", "is not a font file"),
    ("CHART_FONT", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "has no Chinese characters"),
])
def test_a_bad_setting_names_itself_in_one_line(tmp_path, setting, value, expect):
    if setting == "CHART_FONT" and "dejavu" in value and not Path(value).exists():
        pytest.skip("Debian's fonts-dejavu-core is not installed here")
    result = _run(["tick"], tmp_path, **{setting: value})
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and setting in lines[0] and expect in lines[0], result.stderr
    assert "Traceback" not in result.stderr and "hunter2-secret" not in result.stderr + result.stdout


def test_a_refused_telegram_token_is_named_and_never_printed(tmp_path):
    with FakeTelegram() as fake:
        result = _run(["run"], tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/x.db",
                      TELEGRAM_BOT_TOKEN="999999:not-the-real-token-abcdef", TELEGRAM_API_BASE_URL=fake.base_url)
    assert result.returncode != 0
    assert "TELEGRAM_BOT_TOKEN: Telegram refused the bot token" in result.stderr
    assert "not-the-real-token" not in result.stderr + result.stdout and "Traceback" not in result.stderr


@pytest.mark.parametrize("wrong", ["token", "api"])
def test_wrong_twilio_credentials_or_api_are_named_at_start_up_and_never_printed(tmp_path, wrong):
    from tests.fakes.twilio_api import FakeTwilio

    with FakeTwilio() as fake:
        token = "0" * 32 if wrong == "token" else fake.auth_token
        base_url = fake.base_url if wrong == "token" else f"http://127.0.0.1:{free_port()}"
        result = _run(["run"], tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/x.db",
                      TWILIO_ACCOUNT_SID=fake.account_sid, TWILIO_AUTH_TOKEN=token,
                      TWILIO_WHATSAPP_FROM=fake.whatsapp_number, TWILIO_API_BASE_URL=base_url,
                      PUBLIC_BASE_URL="https://bot.example.org")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    expect = "TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN: Twilio refused" if wrong == "token" else \
        "TWILIO_API_BASE_URL: cannot reach the Twilio API"
    assert len(lines) == 1 and expect in lines[0], result.stderr
    assert token not in result.stderr + result.stdout and "Traceback" not in result.stderr


@pytest.mark.parametrize("secret", ["", "too-short-0123456789"])
def test_the_dashboard_will_not_start_without_a_long_session_secret(tmp_path, secret):
    result = _run(["run"], tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/x.db", DASHBOARD_ENABLED="true",
                  DASHBOARD_SESSION_SECRET=secret, PUBLIC_BASE_URL="https://bot.example.org")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "DASHBOARD_SESSION_SECRET" in lines[0] and "32" in lines[0], result.stderr
    assert (secret or "<none>") not in result.stderr + result.stdout and "Traceback" not in result.stderr
