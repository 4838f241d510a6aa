"""``framespan predict RUN``: find devices in new text, from arguments, files, folders, JSONL or stdin."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any, TextIO

from ..errors import FramespanError
from ..spans import Span
from .common import add_backend_arg, add_runtime_args

Result = tuple[str, str, list[Span]]


def register(sub: argparse._SubParsersAction) -> None:
    pr = sub.add_parser("predict", help="find devices in new text")
    pr.add_argument("run", help="run or model folder")
    pr.add_argument("text", nargs="?",
                    help="text to score, or a .txt file ('-' or nothing with piped input reads stdin)")
    pr.add_argument("--file", "-f", action="append", default=[],
                    help=".txt file, folder of .txt files, or JSONL with a 'text' field (repeatable)")
    pr.add_argument("--format", default="json", choices=["json", "jsonl", "tsv", "html"])
    pr.add_argument("--out", "-o", help="write here (atomically) instead of stdout")
    pr.add_argument("--batch-size", type=int, default=32)
    pr.add_argument("--threshold", type=float, help="one decode threshold for every label, for this call "
                    "(default: the model folder's tuned thresholds)")
    add_backend_arg(pr)
    add_runtime_args(pr)
    pr.add_argument("--quiet", action="store_true")
    pr.set_defaults(func=run)


def read_inputs(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    """(id, text) pairs from the positional text, files, folders, JSONL, or stdin, read lazily."""
    if args.text and args.text != "-":
        yield _positional(args.text)
    for f in args.file:
        path = Path(f)
        if path.is_dir():
            yield from (_txt_input(p) for p in sorted(path.glob("*.txt")))
        elif path.suffix == ".jsonl":
            yield from _jsonl_inputs(path)
        elif path.is_file():
            yield _txt_input(path)
        else:
            raise FramespanError(f"input not found: {path}")
    if args.text == "-" or (not args.text and not args.file):
        if sys.stdin.isatty():
            raise FramespanError("no input: give TEXT, --file, or pipe text on stdin")
        yield "stdin", sys.stdin.read()


def _positional(text: str) -> tuple[str, str]:
    """The positional TEXT, or the file it names: a path given as TEXT means its contents, not the
    path's own few words."""
    path = Path(text)
    if "\n" not in text and len(text) < 4096 and path.suffix == ".txt" and path.is_file():
        print(f"framespan: reading TEXT as the file {path}", file=sys.stderr)
        return _txt_input(path)
    return "text", text


def _txt_input(path: Path) -> tuple[str, str]:
    """(the file's stem, its text) for a UTF-8 text file."""
    from ..corpora.common import decode_utf8, read_bytes

    return path.stem, decode_utf8(read_bytes(path), path)[0]


def _jsonl_inputs(path: Path) -> Iterator[tuple[str, str]]:
    with open(path, encoding="utf-8") as fh:
        for no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                text = rec["text"]
            except (ValueError, KeyError, TypeError):
                raise FramespanError(f"{path}:{no}: expected a JSON object with a 'text' field") from None
            if not isinstance(text, str):
                raise FramespanError(f"{path}:{no}: 'text' must be a string")
            yield str(rec.get("id", f"{path.stem}:{no}")), text


def results(det: Any, inputs: Iterator[tuple[str, str]], batch_size: int, quiet: bool,
            overrides: dict[str, Any]) -> Iterator[Result]:
    """(id, text, spans) per input, streamed: a text is held only until its spans are out."""
    from tqdm.auto import tqdm

    pending: list[tuple[str, str]] = []

    def texts() -> Iterator[str]:
        for doc_id, text in inputs:
            pending.append((doc_id, text))
            yield text

    spans_iter = det.predict_many(texts(), batch_size, **overrides)
    for spans in tqdm(spans_iter, desc="predict", unit="doc", disable=quiet, file=sys.stderr):
        doc_id, text = pending.pop(0)
        yield doc_id, text, spans


def write_json(out: TextIO, items: Iterator[Result]) -> None:
    """One object for a single positional text, else a list written element by element, so a large
    input never sits in memory as one list."""
    rows = ({"id": i, "spans": [s.to_dict(t) for s in sp]} for i, t, sp in items)
    first, second = next(rows, None), next(rows, None)
    if first is not None and second is None and first["id"] == "text":
        out.write(json.dumps(first, indent=2, ensure_ascii=False) + "\n")
        return
    out.write("[")
    for n, item in enumerate(x for x in (first, second) if x is not None):
        out.write(("," if n else "") + "\n" + json.dumps(item, ensure_ascii=False))
    for item in rows:
        out.write(",\n" + json.dumps(item, ensure_ascii=False))
    out.write("\n]\n")


def write_tsv(out: TextIO, items: Iterator[Result]) -> None:
    out.write("id\tstart\tend\tlabel\tscore\ttext\n")
    for i, t, sp in items:
        for s in sp:
            covered = t[s.start:s.end].replace("\t", " ").replace("\n", " ")
            out.write(f"{i}\t{s.start}\t{s.end}\t{s.label}\t{s.score:.4f}\t{covered}\n")


def run(args: argparse.Namespace) -> int:
    from ..atomic import atomic_text
    from ..detector import Detector

    det = Detector.load(args.run, backend=args.backend, device=args.device, precision=args.precision)
    # One threshold for every label (per-label ones set aside) and for the any-device column.
    overrides = {"threshold": args.threshold, "any_device_threshold": args.threshold} \
        if args.threshold is not None else {}
    items = results(det, read_inputs(args), args.batch_size, args.quiet, overrides)
    with atomic_text(args.out) if args.out else nullcontext(sys.stdout) as out:
        if args.format == "html":
            from ..render import render_documents

            out.write(render_documents(list(items), det.schema.colors()))
        elif args.format == "json":
            write_json(out, items)
        elif args.format == "jsonl":
            for i, t, sp in items:
                out.write(json.dumps({"id": i, "spans": [s.to_dict(t) for s in sp]}, ensure_ascii=False) + "\n")
        else:
            write_tsv(out, items)
    return 0
