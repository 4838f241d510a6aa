"""A PNG of a model's spans over a text file: each line in monospace, each span a coloured band.

For docs/ pictures where no browser is at hand to screenshot the HTML page (`framespan predict
--format html`). Overlapping spans stack as separate bands under the line, one row per label.

    python benchmarks/spans_png.py RUN TEXT_FILE --out docs/img/NAME.png [--width 100]
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402

from framespan.detector import Detector  # noqa: E402
from framespan.errors import ConfigError  # noqa: E402
from framespan.labels import LabelSchema, load_schema  # noqa: E402
from framespan.spans import Span  # noqa: E402

DPI = 130
_FONT, _FONT_PT = "monospace", 9
_CHAR_INCHES = 0.602 * _FONT_PT / 72  # DejaVu Sans Mono's advance: the figure is about width glyphs wide


class _Measure:
    """Where a line's prefix ends, in data units, as the renderer lays it out: hinting rounds glyph
    advances to whole pixels at the figure's dpi, so counting characters would drift along a line."""

    def __init__(self, fig: plt.Figure, ax: plt.Axes) -> None:
        self.ax, self.renderer = ax, fig.canvas.get_renderer()
        self.bar = self._pixels("|")
        self.unit = float(ax.transData.transform((1, 0))[0] - ax.transData.transform((0, 0))[0])  # pixels

    def _pixels(self, text: str) -> float:
        t = self.ax.text(0, 0, text, family=_FONT, fontsize=_FONT_PT, parse_math=False)
        width = t.get_window_extent(self.renderer).width
        t.remove()
        return width

    def __call__(self, prefix: str) -> float:
        if not prefix:
            return 0.0
        return (self._pixels(prefix + "|") - self.bar) / self.unit  # the bar keeps trailing spaces measured


def blank_axes(width: int, height: float) -> tuple[plt.Figure, plt.Axes]:
    """A figure whose axes are ``width`` monospace characters wide, one data unit a character,
    drawn at the dpi it is saved at: glyph widths, which _Measure reads, change with the dpi."""
    fig, ax = plt.subplots(figsize=(width * _CHAR_INCHES / 0.96, height), dpi=DPI)
    fig.subplots_adjust(left=0.02, right=0.98)
    ax.set_xlim(0, width)
    return fig, ax


def wrapped_lines(text: str, width: int) -> list[tuple[int, str]]:
    """(offset, line) pieces of ``text`` at most ``width`` characters, broken at spaces."""
    out, pos = [], 0
    for line in text.split("\n"):
        start = pos
        for piece in textwrap.wrap(line, width, drop_whitespace=False) or [""]:
            out.append((start, piece))
            start += len(piece)
        pos += len(line) + 1
    return out


def draw(text: str, spans: list[Span], colors: dict[str, str], title: str, width: int) -> plt.Figure:
    lines = wrapped_lines(text, width)
    labels = sorted({s.label for s in spans})
    row_h = 1.0 + 0.18 * max(1, len(labels))
    fig, ax = blank_axes(width, row_h * len(lines) * 0.28 + 1.2)
    ax.set_ylim(-row_h * len(lines), 1.2)
    measure = _Measure(fig, ax)
    for i, (off, line) in enumerate(lines):
        y = -i * row_h
        ax.text(0, y, line, family=_FONT, fontsize=_FONT_PT, va="bottom", parse_math=False)
        for s in spans:
            a, b = max(s.start, off), min(s.end, off + len(line))
            if a < b:
                k = labels.index(s.label)
                x0, x1 = measure(line[:a - off]), measure(line[:b - off])
                ax.add_patch(Rectangle((x0, y - 0.18 * (k + 1)), x1 - x0, 0.14, color=colors[s.label]))
    ax.axis("off")
    ax.set_title(title, fontsize=10, loc="left")
    ax.legend(handles=[Patch(color=colors[lab], label=lab) for lab in labels], loc="upper center",
              bbox_to_anchor=(0.5, 0.0), ncol=min(4, len(labels) or 1), fontsize=8, frameon=False)
    return fig


def palette(schema: LabelSchema) -> dict[str, str]:
    """The bundled schema's colours where the model's schema is a bundled one, so a picture of a run
    trained before a colour changed matches today's pages; the run's own colours otherwise."""
    try:
        current = load_schema(schema.name).colors()
    except ConfigError:
        return schema.colors()
    return {lab: current.get(lab, color) for lab, color in schema.colors().items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=Path)
    ap.add_argument("text", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--width", type=int, default=100)
    ap.add_argument("--title", help="picture title (default: RUN's folder name on TEXT's file name)")
    args = ap.parse_args(argv)
    det = Detector.load(args.run)
    text = args.text.read_text(encoding="utf-8")
    spans = det.predict(text)
    colors = palette(det.schema)
    fig = draw(text, spans, colors, args.title or f"{args.run.name} on {args.text.name}", args.width)
    fig.savefig(args.out, dpi=DPI, bbox_inches="tight")
    print(f"{args.out}: {len(spans)} spans")
    return 0


if __name__ == "__main__":
    sys.exit(main())
