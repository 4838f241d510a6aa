"""Turn quoted-text annotations over PTC articles into stand-off rows (id, label, start, end).

Annotators write one JSON object a line: {"article": "111111112", "label": "scare_quotes",
"text": "so-called “experts”", "occurrence": 1}; ``occurrence`` (1-based, default 1) picks which
occurrence of ``text`` in the article is meant. This script finds the offsets, checks the span
rules of GUIDELINES.md section 10, and prints every problem with its file and line. Only offsets
leave it: the text stays in the annotator's working file, outside the repository.

    python data/ptc-framing/resolve.py ARTICLES_DIR batch.jsonl [...] [--out rows.tsv]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

LABELS = ("loaded_label", "inevitability_appeal", "anonymous_source", "scare_quotes")
OPEN_QUOTES = "\"“‘'«„‚"
CLOSE_QUOTES = "\"”’'»“‘"


def _find(text: str, needle: str, occurrence: int) -> int:
    pos = -1
    for _ in range(occurrence):
        pos = text.find(needle, pos + 1)
        if pos < 0:
            return -1
    return pos


def _check(label: str, span: str) -> list[str]:
    problems = []
    if span != span.strip():
        problems.append("span starts or ends with white space")
    if not any(c.isalnum() for c in span):
        problems.append("span holds no letter or digit")
    if label == "scare_quotes":
        lowered = span.lower()
        if not (span[0] in OPEN_QUOTES or lowered.startswith(("so-called", "so called", "socalled"))):
            problems.append("scare_quotes must start at its opening quote mark or at 'so-called'")
        if span[0] in OPEN_QUOTES and span[-1] not in CLOSE_QUOTES:
            problems.append("scare_quotes must end with its closing quote mark")
    elif span[-1] in ".,;:":
        problems.append("span ends with punctuation")
    return problems


def resolve(articles: Path, batch: Path) -> tuple[list[tuple[str, str, int, int]], list[str]]:
    rows, errors = [], []
    for no, line in enumerate(batch.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{batch}:{no}"
        try:
            rec = json.loads(line)
            art, label, needle = str(rec["article"]), rec["label"], rec["text"]
        except (ValueError, KeyError, TypeError) as exc:
            errors.append(f"{where}: not a valid record ({exc})")
            continue
        if label not in LABELS:
            errors.append(f"{where}: unknown label {label!r}")
            continue
        path = articles / f"article{art}.txt"
        if not path.exists():
            errors.append(f"{where}: no article {path}")
            continue
        text = path.read_text(encoding="utf-8")
        start = _find(text, needle, int(rec.get("occurrence", 1)))
        if start < 0:
            errors.append(f"{where}: text not found (occurrence {rec.get('occurrence', 1)}): {needle!r}")
            continue
        errors += [f"{where}: {p}: {needle!r}" for p in _check(label, needle)]
        rows.append((art, label, start, start + len(needle)))
    return rows, errors


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("articles", type=Path)
    ap.add_argument("batches", type=Path, nargs="+")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    rows, errors = [], []
    for b in args.batches:
        r, e = resolve(args.articles, b)
        rows += r
        errors += e
    dup = {r for r in rows if rows.count(r) > 1}
    errors += [f"duplicate span {r}" for r in sorted(dup)]
    for e in errors:
        print(e, file=sys.stderr)
    if args.out:
        args.out.write_text("".join(f"{a}\t{lab}\t{s}\t{e}\n" for a, lab, s, e in sorted(set(rows),
                            key=lambda r: (r[0], r[2], r[3], r[1]))), encoding="utf-8")
    print(f"{len(rows)} spans, {len(errors)} problems", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
