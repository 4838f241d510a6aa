"""Markdown tables for docs/benchmarks.md from finished run (or ensemble) folders' metrics.

    python benchmarks/ptc_table.py "ptc.yaml seed 13=runs/a" "ensemble=runs/ens" [--split test]

A folder's report is SPLIT.json when it has one, written by `framespan evaluate RUN --split test
--json RUN/test.json` (ensembles, runs given a lexicon later), else its metrics.json; an ensemble's
train minutes are its members'.

Prints the summary table (train minutes, SI P/R/F1, TC micro-F1, labelled and exact F1) and the
per-technique table (labelled-span F1 and TC F1 of each run), so figures are copied from the runs'
own files rather than typed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def _train_minutes(run: Path) -> float | None:
    status = run / "run.json"
    if not status.is_file():
        return None
    seconds = json.loads(status.read_text(encoding="utf-8")).get("train_seconds_this_session")
    return None if seconds is None else seconds / 60


def _load(folder: Path, split: str) -> tuple[dict[str, Any], float | None]:
    metrics_file = folder / "metrics.json"
    evaluated = folder / f"{split}.json"
    # A later `framespan evaluate --json` (after `framespan lexicon`, say) wins over training's report.
    if metrics_file.is_file() and not evaluated.is_file():
        metrics = json.loads(metrics_file.read_text(encoding="utf-8"))
        if split not in metrics:
            sys.exit(f"{metrics_file} has no {split!r} report")
        return metrics[split], _train_minutes(folder)
    if not evaluated.is_file():
        sys.exit(f"{folder}: neither metrics.json nor {split}.json (unfinished run, or evaluate not run?)")
    minutes = _train_minutes(folder)
    ensemble = folder / "ensemble-run.json"
    if ensemble.is_file():
        members = [_train_minutes(Path(m).parent) for m in json.loads(ensemble.read_text())["members"]]
        minutes = None if None in members else sum(members)
    return json.loads(evaluated.read_text(encoding="utf-8")), minutes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", help="NAME=RUN_FOLDER")
    ap.add_argument("--split", default="test", help="metrics.json report to read (default: test)")
    args = ap.parse_args(argv)
    rows = []
    for item in args.runs:
        name, _, path = item.rpartition("=")
        rows.append((name or path, *_load(Path(path), args.split)))

    print("| recipe | train min | SI P | SI R | SI F1 | TC micro-F1 | labeled-span F1 | exact F1 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, rep, minutes in rows:
        tc = rep.get("tc", {}).get("f1")
        print(f"| {name} | {'n/a' if minutes is None else f'{minutes:.1f}'} | {rep['si']['precision']:.3f} "
              f"| {rep['si']['recall']:.3f} | {rep['si']['f1']:.3f} | {'n/a' if tc is None else f'{tc:.3f}'} "
              f"| {rep['labeled']['f1']:.3f} | {rep['exact']['f1']:.3f} |")

    labels = list(dict.fromkeys(lab for _, rep, _ in rows for lab in rep["per_label"]))
    print()
    print("| technique | gold spans | " + " | ".join(f"{name} labeled / TC F1" for name, _, _ in rows) + " |")
    print("|---|---:|" + "---:|" * len(rows))
    for label in labels:
        gold = rows[0][1]["per_label"].get(label, {}).get("support_gold", 0)
        cells = []
        for _, rep, _ in rows:
            lab = rep["per_label"].get(label, {}).get("f1", 0.0)
            tc = rep.get("tc", {}).get("per_label", {}).get(label, {}).get("f1")
            cells.append(f"{lab:.3f} / {'n/a' if tc is None else f'{tc:.3f}'}")
        print(f"| {label} | {gold} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
