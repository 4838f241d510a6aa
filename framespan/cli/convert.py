"""``framespan convert SOURCE TARGET``: a corpus from one format to another."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("convert", help="convert a corpus between formats")
    c.add_argument("source")
    c.add_argument("target")
    c.add_argument("--from", dest="src_format", default="auto")
    c.add_argument("--to", dest="dst_format", default="jsonl", choices=["jsonl", "labelstudio", "doccano", "ptc"])
    c.add_argument("--labels", help="PTC labels folder/file when reading PTC")
    c.add_argument("--schema", help="label schema to validate against")
    c.add_argument("--lenient", action="store_true", help="skip bad records, writing a report")
    c.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..corpora.common import SkipReport
    from ..corpora.formats import read_corpus, write_corpus

    report = SkipReport()
    docs = read_corpus(args.source, format=args.src_format, labels=args.labels, schema=args.schema,
                       lenient=args.lenient, report=report)
    write_corpus(docs, args.target, args.dst_format)
    if len(report):
        report.write(Path(args.target).with_suffix(".skipped.jsonl"))
        print(report.summary(), file=sys.stderr)
    print(f"{len(docs)} documents, {sum(len(d.spans) for d in docs)} spans -> {args.target}")
    return 0
