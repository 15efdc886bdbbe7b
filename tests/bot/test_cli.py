"""The `recovery-bot` command as a person runs it: a piped conversation, db upgrade, clear setting errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings
from tests.data.test_db import HEAD

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent / "recovery-bot"


def run(args, *, stdin="", cwd, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DEFAULT_", "CONTENT_DIR"))}
    env.update(env_extra or {})
    return subprocess.run([str(BIN), *args], input=stdin, capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=120)


def test_a_whole_client_journey_piped_into_chat(tmp_path):
    script = "\n".join([
        "hi", "1", "Ken", "Hong Kong", "9pm", "2 weeks ago", "1",  # onboarding, then the network walk
        "Mum", "9123 4567", "yes", "Finish",
        "craving", "6", "lonely, tired", "done", "home", "skip", "1", "It passed",
        "checkin", "4", "2", "no", "skip",
        "slip", "yesterday", "skip", "skip",
        "settings", "Quiet hours", "22:00-07:00", "Done",
        "I want to kill myself", "I'm safe",
        "export",
    ]) + "\n"
    result = run(["chat", "--as", "ken"], stdin=script, cwd=tmp_path)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert "you> hi" in out and "bot> Hi, I'm the recovery companion" in out
    assert "  1) I agree" in out
    assert "I'll check in each day at 21:00 (Hong Kong time)" in out
    assert "Family and friends: Mum (accountability partner)" in out
    assert "Well done. Riding out a craving" in out
    assert "Current streak: 14 days" in out
    assert "not failure" in out
    assert "2896 0000" in out
    exported = next(tmp_path.glob("recovery-export-*.json"))
    data = json.loads(exported.read_text())
    assert data["person"]["display_name"] == "Ken" and len(data["slips"]) == 1
    assert (tmp_path / "var" / "recovery-bot.db").exists()  # the embedded default, made on first run


def test_chat_continues_mid_flow_in_a_new_process(tmp_path):
    run(["chat", "--as", "mei"], stdin="hi\n1\nMei\n", cwd=tmp_path)
    result = run(["chat", "--as", "mei"], stdin="Taipei\n", cwd=tmp_path)
    assert "What time each day" in result.stdout


def test_db_upgrade_command(tmp_path):
    result = run(["db", "upgrade", "--db", f"sqlite:///{tmp_path}/x.db"], cwd=tmp_path)
    assert result.returncode == 0 and f"revision {HEAD}" in result.stdout


def test_a_wrong_setting_stops_start_up_with_its_name(tmp_path):
    result = run(["chat"], cwd=tmp_path, env_extra={"DEFAULT_TIMEZONE": "Asia/Hongkong"})
    assert result.returncode == 2
    assert "DEFAULT_TIMEZONE" in result.stderr and "Asia/Hongkong" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("name, value", [
    ("DATABASE_URL", "mysql://x"), ("CRAVING_FOLLOWUP_MINUTES", "soon"), ("LOG_LEVEL", "LOUD"),
    ("CONTENT_DIR", "/nonexistent"),
])
def test_each_bad_setting_is_named(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()


def test_empty_optional_settings_are_defaults(monkeypatch):
    monkeypatch.setenv("CONTENT_DIR", "")
    assert load_settings().content_dir is None


def test_env_example_documents_every_setting():
    from bot.settings import Settings

    documented = {line.split("=", 1)[0] for line in (ROOT / ".env.example").read_text().splitlines()
                  if "=" in line and not line.startswith("#")}
    assert {f.alias for f in Settings.model_fields.values()} == documented


def test_the_ladder_must_climb_in_order(monkeypatch):
    monkeypatch.setenv("REMINDER_AFTER_MINUTES", "300")
    with pytest.raises(SettingsError, match="REMINDER_AFTER_MINUTES"):
        load_settings()
