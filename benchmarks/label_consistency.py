"""How consistently PTC marks a technique's short terms: a precision ceiling for any model that learns them.

For each article, take the one- and two-word terms the technique marks in the *other* articles
(Name_Calling,Labeling by default: framespan's loaded_label), find every whole-word occurrence of
them in this article, and count how many lie inside one of this article's spans of the technique.
A model that marked every such occurrence, as a consistent reader would, gets at most that share
credited by PTC's gold.

With ``--terms``, it also says how often PTC marks each given term wherever it occurs: whether
a model trained on PTC's gold can learn a term as a label at all.

    python benchmarks/label_consistency.py --ptc PTC_DIR [--technique Name_Calling,Labeling] \
        [--terms terrorists regime]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

from framespan.corpora.common import SkipReport
from framespan.corpora.ptc import read_ptc
from framespan.spans import Document


def terms_by_article(docs: list[Document], technique: str) -> dict[str, set[str]]:
    """Each article's marked terms of one or two words (lower case, over three characters)."""
    out: dict[str, set[str]] = {}
    for d in docs:
        parts = (d.text[s.start:s.end].strip().lower() for s in d.spans if s.label == technique)
        out[d.id] = {t for t in parts if 1 <= len(t.split()) <= 2 and len(t) > 3}
    return out


def whole_word(term: str) -> re.Pattern[str]:
    """``term`` as a whole word or phrase, in any case."""
    return re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)", re.IGNORECASE)


def inside(spans: list[tuple[int, int]], m: re.Match[str]) -> bool:
    """Whether the match lies inside one of the (start, end) spans."""
    return any(a <= m.start() and m.end() <= b for a, b in spans)


def consistency(docs: list[Document], technique: str) -> tuple[int, int, Counter[str]]:
    """(occurrences marked, occurrences of terms marked elsewhere, unmarked occurrences per term)."""
    terms = terms_by_article(docs, technique)
    seen_in = Counter(t for ts in terms.values() for t in ts)
    marked = total = 0
    missed: Counter[str] = Counter()
    for d in docs:
        spans = [(s.start, s.end) for s in d.spans if s.label == technique]
        elsewhere = [t for t in seen_in if seen_in[t] - (t in terms[d.id]) > 0]
        for t in elsewhere:
            for m in whole_word(t).finditer(d.text):
                total += 1
                hit = inside(spans, m)
                marked += hit
                missed[t] += not hit
    return marked, total, missed


def term_rates(docs: list[Document], technique: str, terms: list[str]) -> list[tuple[str, int, int]]:
    """(term, whole-word occurrences in any case, occurrences inside a span of the technique)."""
    out = []
    for term in terms:
        pattern = whole_word(term)
        total = marked = 0
        for d in docs:
            spans = [(s.start, s.end) for s in d.spans if s.label == technique]
            for m in pattern.finditer(d.text):
                total += 1
                marked += inside(spans, m)
        out.append((term, total, marked))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ptc", type=Path, required=True, help="PTC folder with train-articles and labels")
    ap.add_argument("--technique", default="Name_Calling,Labeling")
    ap.add_argument("--terms", nargs="*", default=[], help="terms whose own marking rate to report")
    args = ap.parse_args(argv)
    docs = read_ptc(args.ptc / "train-articles", args.ptc / "train-labels-task2-technique-classification",
                    lenient=True, report=SkipReport())
    marked, total, missed = consistency(docs, args.technique)
    print(f"{args.technique}: {len(docs)} articles; {total} occurrences of terms marked in another article, "
          f"{marked} of them marked ({marked / max(total, 1):.2f})")
    print("most often unmarked:", ", ".join(f"{t} ({n})" for t, n in missed.most_common(12)))
    for term, n, hit in term_rates(docs, args.technique, args.terms):
        print(f"{term!r}: {n} occurrences, {hit} inside a {args.technique} span")
    return 0


if __name__ == "__main__":
    sys.exit(main())
