"""The ``framespan`` command line: train, evaluate, predict, export-semeval, convert (and plug-ins)."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from .errors import FramespanError

# Modules that add their own subcommands through ``add_cli(subparsers)``.
PLUGINS = ("framespan.export", "framespan.compare", "framespan.ensemble", "framespan.lexicon")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except FramespanError as e:
        print(f"framespan: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("framespan: interrupted", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="framespan", description="Find framing and propaganda devices as spans.")
    sub = p.add_subparsers(dest="command")

    t = sub.add_parser("train", help="train a model from a YAML config")
    t.add_argument("config", help="YAML config (see configs/)")
    t.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config key, e.g. --set training.epochs=5 (repeatable)")
    t.add_argument("--output", "-o", help="run folder (default runs/<config name>)")
    t.add_argument("--resume", action="store_true", help="continue an interrupted run from its last checkpoint")
    t.add_argument("--overwrite", action="store_true", help="replace a finished or partial run in --output")
    t.add_argument("--quiet", action="store_true", help="no progress bars")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("evaluate", help="score a run on labelled data")
    e.add_argument("run", help="run or model folder")
    _add_data_args(e)
    e.add_argument("--json", dest="json_out", help="write the full report as JSON here")
    e.add_argument("--markdown", help="write the report as Markdown here")
    e.add_argument("--backend", default="auto", choices=["auto", "torch", "onnx"])
    add_runtime_args(e)
    e.add_argument("--no-tc", action="store_true", help="skip technique classification of gold spans")
    e.add_argument("--quiet", action="store_true")
    e.set_defaults(func=cmd_evaluate)

    tu = sub.add_parser("tune", help="tune a trained run's decision thresholds again on its dev split")
    tu.add_argument("run", help="run folder (it names its corpus and dev split)")
    tu.add_argument("--label-weights", metavar="W,W,...",
                    help="detect strategy: label weights to try with the threshold, e.g. 0,0.2,0.35,0.5 "
                         "(default: the model's own candidates, decoding.detect_label_weights)")
    add_device_arg(tu)
    tu.add_argument("--quiet", action="store_true")
    tu.set_defaults(func=cmd_tune)

    pr = sub.add_parser("predict", help="find devices in new text")
    pr.add_argument("run", help="run or model folder")
    pr.add_argument("text", nargs="?", help="text to score ('-' or nothing with piped input reads stdin)")
    pr.add_argument("--file", "-f", action="append", default=[],
                    help=".txt file, folder of .txt files, or JSONL with a 'text' field (repeatable)")
    pr.add_argument("--format", default="json", choices=["json", "jsonl", "tsv", "html"])
    pr.add_argument("--out", "-o", help="write here (atomically) instead of stdout")
    pr.add_argument("--batch-size", type=int, default=32)
    pr.add_argument("--backend", default="auto", choices=["auto", "torch", "onnx"])
    add_runtime_args(pr)
    pr.add_argument("--quiet", action="store_true")
    pr.set_defaults(func=cmd_predict)

    s = sub.add_parser("export-semeval", help="write SemEval-2020 Task 11 SI/TC submission files")
    s.add_argument("run")
    s.add_argument("--articles", required=True, help="folder of articleID.txt files")
    s.add_argument("--tc-spans", help="SI/TC labels file or folder giving the spans to classify (TC)")
    s.add_argument("--si-out", help="SI submission file to write")
    s.add_argument("--tc-out", help="TC submission file to write (needs --tc-spans)")
    s.add_argument("--ids", help="file with article ids to include, one a line (default all)")
    add_runtime_args(s)
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=cmd_export_semeval)

    c = sub.add_parser("convert", help="convert a corpus between formats")
    c.add_argument("source")
    c.add_argument("target")
    c.add_argument("--from", dest="src_format", default="auto")
    c.add_argument("--to", dest="dst_format", default="jsonl",
                   choices=["jsonl", "labelstudio", "doccano", "ptc"])
    c.add_argument("--labels", help="PTC labels folder/file when reading PTC")
    c.add_argument("--schema", help="label schema to validate against")
    c.add_argument("--lenient", action="store_true", help="skip bad records, writing a report")
    c.set_defaults(func=cmd_convert)

    for name in PLUGINS:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        module.add_cli(sub)
    return p


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


def _add_data_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("data (one of)")
    g.add_argument("--data", help="labelled corpus file (JSONL, Label Studio, doccano, markup)")
    g.add_argument("--articles", help="PTC articles folder (with --labels)")
    g.add_argument("--labels", help="PTC labels folder or file")
    g.add_argument("--split", choices=["dev", "test"], help="the run's own held-out split of its training corpus")
    g.add_argument("--data-schema", help="label schema the data is annotated in (mapped onto the run's)")
    g.add_argument("--lenient", action="store_true")


def load_eval_docs(args: argparse.Namespace, run: Path, schema: Any) -> list[Any]:
    """Gold documents for evaluate/compare, in the run's label schema."""
    from .config import CorpusSpec
    from .corpora.io import SkipReport
    from .data import load_spec

    chosen = [x for x in (args.data, args.articles, args.split) if x]
    if len(chosen) != 1:
        raise FramespanError("give exactly one of --data, --articles (with --labels) or --split")
    report = SkipReport()
    if args.split:
        from .training import load_run_split

        docs = load_run_split(run, args.split, schema, report)
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


# -- commands ------------------------------------------------------------------------------------
def cmd_train(args: argparse.Namespace) -> int:
    from .training import is_main_process, train

    output = Path(args.output or Path("runs") / Path(args.config).stem)
    run = train(args.config, output, args.overrides, resume=args.resume, overwrite=args.overwrite,
                progress=not args.quiet)
    if not is_main_process():
        return 0  # under torchrun the first process scores the run and reports
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    for split, head in metrics.get("headline", {}).items():
        print(f"{split}: " + "  ".join(f"{k}={v:.3f}" for k, v in head.items()))
    print(f"run saved to {run}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluation import evaluate_detector
    from .inference import Detector
    from .metrics import report_markdown
    from .runs import atomic_write_json, atomic_write_text

    det = Detector.load(args.run, backend=args.backend, device=args.device, precision=args.precision)
    docs = load_eval_docs(args, Path(args.run), det.schema)
    report = evaluate_detector(det, docs, progress=not args.quiet, with_tc=not args.no_tc)
    md = report_markdown(report)
    if args.json_out:
        atomic_write_json(args.json_out, report)
    if args.markdown:
        atomic_write_text(args.markdown, md + "\n")
    print(md)
    return 0


def cmd_tune(args: argparse.Namespace) -> int:
    from .training import retune_run

    weights = None
    if args.label_weights:
        try:
            weights = [float(w) for w in args.label_weights.split(",")]
        except ValueError:
            raise FramespanError(f"--label-weights: expected numbers separated by commas, got "
                                 f"{args.label_weights!r}") from None
        if any(not 0 <= w <= 1 for w in weights):
            raise FramespanError(f"--label-weights: each weight must be between 0 and 1, got {args.label_weights}")
    record = retune_run(args.run, weights, progress=not args.quiet, device=args.device)
    print(json.dumps(record, indent=2))
    print(f"{args.run}: metrics.json still holds the figures of the old settings; "
          f"`framespan evaluate {args.run} --split test` scores the new ones", file=sys.stderr)
    return 0


def _iter_inputs(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    """(id, text) pairs from the positional text, files, folders, JSONL, or stdin, read lazily."""
    from .corpora.io import decode_utf8, read_bytes

    if args.text and args.text != "-":
        yield "text", args.text
    for f in args.file:
        path = Path(f)
        if path.is_dir():
            for p in sorted(path.glob("*.txt")):
                yield p.stem, decode_utf8(read_bytes(p), p)[0]
        elif path.suffix == ".jsonl":
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
        elif path.is_file():
            yield path.stem, decode_utf8(read_bytes(path), path)[0]
        else:
            raise FramespanError(f"input not found: {path}")
    if args.text == "-" or (not args.text and not args.file):
        if sys.stdin.isatty():
            raise FramespanError("no input: give TEXT, --file, or pipe text on stdin")
        yield "stdin", sys.stdin.read()


def cmd_predict(args: argparse.Namespace) -> int:
    from tqdm.auto import tqdm

    from .inference import Detector

    det = Detector.load(args.run, backend=args.backend, device=args.device, precision=args.precision)
    inputs = _iter_inputs(args)
    ids: list[str] = []

    def texts() -> Iterator[str]:
        for doc_id, text in inputs:
            ids.append(doc_id)
            yield text

    keep: list[tuple[str, str, list[Any]]] = []
    kept_texts: list[str] = []

    def results() -> Iterator[tuple[str, str, list[Any]]]:
        gen = texts()
        buffered = _Tee(gen, kept_texts)
        for i, spans in enumerate(tqdm(det.predict_many(buffered, args.batch_size), desc="predict",
                                       unit="doc", disable=args.quiet, file=sys.stderr)):
            text = kept_texts[i]
            kept_texts[i] = ""  # release the text once written: memory stays bounded
            yield ids[i], text, spans

    with _output(args.out) as out:
        if args.format == "html":
            from .render import render_documents

            keep = list(results())
            out.write(render_documents(keep, det.schema.colors()))
        elif args.format == "json":
            # Written element by element, so a large input never sits in memory as one list.
            items = ({"id": i, "spans": [s.to_dict(t) for s in sp]} for i, t, sp in results())
            first = next(items, None)
            second = next(items, None)
            if first is not None and second is None and first["id"] == "text":
                out.write(json.dumps(first, indent=2, ensure_ascii=False) + "\n")
            else:
                out.write("[")
                for n, item in enumerate(x for x in (first, second) if x is not None):
                    out.write(("," if n else "") + "\n" + json.dumps(item, ensure_ascii=False))
                for item in items:
                    out.write(",\n" + json.dumps(item, ensure_ascii=False))
                out.write("\n]\n")
        elif args.format == "jsonl":
            for i, t, sp in results():
                out.write(json.dumps({"id": i, "spans": [s.to_dict(t) for s in sp]}, ensure_ascii=False) + "\n")
        else:
            out.write("id\tstart\tend\tlabel\tscore\ttext\n")
            for i, t, sp in results():
                for s in sp:
                    covered = t[s.start:s.end].replace("\t", " ").replace("\n", " ")
                    out.write(f"{i}\t{s.start}\t{s.end}\t{s.label}\t{s.score:.4f}\t{covered}\n")
    return 0


class _Tee:
    """Iterates texts while remembering them by position, for writing results next to inputs."""

    def __init__(self, source: Iterator[str], store: list[str]) -> None:
        self.source, self.store = source, store

    def __iter__(self) -> Iterator[str]:
        for t in self.source:
            self.store.append(t)
            yield t


class _output:
    """stdout, or a file written to a temp name and renamed into place when complete."""

    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None
        self.tmp: Path | None = None
        self.fh: TextIO | None = None

    def __enter__(self) -> TextIO:
        if self.path is None:
            return sys.stdout
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = self.path.with_name(f".{self.path.name}.tmp{os.getpid()}")
        self.fh = open(self.tmp, "w", encoding="utf-8")
        return self.fh

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if self.fh is None or self.tmp is None or self.path is None:
            return
        self.fh.close()
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)


def cmd_export_semeval(args: argparse.Namespace) -> int:
    from .semeval import export_semeval

    if not args.si_out and not args.tc_out:
        raise FramespanError("give --si-out and/or --tc-out")
    if args.tc_out and not args.tc_spans:
        raise FramespanError("--tc-out needs --tc-spans (the spans whose techniques are asked for)")
    counts = export_semeval(args.run, args.articles, si_out=args.si_out, tc_out=args.tc_out,
                            tc_spans=args.tc_spans, ids_file=args.ids, progress=not args.quiet,
                            precision=args.precision, device=args.device)
    print(json.dumps(counts))
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    from .corpora.io import SkipReport, read_corpus, write_corpus

    report = SkipReport()
    docs = read_corpus(args.source, format=args.src_format, labels=args.labels, schema=args.schema,
                       lenient=args.lenient, report=report)
    write_corpus(docs, args.target, args.dst_format)
    if len(report):
        report.write(Path(args.target).with_suffix(".skipped.jsonl"))
        print(report.summary(), file=sys.stderr)
    print(f"{len(docs)} documents, {sum(len(d.spans) for d in docs)} spans -> {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
