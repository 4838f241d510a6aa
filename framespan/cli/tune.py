"""``framespan tune RUN``: choose a finished run's decode thresholds again on its dev split."""

from __future__ import annotations

import argparse
import json
import sys

from .common import add_device_arg, parse_weights


def register(sub: argparse._SubParsersAction) -> None:
    tu = sub.add_parser("tune", help="tune a trained run's decision thresholds again on its dev split")
    tu.add_argument("run", help="run folder (it names its corpus and dev split)")
    tu.add_argument("--label-weights", metavar="W,W,...",
                    help="any_device strategy: label-column weights to try with the threshold, e.g. "
                         "0,0.2,0.35,0.5 (default: the model's own weight)")
    add_device_arg(tu)
    tu.add_argument("--quiet", action="store_true")
    tu.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..tuning import retune_run

    weights = parse_weights(args.label_weights, "--label-weights")
    record = retune_run(args.run, weights, progress=not args.quiet, device=args.device)
    print(json.dumps(record, indent=2))
    print(f"{args.run}: the model folder's decode.json records the new thresholds; metrics.json still holds "
          f"the figures of the old ones (`framespan evaluate {args.run} --split test` scores the new)",
          file=sys.stderr)
    return 0
