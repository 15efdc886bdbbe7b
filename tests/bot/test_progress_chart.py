"""The progress picture: a small PNG for a phone, in the client's language, in a real CJK font for Chinese (never
tofu), and an encouraging picture rather than empty charts when the month has few check-ins."""

from __future__ import annotations

import io
import os
import tomllib
from datetime import date, timedelta

import pytest
from PIL import Image, ImageDraw

from bot import progress_chart
from bot.progress_chart import (
    SLIP,
    MissingFont,
    balanced,
    chinese_ready,
    drawable,
    draws,
    layout,
    render,
    resolve_font,
    wrap,
)
from data.content import CONTENT_DIR
from handlers.progress import DAYS, DayMark, Progress

SUNDAY = date(2026, 3, 1)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def month(answered: set[int], *, today: date = SUNDAY, name: str | None = "Ken", slips: frozenset[int] = frozenset(),
          streak: tuple[int, int, int] = (12, 30, 45), asked_from: int = DAYS - 1) -> Progress:
    """Four weeks ending `today`; days are numbered by how many days ago they were. Days `asked_from` days ago
    and since that are not in `answered` were missed (today's is pending)."""
    days = []
    for n in range(DAYS):
        age = DAYS - 1 - n
        day = today - timedelta(days=age)
        if age in answered:
            days.append(DayMark(day, "answered", 1 + age % 5, age % 11, age in slips))
        elif age == 0 and age <= asked_from:
            days.append(DayMark(day, "pending", None, None, False))
        else:
            days.append(DayMark(day, "missed" if age <= asked_from else "not_prompted", None, None, age in slips))
    marks = [d.status == "answered" for d in days]
    return Progress(name, today, days, *streak, answered_week=sum(marks[-7:]), answered_month=sum(marks))


FULL = month(set(range(DAYS)) - {3, 9, 10, 17}, slips=frozenset({12}))
SPARSE = month({1, 5}, today=date(2026, 3, 4), name="Mei Ling", streak=(0, 30, 45))
EMPTY = month(set(), name=None, streak=(0, 0, 0), asked_from=-1)
MONTHS = {"full": FULL, "sparse": SPARSE, "empty": EMPTY}


@pytest.fixture(autouse=True)
def fonts_as_installed(monkeypatch):
    """Every test starts from the machine's own fonts, with no CHART_FONT, and leaves no cached choice behind."""
    monkeypatch.delenv("CHART_FONT", raising=False)
    progress_chart._resolve.cache_clear()
    yield
    progress_chart._resolve.cache_clear()


def cjk_or_skip() -> None:
    """Chinese tests need a CJK font; CI sets REQUIRE_CJK_FONT so that a missing one fails instead of skipping."""
    if resolve_font("zh-HK") is None:
        if os.environ.get("REQUIRE_CJK_FONT"):
            pytest.fail("REQUIRE_CJK_FONT is set but no CJK font is installed (apt-get install fonts-noto-cjk)")
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk); set REQUIRE_CJK_FONT to fail instead")


def opened(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    return image


class Drawn:
    """Every text drawn, with the font it was drawn in."""

    def __init__(self, monkeypatch) -> None:
        self.texts: list[tuple[str, object]] = []
        original = ImageDraw.ImageDraw.text

        def spy(draw, xy, text, *args, **kwargs):
            self.texts.append((text, kwargs.get("font")))
            return original(draw, xy, text, *args, **kwargs)

        monkeypatch.setattr(ImageDraw.ImageDraw, "text", spy)


# -- the picture ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("locale", ["en", "zh-HK"])
@pytest.mark.parametrize("kind", list(MONTHS))
def test_the_picture_is_a_small_png_sized_for_a_phone(content, kind, locale):
    if locale != "en":
        cjk_or_skip()
    image = opened(png := render(MONTHS[kind], content, locale))
    assert image.width == 720 and 800 <= image.height <= 1400
    assert len(png) < 150_000
    assert image.mode == "P"  # a palette image: flat colours, a third the size of RGB


def test_few_check_ins_get_the_encouraging_picture():
    assert layout(FULL) == "full"
    assert layout(EMPTY) == "encouraging"
    assert layout(SPARSE) == "encouraging"  # two check-ins in four weeks
    assert layout(month({1, 5, 9})) == "full"


def test_the_encouraging_picture_has_the_panel_and_no_charts(content, monkeypatch):
    drawn = Drawn(monkeypatch)
    render(SPARSE, content, "en")
    texts = [t for t, _ in drawn.texts]
    assert "Your picture fills in as you check in" in texts
    assert "Days you checked in" in texts
    assert not any(t.startswith(("Mood", "Craving", "Check-ins:")) for t in texts)


def test_the_full_picture_has_figures_calendar_charts_and_legend(content, monkeypatch):
    drawn = Drawn(monkeypatch)
    render(FULL, content, "en")
    texts = [t for t, _ in drawn.texts]
    for expected in ("Ken's last 4 weeks", "2 Feb – 1 Mar", "12", "30", "45", "Check-ins: 24 of 28 days", "Mon",
                     "Sun", "checked in", "no check-in", "not asked", "today", "slip", "Mood (1 very low – 5 great)",
                     "Craving (0 none – 10 overwhelming)", "2 Feb", "9 Feb", "16 Feb", "23 Feb"):
        assert expected in texts, expected
    assert "Your picture fills in as you check in" not in texts


def test_a_fresh_streak_is_day_one_and_the_longest_and_total_stay(content, monkeypatch):
    drawn = Drawn(monkeypatch)
    render(SPARSE, content, "en")
    texts = [t for t, _ in drawn.texts]
    assert {"Day 1", "a fresh start", "30", "45"} <= set(texts)
    assert "0" not in texts


def test_a_slip_is_a_small_amber_marker_and_nothing_is_red(content):
    def amber(p: Progress) -> int:
        colours = opened(render(p, content, "en")).convert("RGB").getcolors(1 << 16)
        return sum(n for n, (r, g, b) in colours if abs(r - SLIP[0]) < 12 and abs(g - SLIP[1]) < 12 and b < 30)

    assert amber(month(set(range(DAYS)), slips=frozenset({12}))) > amber(month(set(range(DAYS))))
    colours = opened(render(FULL, content, "en")).convert("RGB").getcolors(1 << 16)
    assert not [c for _, c in colours if c[0] > 170 and c[1] < 100 and c[2] < 100]


def test_a_long_name_is_shortened_and_an_emoji_left_out_rather_than_drawn_as_a_box(content, monkeypatch):
    drawn = Drawn(monkeypatch)
    render(month({1, 2, 3}, name="Ken 🌱 " + "Chan" * 20), content, "en")
    heading = drawn.texts[0][0]
    assert heading.startswith("Ken Chan") and heading.endswith("…") and "🌱" not in heading
    render(month({1, 2, 3}, name="🌱"), content, "en")
    assert "Your last 4 weeks" in [t for t, _ in drawn.texts]


# -- Chinese, in a real CJK font --------------------------------------------------------------------------------
def test_chinese_resolves_to_the_hong_kong_face_of_a_cjk_font():
    cjk_or_skip()
    regular, bold = resolve_font("zh-HK"), resolve_font("zh-HK", bold=True)
    assert "CJK" in regular.family and "CJK" in bold.family
    assert chinese_ready()
    if "Noto Sans CJK" in regular.family:
        assert regular.family == "Noto Sans CJK HK" and "Bold" in bold.path
    font = progress_chart._font(regular, 32)
    assert font.getname()[0] == regular.family
    assert draws(font, "心") and draws(font, "癮")
    assert font.getmask("心").getbbox() != font.getmask("\uffff").getbbox() or \
        bytes(font.getmask("心")) != bytes(font.getmask("\uffff"))
    assert not draws(font, "\ue000")  # a private-use character: the font's .notdef box, which is what tofu is


def test_every_chinese_word_in_the_picture_has_a_glyph_in_the_font_it_is_drawn_in(content, monkeypatch):
    cjk_or_skip()
    drawn = Drawn(monkeypatch)
    for p in MONTHS.values():
        render(p, content, "zh-HK")
    texts = {t for t, _ in drawn.texts}
    assert {"報到：28 日入面有 24 日", "心癮（0 冇 至 10 好強）", "你每次報到，呢幅圖就會慢慢填滿", "第 1 日"} <= texts
    for text, font in drawn.texts:
        assert "CJK" in font.getname()[0], text
        assert all(draws(font, ch) for ch in text if not ch.isspace()), text


def test_every_chinese_progress_text_can_be_drawn():
    cjk_or_skip()
    with (CONTENT_DIR / "locale.zh-HK.toml").open("rb") as fh:
        texts = tomllib.load(fh)["texts"]["progress"]
    font = progress_chart._font(resolve_font("zh-HK"), 28)
    bold = progress_chart._font(resolve_font("zh-HK", bold=True), 28)
    for key, text in texts.items():
        for ch in set(text) - set("{}_ ") - set("abcdefghijklmnopqrstuvwxyz"):
            assert draws(font, ch) and draws(bold, ch), (key, ch)


def test_without_a_cjk_font_chinese_is_not_drawn_but_english_still_is(content, monkeypatch):
    monkeypatch.setattr(progress_chart, "_NOTO_DIRS", ("/nonexistent",))
    assert resolve_font("zh-HK") is None and not chinese_ready()
    with pytest.raises(MissingFont):
        render(FULL, content, "zh-HK")
    if os.path.exists(progress_chart.DEJAVU[False]):
        assert resolve_font("en").family == "DejaVu Sans"
    assert opened(render(FULL, content, "en")).width == 720


def test_with_no_font_files_at_all_english_uses_pillows_own(content, monkeypatch):
    monkeypatch.setattr(progress_chart, "_NOTO_DIRS", ("/nonexistent",))
    monkeypatch.setattr(progress_chart, "DEJAVU", {False: "/nonexistent.ttf", True: "/nonexistent-bold.ttf"})
    assert resolve_font("en") is None
    assert opened(render(FULL, content, "en")).width == 720


def test_chart_font_overrides_the_search_and_must_be_usable(monkeypatch):
    monkeypatch.setenv("CHART_FONT", "/nonexistent/font.ttc")
    with pytest.raises(ValueError, match="CHART_FONT"):
        resolve_font("en")
    dejavu = progress_chart.DEJAVU[False]
    if not os.path.exists(dejavu):
        pytest.skip("DejaVu Sans is not installed")
    monkeypatch.setenv("CHART_FONT", dejavu)
    assert resolve_font("en") == progress_chart.FontChoice(dejavu, 0, "DejaVu Sans")
    with pytest.raises(ValueError, match="CHART_FONT.*Chinese"):
        resolve_font("zh-HK")  # a font with no Chinese would draw tofu


def test_chart_font_picks_the_hong_kong_face_of_a_collection(monkeypatch):
    cjk_or_skip()
    found = resolve_font("zh-HK")
    monkeypatch.setenv("CHART_FONT", found.path)
    assert resolve_font("zh-HK") == found


# -- words ------------------------------------------------------------------------------------------------------
def test_wrapping_breaks_between_words_or_chinese_characters_never_before_punctuation():
    cjk_or_skip()
    font = progress_chart._font(resolve_font("zh-HK"), 28)
    lines = wrap("每次報到都會喺呢度加多一日，連埋你嘅心情同心癮。", font, 28 * 7)
    assert "".join(lines) == "每次報到都會喺呢度加多一日，連埋你嘅心情同心癮。"
    assert all(font.getlength(line) <= 28 * 8 for line in lines)
    assert not any(line.startswith(("，", "。")) for line in lines)
    english = wrap("Each check-in adds a day here", font, 200)
    assert " ".join(english) == "Each check-in adds a day here" and all(line[-1:] != " " for line in english)
    assert balanced("days sober in all", font, 180) == ["days sober", "in all"]
    assert drawable("Ken 🌱 Chan", font) == "Ken Chan"
