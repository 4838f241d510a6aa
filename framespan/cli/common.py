"""Arguments several commands share, and reading the gold documents of evaluate and compare."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import FramespanError
from ..labels import LabelSchema
from ..spans import Document


def add_device_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--device", default="auto",
                   help="torch backend: auto (the GPU when torch sees one, else the CPU), cpu, cuda, cuda:N "
                        "or mps (default auto)")


def add_runtime_args(p: argparse.ArgumentParser) -> None:
    """--device and --precision, for the commands that run a model."""
    add_device_arg(p)
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16"],
                   help="torch backend: bf16 autocast is about 2.5x faster for base-size encoders on CPUs "
                        "with AVX512-BF16 or AMX, and slower on CPUs without them (default fp32)")


def add_backend_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--backend", default="auto", choices=["auto", "torch", "onnx"],
                   help="auto: the folder's ONNX model when it has one, else torch")


def add_data_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("data (one of)")
    g.add_argument("--data", help="labelled corpus file (JSONL, Label Studio, doccano, markup)")
    g.add_argument("--articles", help="PTC articles folder (with --labels)")
    g.add_argument("--labels", help="PTC labels folder or file")
    g.add_argument("--split", choices=["dev", "test"], help="the run's own held-out split of its training corpus")
    g.add_argument("--data-schema", help="label schema the data is annotated in (mapped onto the run's)")
    g.add_argument("--lenient", action="store_true")


def parse_weights(text: str | None, flag: str) -> list[float] | None:
    """Numbers in [0, 1] separated by commas, or None."""
    if not text:
        return None
    try:
        weights = [float(w) for w in text.split(",")]
    except ValueError:
        raise FramespanError(f"{flag}: expected numbers separated by commas, got {text!r}") from None
    if any(not 0 <= w <= 1 for w in weights):
        raise FramespanError(f"{flag}: each weight must be between 0 and 1, got {text}")
    return weights


def load_eval_docs(args: argparse.Namespace, run: Path, schema: LabelSchema) -> list[Document]:
    """Gold documents for evaluate/compare, in the run's label schema."""
    from ..config import CorpusSpec
    from ..corpora.common import SkipReport
    from ..data import load_spec
    from ..rundir import RunDir

    chosen = [x for x in (args.data, args.articles, args.split) if x]
    if len(chosen) != 1:
        raise FramespanError("give exactly one of --data, --articles (with --labels) or --split")
    report = SkipReport()
    if args.split:
        docs = RunDir(run).split(args.split, schema, report)
    elif args.data:
        docs = load_spec(CorpusSpec(path=args.data, schema=args.data_schema), schema, args.lenient, report)
    else:
        if not args.labels:
            raise FramespanError("--articles needs --labels")
        docs = load_spec(CorpusSpec(path=args.articles, labels=args.labels, format="ptc",
                                    schema=args.data_schema or "ptc14"), schema, args.lenient, report)
    if len(report):
        print(report.summary(), file=sys.stderr)
    return docs
