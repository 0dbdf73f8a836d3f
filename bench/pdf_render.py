"""Time warm renders of a one-page statement: bare WeasyPrint vs settlements.pdf.

Usage::

    .venv/bin/python bench/pdf_render.py [-n 30]

Both variants render the statement from tests/settlements/test_pdf_engine.py
with static/pdf/document.css, after one untimed warm-up render:

- baseline: what a first implementation does: a new ``CSS`` object and no
  shared ``FontConfiguration`` per render, the system's Noto Sans CJK SC
  (Debian's fonts-noto-cjk) instead of the subset fonts;
- engine: ``settlements.pdf.render_pdf``.

Prints the median, fastest and slowest seconds per page and the PDF size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SYSTEM_FONT_FAMILY = '"Noto Sans CJK SC"'


def measure(render: Callable[[], bytes], renders: int) -> tuple[list[float], int]:
    """Render once untimed, then ``renders`` times; return the durations and PDF size."""
    size = len(render())
    durations = []
    for _ in range(renders):
        start = time.perf_counter()
        size = len(render())
        durations.append(time.perf_counter() - start)
    return durations, size


def main(argv: list[str] | None = None) -> int:
    """Run both variants and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--renders", type=int, default=30, help="timed renders (30)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(PROJECT_ROOT))
    from weasyprint import CSS, HTML

    from settlements import pdf
    from tests.settlements.test_pdf_engine import statement_html

    html = statement_html()
    baseline_css = pdf.STYLESHEET_PATH.read_text(encoding="utf-8").replace(
        "DocSans", SYSTEM_FONT_FAMILY
    )

    def baseline() -> bytes:
        result: bytes = HTML(string=html).write_pdf(stylesheets=[CSS(string=baseline_css)])
        return result

    def engine() -> bytes:
        return pdf.render_pdf(html)

    print(f"harfbuzz-subset available: {pdf.harfbuzz_subset_available()}")
    print(f"{'variant':<34} {'median s':>9} {'min s':>7} {'max s':>7} {'KB':>6}")
    variants = (
        ("bare WeasyPrint, system Noto CJK", baseline),
        ("settlements.pdf (DocSans subset)", engine),
    )
    for label, render in variants:
        durations, size = measure(render, args.renders)
        print(
            f"{label:<34} {statistics.median(durations):>9.3f} "
            f"{min(durations):>7.3f} {max(durations):>7.3f} {size / 1024:>6.0f}"
        )
    pdf.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
