"""The progress picture: how long drawing one takes, and how big it is. `python -m bench chart`.

A full month (24 of 28 days checked in, moods, cravings, a slip), drawn in English and in Chinese `--runs` times
each after a warm-up (the first drawing loads the fonts; that is timed on its own). Target: under 150 ms a chart,
and under 150 KB. Baseline in the same run: encoding a blank 720x900 RGB image as PNG, the floor of any picture
this size.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta

from PIL import Image

from bot import progress_chart
from data.content import Content
from handlers.progress import DAYS, DayMark, Progress

TARGET_MS = 150
TARGET_KB = 150
SUNDAY = date(2026, 3, 1)


def full_month() -> Progress:
    """Four weeks ending on a Sunday, as a client who checks in most days might have them."""
    missed, slip = {3, 9, 10, 17}, 12
    days = []
    for n in range(DAYS):
        age = DAYS - 1 - n
        day = SUNDAY - timedelta(days=age)
        if age in missed:
            days.append(DayMark(day, "missed", None, None, False))
        else:
            days.append(DayMark(day, "answered", 1 + (age * 3) % 5, (age * 7) % 11, age == slip))
    answered = [d.status == "answered" for d in days]
    return Progress("Ken", SUNDAY, days, current_streak=12, longest_streak=30, total_sober_days=45,
                    answered_week=sum(answered[-7:]), answered_month=sum(answered))


def timed(runs: int, work: Callable[[], bytes]) -> tuple[list[float], bytes]:
    times, out = [], b""
    for _ in range(runs):
        started = time.perf_counter()
        out = work()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times), out


def figures(name: str, times: list[float], size: int | None = None) -> str:
    p95 = times[max(0, round(len(times) * 0.95) - 1)]
    kb = f", {size / 1024:.1f} KB" if size is not None else ""
    return (f"{name:<24} median {statistics.median(times):6.1f} ms, p95 {p95:6.1f} ms, "
            f"max {times[-1]:6.1f} ms{kb}")


def blank_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (720, 900), (255, 255, 255)).save(out, "PNG")
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench chart", description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args(argv or [])
    content, month = Content(), full_month()
    locales = ["en", "zh-HK"] if progress_chart.chinese_ready() else ["en"]
    fonts = {loc: progress_chart.resolve_font(loc) for loc in locales}
    print(f"progress chart, {args.runs} runs each after a warm-up "
          f"(target: under {TARGET_MS} ms and {TARGET_KB} KB a chart)")
    for loc in locales:
        started = time.perf_counter()
        progress_chart.render(month, content, loc)
        first = (time.perf_counter() - started) * 1000
        times, png = timed(args.runs, lambda loc=loc: progress_chart.render(month, content, loc))
        with Image.open(io.BytesIO(png)) as image:
            shape = f"{image.width}x{image.height} {image.mode}"
        family = fonts[loc].family if fonts[loc] else "Pillow's built-in font"
        print("  " + figures(f"full month, {loc}", times, len(png)) + f", {shape}, {family}")
        print(f"  {'':<24} first drawing (loads the fonts) {first:.1f} ms")
        if times[round(len(times) * 0.95) - 1] > TARGET_MS or len(png) > TARGET_KB * 1024:
            print(f"  {'':<24} OVER TARGET")
    if "zh-HK" not in locales:
        print("  no CJK font here: Chinese charts are not drawn (apt-get install fonts-noto-cjk)")
    times, png = timed(args.runs, blank_png)
    print("  " + figures("baseline: blank PNG", times, len(png)) + ", 720x900 RGB")


if __name__ == "__main__":
    main(sys.argv[1:])
