"""Small SVG charts drawn on the server: a sparkline, a daily line with gaps and slip markers, check-in bars.

No chart library and no JavaScript: a page of 500 clients needs 500 sparklines in a few milliseconds. Charts
never rely on colour alone (missed days are hollow, slips are labelled lines) and each has a text alternative.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from markupsafe import Markup

# Drawn 480 wide with 14 px type: still legible when a 375 px phone shrinks it to about 300.
WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 480, 170, 34, 10, 12, 28
FONT = 14


def sparkline(values: Sequence[int | float | None], *, label: str, high: float = 10, width: int = 84,
              height: int = 22) -> Markup:
    """A tiny line of values (None: no value that day), labelled for screen readers."""
    points = _points(values, 0, high, width, height, pad=2)
    paths = " ".join(f'<polyline points="{run}" />' for run in points)
    return Markup(f'<svg class="spark" role="img" aria-label="{escape(label)}" width="{width}" height="{height}" '
                  f'viewBox="0 0 {width} {height}"><title>{escape(label)}</title>'
                  f'<g fill="none" stroke="#1f5fa8" stroke-width="1.6">{paths}</g></svg>')


def _points(values, low, high, width, height, *, pad=0, left=0, top=0) -> list[str]:
    """Polyline point lists, one per run of days with a value (a missing day breaks the line)."""
    n = max(len(values) - 1, 1)
    runs, current = [], []
    for i, v in enumerate(values):
        if v is None:
            if current:
                runs.append(current)
            current = []
            continue
        x = left + pad + (width - 2 * pad) * i / n
        y = top + pad + (height - 2 * pad) * (1 - (v - low) / (high - low or 1))
        current.append(f"{x:.1f},{y:.1f}")
    if current:
        runs.append(current)
    return [" ".join(run if len(run) > 1 else run * 2) for run in runs]


def line_chart(days: Sequence[date], values: Sequence[int | None], *, low: int, high: int, title: str,
               summary: str, slips: Sequence[date] = (), slip_label: str = "slip", day_label=str) -> Markup:
    """A daily series over `days` with its scale, a dot per value, and each slip as a labelled vertical line."""
    plot_w, plot_h = WIDTH - PAD_LEFT - PAD_RIGHT, HEIGHT - PAD_TOP - PAD_BOTTOM
    parts = [f'<svg class="chart" role="img" aria-label="{escape(summary)}" viewBox="0 0 {WIDTH} {HEIGHT}">',
             f"<title>{escape(title)}</title><desc>{escape(summary)}</desc>"]
    for tick in sorted({low, (low + high) // 2, high}):
        y = PAD_TOP + plot_h * (1 - (tick - low) / (high - low))
        parts.append(f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5dbe1" />'
                     f'<text x="{PAD_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="{FONT}" fill="#4f5b66">'
                     f"{tick}</text>")
    n = max(len(days) - 1, 1)
    x_of = {d: PAD_LEFT + plot_w * i / n for i, d in enumerate(days)}
    # The first and last dates sit inside the drawing (anchored at their edge), the middle one centred.
    for d, anchor in zip((days[0], days[len(days) // 2], days[-1]) if days else (), ("start", "middle", "end"), strict=False):
        parts.append(f'<text x="{x_of[d]:.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}" font-size="{FONT}" '
                     f'fill="#4f5b66">{escape(day_label(d))}</text>')
    for d in slips:
        if d in x_of:
            x = x_of[d]
            parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{PAD_TOP}" y2="{PAD_TOP + plot_h}" stroke="#a4161a" '
                         f'stroke-dasharray="4 3" /><text x="{x + 3:.1f}" y="{PAD_TOP + 10}" font-size="{FONT}" '
                         f'fill="#a4161a">{escape(slip_label)}</text>')
    for run in _points(values, low, high, plot_w, plot_h, left=PAD_LEFT, top=PAD_TOP):
        parts.append(f'<polyline points="{run}" fill="none" stroke="#1f5fa8" stroke-width="2" />')
    for d, v in zip(days, values, strict=True):
        if v is not None:
            y = PAD_TOP + plot_h * (1 - (v - low) / (high - low))
            parts.append(f'<circle cx="{x_of[d]:.1f}" cy="{y:.1f}" r="2.6" fill="#1f5fa8" />')
    parts.append("</svg>")
    return Markup("".join(parts))


def checkin_bars(days: Sequence[date], statuses: Sequence[str], *, title: str, summary: str,
                 day_label=str) -> Markup:
    """One mark per day: a full bar answered, a hollow box missed, a thin tick not asked."""
    height, plot_h = 70, 34
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    step = plot_w / max(len(days), 1)
    parts = [f'<svg class="chart" role="img" aria-label="{escape(summary)}" viewBox="0 0 {WIDTH} {height}">',
             f"<title>{escape(title)}</title><desc>{escape(summary)}</desc>"]
    for i, status in enumerate(statuses):
        x, w = PAD_LEFT + i * step + 1, max(step - 2, 1)
        if status == "answered":
            parts.append(f'<rect x="{x:.1f}" y="8" width="{w:.1f}" height="{plot_h}" fill="#1e6b3a" />')
        elif status == "missed":
            parts.append(f'<rect x="{x + .75:.1f}" y="8.75" width="{max(w - 1.5, .5):.1f}" height="{plot_h - 1.5}" '
                         f'fill="none" stroke="#8a5300" stroke-width="1.5" />')
        else:
            parts.append(f'<rect x="{x:.1f}" y="{8 + plot_h - 3}" width="{w:.1f}" height="3" fill="#b8c1ca" />')
    for x, d, anchor in ((PAD_LEFT, days[0], "start"), (WIDTH - PAD_RIGHT, days[-1], "end")) if days else ():
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="{anchor}" '
                     f'font-size="{FONT}" fill="#4f5b66">{escape(day_label(d))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
