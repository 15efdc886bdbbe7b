"""The content files: the clinic's twelve kinds of support, crisis lines with sources, complete translations."""

import tomllib
from pathlib import Path

import pytest

from data.content import CONTENT_DIR, Content, ContentError

HANDLER_DIRS = [Path(__file__).parents[2] / "handlers", Path(__file__).parents[2] / "scheduler"]


def test_twelve_kinds_of_support_each_with_why_and_a_next_step(content):
    kinds = content.support_kinds()
    assert [k.key for k in kinds] == [
        "family_friends", "twelve_step", "therapy", "sponsor", "sober_living", "recovery_coach", "online",
        "healthcare", "fitness", "education", "faith", "self_help",
    ]
    assert all(k.name and k.why and k.next_step for k in kinds)


def test_every_crisis_line_names_its_source(content):
    for zone in ("Asia/Hong_Kong", "America/New_York", "Europe/London"):
        region = content.crisis_region(zone)
        assert region.lines and all(line.source and line.number for line in region.lines)


def test_hong_kong_lines_match_the_clinics_list(content):
    numbers = {line.number for line in content.crisis_region("Asia/Hong_Kong").lines}
    assert numbers == {"999", "2896 0000", "2389 2222", "2382 0000", "18111"}
    assert content.crisis_region("Asia/Tokyo").key == "HK"  # anywhere else: the clinic's own region
    assert content.crisis_region("Europe/London").key == "UK"


@pytest.mark.parametrize("locale", ["zh-HK"])
def test_translations_are_complete(content, locale):
    assert locale in content.locales
    english = Content()._texts["en"]
    translated = content._texts[locale]
    assert set(english) - set(translated) == set()


def test_texts_fill_their_fields(content):
    assert "Ken" in content.text("onboarding.all_set", "en", name="Ken", time="21:00", zone="Asia/Hong_Kong")
    assert content.text("onboarding.all_set", "xx-unknown", name="Ken").startswith("You're all set")


def test_a_translation_with_an_unknown_field_is_refused(tmp_path):
    for path in CONTENT_DIR.glob("*.toml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "locale.xx.toml").write_text('[texts.menu]\nprompt = "Hi {nobody}"\n', encoding="utf-8")
    with pytest.raises(ContentError, match="nobody"):
        Content(tmp_path)


def test_no_person_first_violations_in_what_the_bot_says(content):
    for locale in content.locales:
        text = " ".join(content._texts[locale].values()).casefold()
        for word in ("addict ", "addicts", "junkie", "clean and dirty", "道友", "癮君子"):
            assert word not in text, (locale, word)


def test_handlers_hold_no_user_facing_sentences():
    """Texts live in data/content: handler code only names keys."""
    import ast

    for folder in HANDLER_DIRS:
        for path in folder.rglob("*.py"):
            if {"safety", "intents"} & set(path.relative_to(folder).parts):
                continue  # detection patterns and training code, not things the bot says
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docstrings = {
                id(node.body[0].value) for node in ast.walk(tree)
                if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
                and node.body and isinstance(node.body[0], ast.Expr)
            }
            for node in ast.walk(tree):  # logs, exceptions and patterns are not said to people
                is_log = isinstance(node, ast.Call) and getattr(getattr(node.func, "value", None), "id", "") in {"log", "re"}
                if is_log or isinstance(node, ast.Raise):
                    docstrings |= {id(n) for n in ast.walk(node)}
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                    words = node.value.split()
                    assert len(words) < 5 or "{" in node.value and len(words) < 3, (path, node.value)


def test_content_files_are_valid_toml():
    for path in CONTENT_DIR.glob("*.toml"):
        with path.open("rb") as fh:
            tomllib.load(fh)
