"""``framespan ensemble RUN RUN ... --out DIR``: average several runs of one recipe."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ensemble", help="average several runs of one recipe (seed ensemble)")
    p.add_argument("runs", nargs="+", help="run folders (two or more), trained on the same split")
    p.add_argument("--out", required=True, help="new folder for the ensemble (run-like: evaluate --split works)")
    p.add_argument("--no-tune", action="store_true", help="keep the first run's thresholds")
    p.add_argument("--overwrite", action="store_true")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..ensemble import build_ensemble

    summary = build_ensemble(args.runs, args.out, tune=not args.no_tune, overwrite=args.overwrite,
                             progress=not args.quiet)
    print(json.dumps(summary, indent=2))
    return 0
