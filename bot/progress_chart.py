"""A client's last four weeks as a picture (PNG), sent in chat with the weekly summary and on /progress.

Drawn directly with Pillow rather than a plotting library: the chart is small and fixed, so drawing it is fast
(a few tens of milliseconds, well under the 150 ms budget; `python -m bench chart`), the PNG is small (a palette
image, tens of KB), there is no matplotlib import to pay for (about a second) and we choose the exact face of a
font collection: the Hong Kong face of Noto Sans CJK, so characters whose shapes differ by region are drawn
the way Hong Kong readers learned them.

It is drawn at twice the size it is shown (720 px wide for a 360 px phone), shapes at twice that again and
scaled down so circles and lines are smooth. Every word in it is the client's own language, from the content
files (`[texts.progress]`). Chinese is drawn in a real CJK font or not at all: without one `render` raises
MissingFont and the caller sends the caption alone, never boxes of tofu.

Nothing in it shames: missed days are hollow and grey, never red; a slip is a small marker on its day, and the
longest streak and total sober days never go back down (handlers/recovery.py). A month with too few check-ins
to chart gets an encouraging panel instead of empty charts.
"""

from __future__ import annotations

import glob
import io
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from data.content import Content
from handlers.progress import DAYS, Progress, title

WIDTH = 720  # shown 360 px wide on a phone
MARGIN = 36
INNER = WIDTH - 2 * MARGIN
SUPERSAMPLE = 2  # shapes are drawn this much larger and scaled down: smooth edges without antialiasing support

# Colour-blind safe (Okabe-Ito hues, darkened to keep 3:1 or more against white); no red anywhere.
BACKGROUND = (255, 255, 255)
INK = (31, 41, 51)
MUTED = (82, 96, 109)
SURFACE = (240, 243, 246)  # the figures' cards, and days not asked about
GRID = (222, 226, 231)
ANSWERED = (23, 121, 94)  # calm green, white text on it at 5:1
MISSED = (123, 135, 148)  # a hollow grey outline, and the numbers of days not asked about
TODAY = (0, 114, 178)  # blue ring
SLIP = (230, 159, 0)  # amber diamond, outlined in dark amber
SLIP_EDGE = (122, 79, 0)
MOOD = TODAY
CRAVING = (184, 110, 0)
PANEL = (228, 242, 236)
# The PNG is a palette image (a third the size of RGB, and quick to make): these colours and the blends
# their antialiased edges make over the grounds they are drawn on.
_INKS = (INK, MUTED, ANSWERED, MISSED, TODAY, CRAVING, SLIP, SLIP_EDGE, GRID, SURFACE, PANEL)
_GROUNDS = (BACKGROUND, SURFACE, PANEL, ANSWERED, TODAY)

FONT_ENV = "CHART_FONT"
CJK_FAMILIES = ("Noto Sans CJK HK", "Noto Sans CJK TC")
_NOTO_DIRS = (
    "/usr/share/fonts/opentype/noto",  # Debian and Ubuntu's fonts-noto-cjk
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/truetype/noto-cjk",
    "/usr/share/fonts/opentype/noto-cjk",
    "/usr/share/fonts/noto-cjk",  # Arch
    "/usr/share/fonts/google-noto-cjk",  # Fedora
)
DEJAVU = {False: "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
          True: "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"}
PROBE = "心"  # a character any font that can draw Chinese has
NOT_A_CHARACTER = "\uffff"  # drawn as the font's .notdef glyph: what tofu looks like in that font


class MissingFont(Exception):
    """No font that can draw the client's language: send the caption alone."""


@dataclass(frozen=True)
class FontChoice:
    path: str
    index: int  # the face within a .ttc collection
    family: str  # the name the font reports itself


def is_chinese(locale: str) -> bool:
    return locale.lower().startswith("zh")


# -- fonts ------------------------------------------------------------------------------------------------------
def resolve_font(locale: str, *, bold: bool = False) -> FontChoice | None:
    """The font the chart uses for `locale`: CHART_FONT when set, then Noto Sans CJK (its HK face, else TC),
    then, for English only, DejaVu Sans. None means Pillow's built-in font for English, and no font at all for
    Chinese. Raises ValueError when CHART_FONT is set but cannot be used."""
    return _resolve(is_chinese(locale), bold, os.environ.get(FONT_ENV) or None)


def check_font(path: str) -> FontChoice:
    """The font at `path`, if it can draw Chinese (for the CHART_FONT setting); ValueError saying why not."""
    return _override(path, True)


def chinese_ready() -> bool:
    """Whether Chinese pictures can be drawn here (a CJK font is installed, or CHART_FONT names one)."""
    return resolve_font("zh-HK") is not None


@lru_cache(maxsize=16)
def _resolve(chinese: bool, bold: bool, override: str | None) -> FontChoice | None:
    if override:
        return _override(override, chinese)
    for path in _noto_paths(bold):
        faces = _faces(path)
        for family in CJK_FAMILIES:
            if family in faces:
                return FontChoice(path, faces[family], family)
    if not chinese and _faces(DEJAVU[bold]):
        return FontChoice(DEJAVU[bold], 0, next(iter(_faces(DEJAVU[bold]))))
    return None


def _override(path: str, chinese: bool) -> FontChoice:
    faces = _faces(path)
    if not faces:
        raise ValueError(f"{FONT_ENV}={path!r} is not a font file that can be opened (.ttc, .otf or .ttf)")
    family = next((f for f in CJK_FAMILIES if f in faces), next(iter(faces)))
    choice = FontChoice(path, faces[family], family)
    if chinese and not draws(_font(choice, 32), PROBE):
        raise ValueError(f"{FONT_ENV}={path!r} ({family}) has no Chinese characters; name a CJK font")
    return choice


def _noto_paths(bold: bool) -> list[str]:
    """Noto Sans CJK collections on this machine, the wanted weight first."""
    wanted = "Bold" if bold else "Regular"
    exact = [f"{d}/NotoSansCJK-{wanted}.ttc" for d in _NOTO_DIRS]
    found = sorted({p for d in _NOTO_DIRS for p in glob.glob(f"{d}/NotoSansCJK-*.ttc")},
                   key=lambda p: (wanted not in p, "Regular" not in p and "Bold" not in p, p))
    return [p for p in dict.fromkeys(exact + found) if os.path.exists(p)]


@lru_cache(maxsize=32)
def _faces(path: str) -> dict[str, int]:
    """The families in a font file (one, or several in a .ttc), by the index of their first face."""
    faces: dict[str, int] = {}
    for index in range(32):
        try:
            family = ImageFont.truetype(path, 12, index=index).getname()[0] or os.path.basename(path)
        except (OSError, ValueError):
            break
        faces.setdefault(family, index)
    return faces


@lru_cache(maxsize=64)
def _font(choice: FontChoice | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if choice is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(choice.path, size, index=choice.index)


def draws(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, char: str) -> bool:
    """Whether the font has a glyph for `char`, rather than drawing its .notdef box (tofu)."""
    mask = font.getmask(char)
    empty = font.getmask(NOT_A_CHARACTER)
    return (mask.size, bytes(mask)) != (empty.size, bytes(empty))


class _Fonts:
    """The two weights at the sizes asked for, for one locale."""

    def __init__(self, locale: str) -> None:
        self.regular = resolve_font(locale)
        self.bold = resolve_font(locale, bold=True) or self.regular
        if is_chinese(locale) and self.regular is None:
            raise MissingFont(f"no font that can draw Chinese for {locale}: install fonts-noto-cjk or set {FONT_ENV}")

    def __call__(self, size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        return _font(self.bold if bold else self.regular, size)


# -- layout -----------------------------------------------------------------------------------------------------
def layout(p: Progress) -> str:
    """Which picture the month gets, by how many check-ins it holds: "full" (the calendar with mood and craving
    charts) or "encouraging" (the calendar with a friendly panel in place of charts too empty to read)."""
    return "encouraging" if p.sparse else "full"


Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Box = tuple[float, float, float, float]


@dataclass
class _Plan:
    """What to draw, in final pixels: shapes (drawn supersampled, first) and text (drawn after, at full size)."""

    shapes: list[Callable[[ImageDraw.ImageDraw, float], None]] = field(default_factory=list)
    texts: list[tuple[tuple[float, float], str, Font, tuple[int, int, int], str]] = field(default_factory=list)

    def text(self, xy: tuple[float, float], text: str, font: Font, fill=INK, anchor: str = "la") -> None:
        self.texts.append((xy, text, font, fill, anchor))

    def rect(self, box: Box, *, fill=None, outline=None, width: float = 0, radius: float = 0) -> None:
        self.shapes.append(lambda d, s: d.rounded_rectangle(
            _scaled(box, s), radius=radius * s, fill=fill, outline=outline, width=round(width * s)))

    def circle(self, centre: tuple[float, float], r: float, *, fill=None, outline=None, width: float = 0) -> None:
        x, y = centre
        self.shapes.append(lambda d, s: d.ellipse(
            _scaled((x - r, y - r, x + r, y + r), s), fill=fill, outline=outline, width=round(width * s)))

    def line(self, points: list[tuple[float, float]], fill, width: float) -> None:
        self.shapes.append(lambda d, s: d.line([(x * s, y * s) for x, y in points], fill=fill,
                                               width=round(width * s), joint="curve"))

    def polygon(self, points: list[tuple[float, float]], *, fill, outline=None, width: float = 0) -> None:
        self.shapes.append(lambda d, s: d.polygon([(x * s, y * s) for x, y in points], fill=fill,
                                                  outline=outline, width=round(width * s)))


def _scaled(box: Box, s: float) -> Box:
    return (box[0] * s, box[1] * s, box[2] * s, box[3] * s)


_TOKENS = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff\uf900-\ufaff"
                     r"\uff00-\uffef\u3000-\u303f]+\s*|\s+")
_NO_LINE_START = set("，。、；：？！）」』》〉…,.;:?!)")
_PAUSES = set("，。、；：？！")  # Chinese lines break best just after these


def wrap(text: str, font: Font, width: float) -> list[str]:
    """Lines of at most `width` pixels: broken between words, or between any two Chinese characters (never
    before closing punctuation), and in Chinese after a comma or full stop late in the line when there is one,
    so that a word is not split across lines."""
    lines: list[str] = []
    line = ""
    for token in _TOKENS.findall(text):
        if line and font.getlength((line + token).rstrip()) > width and token.strip() \
                and token[0] not in _NO_LINE_START:
            pause = max((i + 1 for i, ch in enumerate(line) if ch in _PAUSES), default=0)
            cut = pause if pause >= len(line) * 0.6 else len(line)
            lines.append(line[:cut].rstrip())
            line = line[cut:] + token.lstrip() if cut < len(line) else token.lstrip()
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def balanced(text: str, font: Font, width: float) -> list[str]:
    """Wrapped as `wrap` does, into as few lines, but as even as they can be ("days sober / in all", not
    "days sober in / all")."""
    best = wrap(text, font, width)
    widest = max(font.getlength(line) for line in best)
    while len(best) > 1 and width > 40:
        width -= 6
        lines = wrap(text, font, width)
        if len(lines) != len(best):
            break
        if max(font.getlength(line) for line in lines) < widest:
            best, widest = lines, max(font.getlength(line) for line in lines)
    return best


def drawable(text: str, font: Font) -> str:
    """The text without characters the font has no glyph for (an emoji in a name, say): left out, not tofu."""
    return " ".join("".join(ch for ch in text if ch.isascii() or ch.isspace() or draws(font, ch)).split())


def _fit(text: str, fonts: _Fonts, size: int, smallest: int, width: float, *, bold: bool = False) -> Font:
    """The largest font from `size` down to `smallest` the one-line text fits in."""
    for s in range(size, smallest - 1, -2):
        if fonts(s, bold=bold).getlength(text) <= width:
            return fonts(s, bold=bold)
    return fonts(smallest, bold=bold)


def _ellipsize(text: str, font: Font, width: float) -> str:
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


class _Words:
    """The picture's texts in one locale."""

    def __init__(self, content: Content, locale: str) -> None:
        self.content, self.locale = content, locale

    def __call__(self, key: str, **fields) -> str:
        return self.content.text(f"progress.{key}", self.locale, **fields)

    def date(self, day: date) -> str:
        return self("date", day=day.day, month=self("months").split()[day.month - 1])


# -- drawing ----------------------------------------------------------------------------------------------------
def render(p: Progress, content: Content, locale: str) -> bytes:
    """The picture as PNG bytes: 720 px wide, 950 to 1,300 tall, a few tens of KB. Raises MissingFont when no
    font here can draw the locale's script (and ValueError when CHART_FONT names an unusable font)."""
    fonts = _Fonts(locale)
    words = _Words(content, locale)
    plan = _Plan()
    y = _header(plan, fonts, words, p, MARGIN - 4)
    y = _figures(plan, fonts, words, p, y + 20)
    y = _calendar(plan, fonts, words, p, y + 30)
    y = _legend(plan, fonts, words, y + 18)
    if layout(p) == "full":
        y = _mood(plan, fonts, words, p, y + 28)
        y = _cravings(plan, fonts, words, p, y + 32)
    else:
        y = _encouragement(plan, fonts, words, y + 28)
    return _paint(plan, round(y + MARGIN))


def _paint(plan: _Plan, height: int) -> bytes:
    s = SUPERSAMPLE
    shapes = Image.new("RGB", (WIDTH * s, height * s), BACKGROUND)
    draw = ImageDraw.Draw(shapes)
    for shape in plan.shapes:
        shape(draw, s)
    image = shapes.reduce(s)
    draw = ImageDraw.Draw(image)
    for xy, text, font, fill, anchor in plan.texts:
        draw.text(xy, text, font=font, fill=fill, anchor=anchor)
    out = io.BytesIO()
    image.quantize(palette=_palette(), dither=Image.Dither.NONE).save(out, "PNG")
    return out.getvalue()


@lru_cache(maxsize=1)
def _palette() -> Image.Image:
    """Every colour the chart uses, then seven steps of each ink over each ground, leaving out blends too close
    to a colour already in (Pillow maps pixels to the palette in buckets of four levels a channel, so a near
    twin could otherwise take the place of pure white)."""
    colours = list(dict.fromkeys((BACKGROUND, *_INKS, *_GROUNDS)))
    for ink in (*_INKS, BACKGROUND):
        for ground in _GROUNDS:
            for step in range(1, 8):
                blend = tuple(round(i * step / 8 + g * (8 - step) / 8) for i, g in zip(ink, ground, strict=True))
                if len(colours) < 256 and all(sum((a - b) ** 2 for a, b in zip(blend, c, strict=True)) > 48
                                              for c in colours):
                    colours.append(blend)
    palette = Image.new("P", (1, 1))
    palette.putpalette([v for c in colours for v in c])
    return palette


def _header(plan: _Plan, fonts: _Fonts, words: _Words, p: Progress, y: float) -> float:
    name = drawable(p.name or "", fonts(44, bold=True)) or None  # a name of emoji alone: "Your last 4 weeks"
    heading = title(words.content, words.locale, replace(p, name=name))
    font = _fit(heading, fonts, 44, 34, INNER, bold=True)
    plan.text((MARGIN, y), _ellipsize(heading, font, INNER), font)
    y += font.size * 1.35
    first = p.days[0].day
    plan.text((MARGIN, y), words("range", start=words.date(first), end=words.date(p.today)), fonts(28), MUTED)
    return y + 28 * 1.35


def _figures(plan: _Plan, fonts: _Fonts, words: _Words, p: Progress, y: float) -> float:
    """Three cards: the current streak, the longest and the total sober days."""
    gap = 16
    width = (INNER - 2 * gap) / 3
    label_font = fonts(26)
    if p.current_streak:
        current = (str(p.current_streak), words("streak"))
    else:
        current = (words("streak_fresh"), words("streak_fresh_label"))
    cards = [(*current, ANSWERED), (str(p.longest_streak), words("longest"), INK),
             (str(p.total_sober_days), words("total"), INK)]
    labels = [balanced(label, label_font, width - 30) for _, label, _ in cards]
    height = 12 + 62 + 8 + 33 * max(len(lines) for lines in labels) + 14
    for n, ((figure, _, colour), lines) in enumerate(zip(cards, labels, strict=True)):
        x = MARGIN + n * (width + gap)
        plan.rect((x, y, x + width, y + height), fill=SURFACE, radius=18)
        plan.text((x + 16, y + 12), figure, _fit(figure, fonts, 58, 36, width - 32, bold=True), colour)
        for k, line in enumerate(lines):
            plan.text((x + 16, y + 12 + 62 + 8 + 33 * k), line, label_font, MUTED)
    return y + height


def _grid(p: Progress) -> tuple[int, int]:
    """Where the four weeks sit in a Monday-to-Sunday grid: the first day's column, and the number of rows."""
    offset = p.days[0].day.weekday()
    return offset, -(-(offset + len(p.days)) // 7)


CELL_PITCH_X = INNER / 7
CELL_W, CELL_H, ROW_PITCH = 78, 52, 62


def _calendar(plan: _Plan, fonts: _Fonts, words: _Words, p: Progress, y: float) -> float:
    """Rows of weeks, Monday to Sunday, each day a cell: filled when checked in, hollow when not."""
    heading = words("checkins_sparse") if p.sparse else words("checkins", month=p.answered_month, days=DAYS)
    plan.text((MARGIN, y), heading, fonts(30, bold=True))
    y += 30 * 1.45
    head = fonts(26)
    for col, name in enumerate(words("weekdays").split()[:7]):
        plan.text((MARGIN + CELL_PITCH_X * (col + 0.5), y), name, head, MUTED, "ma")
    y += 26 * 1.45
    offset, rows = _grid(p)
    number = fonts(26)
    for n, mark in enumerate(p.days):
        row, col = divmod(offset + n, 7)
        cx = MARGIN + CELL_PITCH_X * (col + 0.5)
        cy = y + ROW_PITCH * row + CELL_H / 2
        _cell(plan, (cx - CELL_W / 2, cy - CELL_H / 2, cx + CELL_W / 2, cy + CELL_H / 2), mark.status,
              today=mark.day == p.today, slip=mark.slip)
        fill = {"answered": BACKGROUND, "missed": MUTED, "pending": TODAY}.get(mark.status, MISSED)
        plan.text((cx, cy), str(mark.day.day), number, fill, "mm")
    return y + ROW_PITCH * (rows - 1) + CELL_H


def _cell(plan: _Plan, box: Box, status: str, *, today: bool = False, slip: bool = False) -> None:
    if today:
        plan.rect((box[0] - 6, box[1] - 6, box[2] + 6, box[3] + 6), outline=TODAY, width=4, radius=18)
    if status == "answered":
        plan.rect(box, fill=ANSWERED, radius=13)
    elif status == "missed":
        plan.rect(box, fill=BACKGROUND, outline=MISSED, width=3, radius=13)
    elif status == "pending":
        plan.rect(box, fill=BACKGROUND, outline=TODAY, width=3, radius=13)
    else:
        plan.rect(box, fill=SURFACE, radius=13)
    if slip:
        _diamond(plan, (box[2] - 4, box[1] + 4), 11)


def _diamond(plan: _Plan, centre: tuple[float, float], r: float) -> None:
    x, y = centre
    plan.polygon([(x, y - r - 3), (x + r + 3, y), (x, y + r + 3), (x - r - 3, y)], fill=BACKGROUND)
    plan.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], fill=SLIP, outline=SLIP_EDGE, width=2)


def _legend(plan: _Plan, fonts: _Fonts, words: _Words, y: float) -> float:
    """The calendar's key, flowing onto a second line when the words need it."""
    font = fonts(26)
    items: list[tuple[str, Callable[[float, float], None]]] = [
        (words("answered"), lambda x, y: _cell(plan, (x, y, x + 34, y + 26), "answered")),
        (words("missed"), lambda x, y: _cell(plan, (x, y, x + 34, y + 26), "missed")),
        (words("not_asked"), lambda x, y: _cell(plan, (x, y, x + 34, y + 26), "not_asked")),
        (words("today"), lambda x, y: plan.rect((x - 1, y - 1, x + 35, y + 27), outline=TODAY, width=4, radius=10)),
        (words("slip"), lambda x, y: _diamond(plan, (x + 17, y + 13), 11)),
    ]
    x, line = MARGIN, 0
    for label, swatch in items:
        width = 34 + 10 + font.getlength(label)
        if x > MARGIN and x + width > WIDTH - MARGIN:
            x, line = MARGIN, line + 1
        top = y + line * 42
        swatch(x, top + 3)
        plan.text((x + 44, top + 16), label, font, MUTED, "lm")
        x += width + 26
    return y + line * 42 + 32


PLOT_LEFT = MARGIN + 40
PLOT_RIGHT = WIDTH - MARGIN
SLOT = (PLOT_RIGHT - PLOT_LEFT) / DAYS


def _slot(n: int) -> float:
    return PLOT_LEFT + SLOT * (n + 0.5)


def _axes(plan: _Plan, fonts: _Fonts, top: float, height: float, ticks: Iterable[tuple[float, str]],
          grid: Iterable[float]) -> None:
    """Horizontal grid lines, the y labels, and a faint line between weeks."""
    for fraction in grid:
        gy = top + height * (1 - fraction)
        plan.line([(PLOT_LEFT, gy), (PLOT_RIGHT, gy)], GRID, 2)
    for week in range(1, DAYS // 7):
        wx = PLOT_LEFT + SLOT * 7 * week
        plan.line([(wx, top), (wx, top + height)], GRID, 2)
    for fraction, label in ticks:
        plan.text((PLOT_LEFT - 12, top + height * (1 - fraction)), label, fonts(26), MUTED, "rm")


def _mood(plan: _Plan, fonts: _Fonts, words: _Words, p: Progress, y: float) -> float:
    """Mood, 1 to 5, day by day: points joined where the days are next to each other."""
    plan.text((MARGIN, y), words("mood"), fonts(28, bold=True))
    top, height = y + 28 * 1.4 + 16, 104
    _axes(plan, fonts, top, height, [(0, "1"), (0.5, "3"), (1, "5")], [0, 0.25, 0.5, 0.75, 1])
    points = [(n, top + height * (1 - (m.mood - 1) / 4)) for n, m in enumerate(p.days) if m.mood is not None]
    for (n1, y1), (n2, y2) in zip(points, points[1:], strict=False):
        if n2 == n1 + 1:
            plan.line([(_slot(n1), y1), (_slot(n2), y2)], MOOD, 4)
    for n, py in points:
        plan.circle((_slot(n), py), 7, fill=MOOD, outline=BACKGROUND, width=2)
    return top + height


def _cravings(plan: _Plan, fonts: _Fonts, words: _Words, p: Progress, y: float) -> float:
    """Craving, 0 to 10, as bars; a day with none logged has no bar, a zero a thin one on the baseline."""
    plan.text((MARGIN, y), words("craving"), fonts(28, bold=True))
    top, height = y + 28 * 1.4 + 16, 104
    _axes(plan, fonts, top, height, [(0, "0"), (0.5, "5"), (1, "10")], [0, 0.5, 1])
    bottom = top + height
    for n, mark in enumerate(p.days):
        if mark.craving is not None:
            bar = max(3, height * mark.craving / 10)
            plan.rect((_slot(n) - SLOT * 0.32, bottom - bar, _slot(n) + SLOT * 0.32, bottom), fill=CRAVING,
                      radius=min(4, bar / 2))
    for week in range(DAYS // 7):  # each week's first day, under the line that starts it
        plan.text((PLOT_LEFT + SLOT * 7 * week + 4, bottom + 12), words.date(p.days[7 * week].day), fonts(26), MUTED)
    return bottom + 12 + 26 * 1.3


def _encouragement(plan: _Plan, fonts: _Fonts, words: _Words, y: float) -> float:
    """A friendly panel where charts with almost nothing in them would be."""
    head, body = fonts(34, bold=True), fonts(28)
    inner = INNER - 2 * 28
    head_lines, body_lines = wrap(words("sparse_title"), head, inner), wrap(words("sparse_body"), body, inner)
    height = 28 + 34 * 1.35 * len(head_lines) + 12 + 28 * 1.5 * len(body_lines) + 24
    plan.rect((MARGIN, y, WIDTH - MARGIN, y + height), fill=PANEL, radius=22)
    ty = y + 28
    for line in head_lines:
        plan.text((MARGIN + 28, ty), line, head, ANSWERED)
        ty += 34 * 1.35
    ty += 12
    for line in body_lines:
        plan.text((MARGIN + 28, ty), line, body, INK)
        ty += 28 * 1.5
    return y + height
