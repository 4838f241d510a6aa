"""``framespan lexicon RUN``: fit a finished run's lexicon on its own training documents."""

from __future__ import annotations

import argparse
import json

from ..errors import RunError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lexicon", help="fit a finished run's lexicon (TC) on its own training documents")
    p.add_argument("run", help="run folder (not an ensemble: fit its members, then build it again)")
    p.add_argument("--weight", type=float, help="decoding.lexicon_weight to store (default: the run's config)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..refit import refit_run_lexicon

    if args.weight is not None and not 0 <= args.weight <= 1:
        raise RunError(f"--weight must be between 0 and 1, got {args.weight}")
    print(json.dumps(refit_run_lexicon(args.run, args.weight), indent=2))
    return 0
