"""``framespan train CONFIG``: train a model into a run folder."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("train", help="train a model from a YAML config")
    t.add_argument("config", help="YAML config (see configs/)")
    t.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config key, e.g. --set training.epochs=5 (repeatable)")
    t.add_argument("--output", "-o", help="run folder (default runs/<config name>)")
    t.add_argument("--resume", action="store_true", help="continue an interrupted run from its last checkpoint")
    t.add_argument("--overwrite", action="store_true", help="replace a finished or partial run in --output")
    t.add_argument("--quiet", action="store_true", help="no progress bars")
    t.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..layout import METRICS
    from ..training import is_main_process, train

    output = Path(args.output or Path("runs") / Path(args.config).stem)
    folder = train(args.config, output, args.overrides, resume=args.resume, overwrite=args.overwrite,
                   progress=not args.quiet)
    if not is_main_process():
        return 0  # under torchrun the first process scores the run and reports
    metrics = json.loads((folder / METRICS).read_text(encoding="utf-8"))
    for split, head in metrics.get("headline", {}).items():
        print(f"{split}: " + "  ".join(f"{k}={v:.3f}" for k, v in head.items()))
    print(f"run saved to {folder}")
    return 0
