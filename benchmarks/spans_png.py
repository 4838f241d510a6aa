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
    fig, ax = plt.subplots(figsize=(width * 0.085 + 0.5, row_h * len(lines) * 0.28 + 1.2))
    for i, (off, line) in enumerate(lines):
        y = -i * row_h
        ax.text(0, y, line, family="monospace", fontsize=9, va="bottom")
        for s in spans:
            a, b = max(s.start, off), min(s.end, off + len(line))
            if a < b:
                k = labels.index(s.label)
                ax.add_patch(Rectangle((a - off, y - 0.18 * (k + 1)), b - a, 0.14, color=colors[s.label]))
    ax.set_xlim(0, width)
    ax.set_ylim(-row_h * len(lines), 1.2)
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
    fig.savefig(args.out, dpi=130, bbox_inches="tight")
    print(f"{args.out}: {len(spans)} spans")
    return 0


if __name__ == "__main__":
    sys.exit(main())
