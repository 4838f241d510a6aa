"""``framespan export-semeval RUN``: SemEval-2020 Task 11 submission files (SI spans, TC techniques)."""

from __future__ import annotations

import argparse
import json

from ..errors import FramespanError
from .common import add_runtime_args


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("export-semeval", help="write SemEval-2020 Task 11 SI/TC submission files")
    s.add_argument("run")
    s.add_argument("--articles", required=True, help="folder of articleID.txt files")
    s.add_argument("--tc-spans", help="the task's TC template (ID ? START END, a span once per technique), "
                                      "or an SI/TC labels file or folder: the spans to classify")
    s.add_argument("--si-out", help="SI submission file to write")
    s.add_argument("--tc-out", help="TC submission file to write (needs --tc-spans)")
    s.add_argument("--ids", help="file with article ids to include, one a line (default all)")
    add_runtime_args(s)
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..semeval import export_semeval

    if not args.si_out and not args.tc_out:
        raise FramespanError("give --si-out and/or --tc-out")
    if args.tc_out and not args.tc_spans:
        raise FramespanError("--tc-out needs --tc-spans (the spans whose techniques are asked for)")
    counts = export_semeval(args.run, args.articles, si_out=args.si_out, tc_out=args.tc_out,
                            tc_spans=args.tc_spans, ids_file=args.ids, progress=not args.quiet,
                            precision=args.precision, device=args.device)
    print(json.dumps(counts))
    return 0
