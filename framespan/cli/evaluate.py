"""``framespan evaluate RUN``: score a run on labelled data."""

from __future__ import annotations

import argparse
from pathlib import Path

from .common import add_backend_arg, add_data_args, add_runtime_args, load_eval_docs


def register(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("evaluate", help="score a run on labelled data")
    e.add_argument("run", help="run or model folder")
    add_data_args(e)
    e.add_argument("--json", dest="json_out", help="write the full report as JSON here")
    e.add_argument("--markdown", help="write the report as Markdown here")
    add_backend_arg(e)
    add_runtime_args(e)
    e.add_argument("--no-tc", action="store_true", help="skip technique classification of gold spans")
    e.add_argument("--focus", metavar="LABEL,...",
                   help="also score the labelled micro over these labels (default: the focus labels the "
                        "model's thresholds were tuned for, if any)")
    e.add_argument("--quiet", action="store_true")
    e.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..atomic import atomic_write_json, atomic_write_text
    from ..detector import Detector
    from ..errors import RunError
    from ..evaluation import evaluate_detector
    from ..metrics import report_markdown

    det = Detector.load(args.run, backend=args.backend, device=args.device, precision=args.precision)
    docs = load_eval_docs(args, Path(args.run), det.schema)
    focus = [x.strip() for x in args.focus.split(",") if x.strip()] if args.focus else det.settings.focus_labels
    unknown = det.schema.unknown(focus)
    if unknown:
        raise RunError(f"--focus: {unknown} are not labels of this model ({', '.join(det.schema.names)})")
    report = evaluate_detector(det, docs, progress=not args.quiet, with_tc=not args.no_tc, focus=focus)
    md = report_markdown(report)
    if args.json_out:
        atomic_write_json(args.json_out, report)
    if args.markdown:
        atomic_write_text(args.markdown, md + "\n")
    print(md)
    return 0
