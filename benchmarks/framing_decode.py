"""How much decoding alone moves the four devices on real news: thresholds chosen on PTC dev articles.

A run's folder thresholds were tuned on its whole dev split (PTC and bundled documents, micro over
all labels). This diagnostic scores the PTC dev and test articles once, then re-decodes each of
the four devices over a grid of threshold x continuation ratio: the point chosen on the dev
articles for that device's own labelled-span F1 is then scored on the test articles, beside the
folder's own settings and the test ceiling (the best grid point chosen on test: a diagnostic only).
Scare quotes are decoded from quotations (framespan.decoding.decode_quoted) and, for comparison,
as plain token runs.

    python benchmarks/framing_decode.py runs/framing --ptc PTC_DIR [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from framing_real import DEVICES, ROOT, gold_documents

from framespan.boundaries import PAIRED_LABELS
from framespan.decoding import decode_spans
from framespan.detector import Detector
from framespan.metrics import labeled_scores
from framespan.strategies import only_columns
from framespan.tuning import score_documents

THRESHOLDS = [round(0.1 + 0.05 * i, 2) for i in range(16)]  # 0.10 .. 0.85
RATIOS = [0.4, 0.5, 0.6, 0.7, 0.8, 1.0]


def decode_all(det: Detector, docs: list, scores: list, label: str, thr: float, ratio: float,
               paired: frozenset[str] = PAIRED_LABELS) -> dict:
    col = det.schema.index(label)
    return {d.id: decode_spans(d.text, only_columns(sc, [col]), [label], [thr], det.decode_settings.min_chars,
                               ratio, paired) for d, sc in zip(docs, scores, strict=True)}


def f1(docs: list, pred: dict, label: str) -> float:
    return labeled_scores(docs, pred, labels=[label])["f1"]


def grid_scores(det: Detector, parts: dict, scores: dict, label: str,
                paired: frozenset[str] = PAIRED_LABELS) -> dict[tuple[float, float], tuple[float, float]]:
    """(threshold, ratio) -> (dev F1, test F1) of one label over the whole grid."""
    return {(thr, ratio): tuple(f1(parts[p], decode_all(det, parts[p], scores[p], label, thr, ratio, paired), label)
                                for p in ("dev", "test"))
            for thr in THRESHOLDS for ratio in RATIOS}


def best_on_dev(grid: dict, own_ratio: float) -> tuple[float, float]:
    """The grid point with the best dev F1; on a tie, the ratio nearest the folder's."""
    return max(grid, key=lambda k: (grid[k][0], -abs(k[1] - own_ratio)))


def token_runs(det: Detector, parts: dict, scores: dict, own_ratio: float) -> list:
    """Scare quotes decoded as plain token runs (no quotations): dev-chosen point, test F1, ceiling."""
    grid = grid_scores(det, parts, scores, "scare_quotes", frozenset())
    best = best_on_dev(grid, own_ratio)
    return [*best, *grid[best], max(v[1] for v in grid.values())]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=Path)
    ap.add_argument("--ptc", type=Path, required=True)
    ap.add_argument("--data", type=Path, default=ROOT / "data" / "ptc-framing")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    parts = {p: gold_documents(args.ptc, args.data / "labels.tsv", args.data / "articles.txt", part=p)
             for p in ("dev", "test")}
    det = Detector.load(args.run)
    scores = {p: score_documents(det, docs, desc=p) for p, docs in parts.items()}
    own_ratio = det.decode_settings.continue_ratio
    rows, chosen_pred, folder_pred = {}, {d.id: [] for d in parts["test"]}, {d.id: [] for d in parts["test"]}
    for label in DEVICES:
        grid = grid_scores(det, parts, scores, label)
        best_dev = best_on_dev(grid, own_ratio)
        ceiling = max(grid, key=lambda k: grid[k][1])
        own_thr = det.decode_settings.threshold_for(label)
        own = decode_all(det, parts["test"], scores["test"], label, own_thr, own_ratio)
        pick = decode_all(det, parts["test"], scores["test"], label, *best_dev)
        for k in own:
            folder_pred[k] += own[k]
            chosen_pred[k] += pick[k]
        rows[label] = {"folder": [own_thr, own_ratio, f1(parts["test"], own, label)],
                       "dev_chosen": [*best_dev, grid[best_dev][0], grid[best_dev][1]],
                       "ceiling": [*ceiling, grid[ceiling][1]]}
    rows["micro"] = {"folder": labeled_scores(parts["test"], folder_pred, labels=DEVICES)["f1"],
                     "dev_chosen": labeled_scores(parts["test"], chosen_pred, labels=DEVICES)["f1"]}
    print("| device | folder thr / ratio -> test F1 | dev-chosen thr / ratio (dev F1) -> test F1 | test ceiling |")
    print("|---|---|---|---|")
    for label in DEVICES:
        r = rows[label]
        print(f"| {label} | {r['folder'][0]} / {r['folder'][1]} -> {r['folder'][2]:.3f} | {r['dev_chosen'][0]} / "
              f"{r['dev_chosen'][1]} ({r['dev_chosen'][2]:.3f}) -> {r['dev_chosen'][3]:.3f} | "
              f"{r['ceiling'][0]} / {r['ceiling'][1]} -> {r['ceiling'][2]:.3f} |")
    print(f"| micro | {rows['micro']['folder']:.3f} | {rows['micro']['dev_chosen']:.3f} | |")
    rows["scare_quotes as token runs"] = token_runs(det, parts, scores, own_ratio)
    print("\n| scare quotes as token runs | dev-chosen thr / ratio (dev F1) -> test F1 | test ceiling |")
    print("|---|---|---|")
    r = rows["scare_quotes as token runs"]
    print(f"| token runs | {r[0]} / {r[1]} ({r[2]:.3f}) -> {r[3]:.3f} | {r[4]:.3f} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
