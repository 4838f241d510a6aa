"""Score a SemEval-2020 Task 11 prediction file with framespan.metrics, to compare with the official scorers.

Gold: a folder of ``*.labels`` files (``articleID.task1-SI.labels`` with ``id start end`` rows, or
``articleID.task2-TC.labels`` with ``id technique start end`` rows), or one file holding the rows of many
articles. A folder also brings in articles with an empty labels file (they count for precision only); a
single file can only name articles that have spans, which is how the official scorer reads its gold file.

Predictions: one file, rows ``article_id<TAB>start<TAB>end`` (SI) or
``article_id<TAB>technique<TAB>start<TAB>end`` (TC/FLC). Offsets are characters, end exclusive.

Printed: SI always (techniques ignored). When gold and predictions both carry techniques: the SemEval-2019
FLC labeled score, exact match, and TC when the predicted spans are exactly the gold spans.

The official numbers come from the organisers' tools (not part of this repository), e.g.
``python3 task-SI_scorer.py -s PRED -r GOLD_FILE -m`` (``-m`` merges overlapping predictions, which is our
default; pass ``--no-merge-pred`` to get the scorer's refusal instead) and
``python3 task-TC_scorer.py -s PRED -r GOLD_FILE -p propaganda-techniques-names-semeval2020task11.txt``.

Usage:
    python benchmarks/check_official_scorer.py --gold GOLD --pred PRED [--articles DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from framespan.errors import DataError
from framespan.metrics import exact_scores, labeled_scores, si_scores, tc_scores
from framespan.spans import Document, Span

SI_LABEL = "propaganda"  # placeholder technique for three-column rows
_ARTICLE_RE = re.compile(r"article(\d+)")

Row = tuple[str, str | None, int, int]


def read_rows(path: Path) -> list[Row]:
    """Rows of a SemEval labels/prediction file as (article_id, technique or None, start, end)."""
    rows: list[Row] = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            cols = line.split("\t")
            if len(cols) not in (3, 4):
                raise DataError(f"expected 3 or 4 tab-separated columns, found {len(cols)}", path, number)
            try:
                start, end = int(cols[-2]), int(cols[-1])
            except ValueError:
                raise DataError(f"offsets must be integers, got {cols[-2]!r} and {cols[-1]!r}",
                                path, number) from None
            if start < 0 or end <= start:
                raise DataError(f"need 0 <= start < end, got {start}, {end}", path, number)
            rows.append((cols[0], cols[1] if len(cols) == 4 else None, start, end))
    return rows


def read_gold(gold: Path) -> tuple[dict[str, list[Row]], bool]:
    """Gold rows per article id, and whether every row names a technique."""
    per_doc: dict[str, list[Row]] = {}
    files = sorted(gold.glob("*.labels")) if gold.is_dir() else [gold]
    if not files:
        raise DataError("no *.labels files found", gold)
    for path in files:
        rows = read_rows(path)
        if gold.is_dir():
            match = _ARTICLE_RE.search(path.name)
            doc_id = match.group(1) if match else (rows[0][0] if rows else path.stem)
            per_doc.setdefault(doc_id, [])
            for row in rows:
                if row[0] != doc_id:
                    raise DataError(f"row names article {row[0]!r} in the file of article {doc_id!r}", path)
        for row in rows:
            per_doc.setdefault(row[0], []).append(row)
    labeled = all(r[1] is not None for rows in per_doc.values() for r in rows)
    return per_doc, labeled


def to_spans(rows: list[Row]) -> list[Span]:
    return [Span(start, end, label or SI_LABEL) for _, label, start, end in rows]


def build_gold(per_doc: dict[str, list[Row]], articles: Path | None,
               predicted: dict[str, list[Span]]) -> list[Document]:
    docs = []
    for doc_id, rows in per_doc.items():
        if articles is not None:
            text = (articles / f"article{doc_id}.txt").read_text(encoding="utf-8")
        else:
            # Offsets are all the metrics need: a blank text long enough for gold and predicted spans
            # satisfies Document's bounds check without the article.
            ends = [r[3] for r in rows] + [s.end for s in predicted.get(doc_id, [])]
            text = " " * max(ends, default=0)
        docs.append(Document(doc_id, text, to_spans(rows)))
    return docs


def check(gold: Path, pred: Path, articles: Path | None = None, merge_pred: bool = True) -> dict:
    """All applicable scores for a prediction file against a gold folder or file."""
    gold_rows, gold_labeled = read_gold(gold)
    pred_rows = read_rows(pred)
    pred_labeled = all(r[1] is not None for r in pred_rows)
    predicted: dict[str, list[Span]] = {}
    for row in pred_rows:
        predicted.setdefault(row[0], []).append(Span(row[2], row[3], row[1] or SI_LABEL))
    docs = build_gold(gold_rows, articles, predicted)

    out: dict = {"n_docs": len(docs), "n_gold_rows": sum(len(r) for r in gold_rows.values()),
                 "n_pred_rows": len(pred_rows),
                 "si": si_scores(docs, predicted, merge_pred=merge_pred)}
    if gold_labeled and pred_labeled and pred_rows:
        out["flc"] = labeled_scores(docs, predicted, merge_pred=merge_pred)
        out["exact"] = exact_scores(docs, predicted)
        try:
            out["tc"] = tc_scores(docs, predicted)
            out["tc_rowwise"] = official_tc(gold_rows, pred_rows)
        except DataError as err:
            out["tc"] = {"skipped": str(err)}
    return out


def official_tc(gold_rows: dict[str, list[Row]], pred_rows: list[Row]) -> dict:
    """TC the way the official scorer walks the files, row by row, as a check on ``tc_scores``.

    Per article, both row lists are sorted by start offset (stable) and must name the same span on
    every row, or the file is refused. Within a run of rows on one span (a span carrying several
    techniques) the predicted rows are re-ordered greedily so that equal techniques face each
    other. The flattened label lists are then compared position by position: with one predicted
    row per gold row, micro P = R = F1 = correct rows / gold rows.
    """
    pred_by_doc: dict[str, list[Row]] = {}
    for row in pred_rows:
        pred_by_doc.setdefault(row[0], []).append(row)
    correct = total = 0
    for doc_id, gold in gold_rows.items():
        g = sorted(gold, key=lambda r: r[2])
        p = sorted(pred_by_doc.get(doc_id, []), key=lambda r: r[2])
        if [(r[2], r[3]) for r in g] != [(r[2], r[3]) for r in p]:
            raise DataError(f"article {doc_id}: the predicted spans are not the gold spans")
        i = 0
        while i < len(g):
            j = i
            while j < len(g) and (g[j][2], g[j][3]) == (g[i][2], g[i][3]):
                j += 1
            left = [r[1] for r in p[i:j]]
            for gold_label in (r[1] for r in g[i:j]):
                if gold_label in left:
                    left.remove(gold_label)
                    correct += 1
            i = j
        total += len(g)
    f1 = correct / total if total else 0.0
    return {"precision": f1, "recall": f1, "f1": f1, "n_gold": total, "n_pred": total, "n_correct": correct}


def _summary(result: dict) -> str:
    head = (f"articles {result['n_docs']}, gold rows {result['n_gold_rows']}, "
            f"predicted rows {result['n_pred_rows']}")
    lines = [head]
    for key, title in (("si", "SI"), ("flc", "FLC labeled"), ("exact", "exact"), ("tc", "TC micro"),
                       ("tc_rowwise", "TC row by row, as the official scorer")):
        s = result.get(key)
        if s is None:
            continue
        if "skipped" in s:
            lines.append(f"{title}: skipped ({s['skipped']})")
            continue
        lines.append(f"{title}: F1={s['f1']:.6f} P={s['precision']:.6f} R={s['recall']:.6f} "
                     f"(gold {s['n_gold']}, pred {s['n_pred']})")
    tc = result.get("tc")
    if tc and "per_label" in tc:
        for label, s in tc["per_label"].items():
            lines.append(f"  TC {label}: F1={s['f1']:.6f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, required=True, help="labels folder or single labels file")
    parser.add_argument("--pred", type=Path, required=True, help="prediction file in SemEval format")
    parser.add_argument("--articles", type=Path, help="folder of articleID.txt texts, to check offsets")
    parser.add_argument("--no-merge-pred", action="store_true",
                        help="refuse overlapping predictions, like the official scorer without -m")
    parser.add_argument("--json", action="store_true", help="print the full result as JSON")
    args = parser.parse_args(argv)
    try:
        result = check(args.gold, args.pred, args.articles, merge_pred=not args.no_merge_pred)
    except (DataError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, sort_keys=True) if args.json else _summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
