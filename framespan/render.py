"""Self-contained HTML pages that highlight spans in their device colours, with legend and tooltips."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence

from .spans import Span

_CSS = """
body{font-family:Georgia,serif;max-width:56rem;margin:2rem auto;padding:0 1rem;line-height:1.9;color:#222}
h1{font-family:system-ui,sans-serif;font-size:1.3rem} h2{font-family:system-ui,sans-serif;font-size:1rem;color:#555}
.doc{border-top:1px solid #ddd;padding:.5rem 0 1rem} .text{white-space:pre-wrap}
.sp{border-radius:3px;padding:1px 0;cursor:help}
.legend{font-family:system-ui,sans-serif;font-size:.85rem;display:flex;flex-wrap:wrap;gap:.4rem 1rem;margin:1rem 0}
.key{display:inline-block;width:.9rem;height:.9rem;border-radius:2px;vertical-align:middle;margin-right:.3rem}
.none{color:#888;font-style:italic;font-family:system-ui,sans-serif;font-size:.85rem}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:1rem}
"""


def _rgba(color: str, alpha: float) -> str:
    c = color.lstrip("#")
    if len(c) != 6:
        return color
    r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def highlight(text: str, spans: Sequence[Span], colors: Mapping[str, str]) -> str:
    """HTML for ``text`` with each span shaded; nested and overlapping spans stack their shades.

    The text is cut at every span boundary, and each piece is wrapped once per span covering it,
    so overlaps stay visible without producing invalid nesting.
    """
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        piece = html.escape(text[a:b])
        covering = [s for s in spans if s.start <= a and s.end >= b]
        for s in sorted(covering, key=lambda s: (s.end - s.start), reverse=True):
            tip = s.label if s.score is None else f"{s.label} ({s.score:.2f})"
            color = colors.get(s.label, "#cccccc")
            piece = (f'<span class="sp" title="{html.escape(tip)}" '
                     f'style="background:{_rgba(color, 0.35)};border-bottom:2px solid {color}">{piece}</span>')
        out.append(piece)
    return f'<div class="text">{"".join(out)}</div>'


def legend(colors: Mapping[str, str], used: Iterable[str] | None = None) -> str:
    names = [n for n in colors if used is None or n in set(used)]
    items = "".join(f'<span><span class="key" style="background:{colors[n]}"></span>{html.escape(n)}</span>'
                    for n in names)
    return f'<div class="legend">{items}</div>'


def page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>\n")


def render_documents(docs: Iterable[tuple[str, str, Sequence[Span]]], colors: Mapping[str, str],
                     title: str = "framespan predictions") -> str:
    """A page for (doc id, text, spans) triples."""
    parts, used = [], set()
    for doc_id, text, spans in docs:
        used.update(s.label for s in spans)
        note = "" if spans else '<div class="none">no devices found</div>'
        parts.append(f'<div class="doc"><h2>{html.escape(doc_id)}</h2>{highlight(text, spans, colors)}{note}</div>')
    return page(title, legend(colors, used) + "".join(parts))
