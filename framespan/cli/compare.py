"""``framespan compare RUN RUN ...``: score runs on the same gold documents side by side."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from ..errors import FramespanError
from ..labels import LabelSchema, load_schema
from ..spans import Document, Span
from .common import add_backend_arg, add_data_args, add_runtime_args, load_eval_docs


def load_gold(args: argparse.Namespace, run: Any) -> tuple[list[Document], str, list[dict[str, str]]]:
    """Gold documents in the first run's schema, the data's description, and gold labels left out.

    Data annotated in another schema (``--data-schema``, or ptc14 for ``--articles``) is read in that
    schema and mapped leniently, so labels without a counterpart are reported instead of failing.
    """
    target = run.schema
    source_name = None if args.split else (args.data_schema or ("ptc14" if args.articles else None))
    source = load_schema(source_name) if source_name else target
    docs = load_eval_docs(args, run.path, source)
    left_out: list[dict[str, str]] = []
    if source.name != target.name:
        from ..compare import label_bridge

        bridge = label_bridge(source, target)
        seen = Counter(s.label for d in docs for s in d.spans)
        for name in source.names:
            if name not in bridge:
                left_out.append({"label": name, "schema": source.name,
                                 "reason": f"gold label ({seen[name]} spans) with no counterpart in schema "
                                           f"{target.name}"})
        docs = _map_gold(docs, source, target, bridge)
    if args.split:
        desc = f"the {args.split} split of run {run.name}"
    elif args.data:
        desc = str(args.data)
    else:
        desc = f"{args.articles} with {args.labels}"
    return docs, desc, left_out


def _map_gold(docs: list[Document], source: LabelSchema, target: LabelSchema,
              bridge: dict[str, str]) -> list[Document]:
    # Like labels.map_documents(strict=False), but through the two-way bridge.
    covered = frozenset(bridge.values())
    out = []
    for d in docs:
        spans = [Span(s.start, s.end, bridge[s.label], s.score) for s in d.spans if s.label in bridge]
        annotated = covered if d.annotated_labels is None else \
            frozenset(bridge[n] for n in d.annotated_labels if n in bridge)
        out.append(Document(d.id, d.text, spans, annotated, dict(d.meta)))
    return out


def register(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("compare", help="compare two or more runs on the same labelled data",
                       description="Score runs on the same gold documents: metrics side by side, per-label "
                                   "F1, paired bootstrap CIs, charts and an HTML page of disagreements.")
    c.add_argument("runs", nargs="+", metavar="RUN", help="run or model folders (the first is the reference)")
    add_data_args(c)
    c.add_argument("--out", "-o", help="folder for compare.md/.json, PNG charts and HTML "
                                       "(default comparisons/<A>_vs_<B>)")
    c.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples (default 1000)")
    c.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    c.add_argument("--html-docs", type=int, default=10,
                   help="documents on the disagreement page (default 10)")
    c.add_argument("--batch-size", type=int, default=32)
    add_backend_arg(c)
    add_runtime_args(c)
    c.add_argument("--no-tc", action="store_true", help="skip technique classification of gold spans")
    c.add_argument("--quiet", action="store_true", help="no progress bars")
    c.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from ..compare import compare_runs, load_run
    from ..compare_report import comparison_markdown, write_outputs

    if len(args.runs) < 2:
        raise FramespanError("compare needs at least two runs")
    if args.resamples < 1:
        raise FramespanError("--resamples must be at least 1")
    from ..compare import default_name, unique_names

    names = unique_names([default_name(Path(p)) for p in args.runs])
    bar = tqdm(args.runs, desc="load runs", disable=args.quiet, file=sys.stderr)
    runs = [load_run(p, backend=args.backend, name=n, precision=args.precision, device=args.device)
            for p, n in zip(bar, names, strict=True)]
    docs, desc, gold_left_out = load_gold(args, runs[0])
    comparison = compare_runs(runs, docs, n_resamples=args.resamples, seed=args.seed,
                              batch_size=args.batch_size, with_tc=not args.no_tc, top_docs=args.html_docs,
                              progress=not args.quiet,
                              data_description=desc, extra_left_out=gold_left_out)
    default = Path("comparisons") / "_vs_".join(n.replace("#", "-") for n in names)
    out = Path(args.out) if args.out else default
    paths = write_outputs(comparison, out)
    print(comparison_markdown(comparison.report))
    print(f"wrote {', '.join(str(p) for p in paths.values())}", file=sys.stderr)
    return 0
