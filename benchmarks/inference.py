"""Inference benchmark: HF pipeline vs framespan torch (fp32, bf16) vs ONNX fp32 vs ONNX int8 on the
same texts.

Usage:
    python benchmarks/inference.py --run RUN_DIR --articles PTC/train-articles \
        --labels PTC/train-labels-task2-technique-classification [--limit 40] [--threads 2] \
        [--split test] [--backends torch,torch-bf16,onnx-int8]

Every backend runs in its own fresh subprocess (so peak RSS and cold start are its own) over the
same articles, one article at a time, with the same thread cap. The parent exports the run to
ONNX (fp32 and int8), builds the HF baseline, measures matmul throughput for the hardware
ceiling, and appends a results section to docs/benchmarks.md.
"""

from __future__ import annotations

import time

_T0 = time.perf_counter()  # cold start counts from here, before any heavy import

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from report_section import machine as report_machine  # noqa: E402

# torch-two-pass: the torch backend with its hidden-state cache off, so the detect strategy runs the
# encoder a second time to name the spans it found (framespan before the cache; plain labels-strategy
# runs never need the second pass).
BACKENDS = ("hf-pipeline", "torch", "torch-two-pass", "torch-bf16", "onnx-fp32", "onnx-int8")
STRIDE_DEFAULT = 64


# -- worker side (one backend per process) ----------------------------------------------------------
def _status_mb(key: str) -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _rss_mb() -> float:
    return _status_mb("VmRSS")


def _peak_rss_mb() -> float:
    # VmHWM is this process image's own high-water mark. ru_maxrss is not: Linux carries it over
    # from the parent across fork+exec, so every worker would report the parent's size.
    peak = _status_mb("VmHWM")
    return peak if peak == peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _read_gold(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _to_documents(rows: list[dict[str, Any]]) -> list[Any]:
    from framespan.spans import Document, Span

    return [Document(r["id"], r["text"], [Span(s["start"], s["end"], s["label"]) for s in r["spans"]],
                     None if r.get("annotated_labels") is None else frozenset(r["annotated_labels"]))
            for r in rows]


def _hf_predictor(folder: Path, threads: int, stride: int) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

    from framespan.spans import Span

    torch.set_num_threads(threads)
    model = AutoModelForTokenClassification.from_pretrained(str(folder)).eval()
    tok = AutoTokenizer.from_pretrained(str(folder))
    pipe = pipeline("token-classification", model=model, tokenizer=tok, aggregation_strategy="simple",
                    stride=stride, device="cpu")

    def predict(text: str) -> list[Any]:
        if not text.strip():
            return []
        return [Span(int(e["start"]), int(e["end"]), e["entity_group"], float(e["score"])) for e in pipe(text)]

    return predict, None


def _framespan_predictor(folder: Path, name: str, threads: int) -> tuple[Any, Any]:
    from framespan.detector import Detector

    backend = "onnx" if name.startswith("onnx") else "torch"
    det = Detector.load(folder, backend=backend, threads=threads,
                        precision="bf16" if name == "torch-bf16" else "fp32")
    if name == "torch-two-pass":
        det.state_cache_windows = 0
    return det.predict, det


def _classify_gold(det: Any, docs: list[Any]) -> dict[str, list[Any]]:
    """TC as framespan.evaluation.classify_rows does it, but choosing only among the labels each
    document was annotated with: a framing-schema model scored on PTC gold must not answer with a
    framing-only device the gold cannot contain (the scorer would count the row as missing)."""
    from collections import Counter

    import numpy as np

    from framespan.spans import Span

    out = {}
    for doc in docs:
        rows = Counter((s.start, s.end) for s in doc.spans)
        ranges = sorted(rows)
        allowed = sorted(doc.annotated_labels) if doc.annotated_labels is not None else None
        probs = det.span_probs(doc.text, ranges, allowed=allowed)
        spans = []
        for (start, end), p in zip(ranges, probs, strict=True):
            for j in np.argsort(-p, kind="stable")[: rows[(start, end)]]:
                spans.append(Span(start, end, det.schema.names[int(j)], float(p[j])))
        out[doc.id] = spans
    return out


def worker(args: argparse.Namespace) -> None:
    rows = _read_gold(Path(args.gold))
    texts = [r["text"] for r in rows]
    t_load = time.perf_counter()
    if args.worker == "hf-pipeline":
        predict, det = _hf_predictor(Path(args.folder), args.threads, args.stride)
    else:
        predict, det = _framespan_predictor(Path(args.folder), args.worker, args.threads)
    loaded = time.perf_counter()
    rss_loaded = _rss_mb()
    preds = [predict(texts[0])]
    cold = time.perf_counter() - _T0
    latencies = []
    for text in texts[1:]:
        started = time.perf_counter()
        preds.append(predict(text))
        latencies.append(time.perf_counter() - started)
    # The first article paid for warm-up; time it again warm so every article has a latency.
    started = time.perf_counter()
    predict(texts[0])
    latencies.insert(0, time.perf_counter() - started)
    peak = _peak_rss_mb()
    heavy = sorted(m for m in ("torch", "transformers") if sys.modules.get(m) is not None)
    # The CPU is shared, so the ceiling is measured here, in the same conditions as the timing.
    ceiling = _gemm_gflops()

    from framespan.metrics import evaluate_spans, tc_scores

    docs = _to_documents(rows)
    labels = json.loads(args.labels_json)
    report = evaluate_spans(docs, {d.id: p for d, p in zip(docs, preds, strict=True)}, labels=labels)
    tc = tc_scores(docs, _classify_gold(det, docs))["f1"] if det is not None else None
    lat = sorted(latencies)
    result = {
        "backend": args.worker,
        "docs": len(texts),
        "chars": sum(len(t) for t in texts),
        "seconds": sum(latencies),
        "p50_s": lat[len(lat) // 2],
        "p95_s": lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))],
        "load_s": loaded - t_load,
        "cold_start_s": cold,
        "rss_loaded_mb": rss_loaded,
        "peak_rss_mb": peak,
        "si_f1": report["si"]["f1"],
        "labeled_f1": report["labeled"]["f1"],
        "tc_f1": tc,
        "pred_spans": report["n_pred_spans"],
        "heavy_modules": heavy,
        "gemm_gflops": ceiling,
    }
    Path(args.result).write_text(json.dumps(result, indent=2), encoding="utf-8")


def _gemm_gflops(m: int = 2048, k: int = 384, n: int = 1536, seconds: float = 1.5) -> float:
    """Best fp32 numpy GEMM throughput at the model's FFN shape (8 windows x 256 tokens)."""
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    best, deadline = float("inf"), time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - started)
    return 2 * m * k * n / best / 1e9


def matmul_worker(args: argparse.Namespace) -> None:
    """Best-of GEMM throughput (GFLOP/s) at the model's shapes and a large square, numpy and torch."""
    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    shapes = {"model (2048x384 @ 384x1536)": (2048, 384, 1536), "square 1024": (1024, 1024, 1024)}
    out: dict[str, Any] = {}
    rng = np.random.default_rng(0)
    for name, (m, k, n) in shapes.items():
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        for lib, fn in (("numpy", lambda a=a, b=b: a @ b), ("torch", lambda ta=ta, tb=tb: ta @ tb)):
            best = float("inf")
            reps = max(3, int(2e9 / (2 * m * k * n)))
            for _ in range(5):
                started = time.perf_counter()
                for _ in range(reps):
                    fn()
                best = min(best, (time.perf_counter() - started) / reps)
            out[f"{lib} {name}"] = 2 * m * k * n / best / 1e9
    Path(args.result).write_text(json.dumps(out, indent=2), encoding="utf-8")


# -- parent side -----------------------------------------------------------------------------------
def _folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def _build_hf_baseline(model_dir: Path, out: Path, max_length: int) -> Path:
    """Our encoder + tagger as a stock BertForTokenClassification with n_labels*3 flat classes.

    The classifier gets the tagger's weights, so the logits are ours; class 3j+k is tag k (O, B, I)
    of label j, and every O class is named "O" so the pipeline drops it. A token gets one class
    (argmax over all labels' tags), which is what a standard token-classification head does.
    """
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForTokenClassification

    from framespan.labels import load_schema
    from framespan.model import FramespanModel

    if (out / "config.json").is_file():
        return out
    ours = FramespanModel.load(model_dir)
    names = load_schema(model_dir / "labels.yaml").names
    id2label = {}
    for j, name in enumerate(names):
        id2label[3 * j], id2label[3 * j + 1], id2label[3 * j + 2] = "O", f"B-{name}", f"I-{name}"
    config = BertConfig.from_dict(ours.encoder.config.to_dict())
    config.id2label = id2label  # also sets num_labels
    config.label2id = {f"{v}#{k}" if v == "O" else v: k for k, v in id2label.items()}
    model = BertForTokenClassification(config).eval()
    model.bert.load_state_dict(ours.encoder.state_dict(), strict=True)
    with torch.no_grad():
        model.classifier.weight.copy_(ours.tagger.weight)
        model.classifier.bias.copy_(ours.tagger.bias)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out))
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    tok.model_max_length = max_length  # the pipeline chunks at model_max_length
    tok.save_pretrained(str(out))
    return out


def _write_gold(args: argparse.Namespace, schema: Any, path: Path) -> list[str]:
    from framespan.config import CorpusSpec
    from framespan.corpora.common import SkipReport
    from framespan.data import load_spec

    spec = CorpusSpec(path=args.articles, labels=args.labels, format="ptc", schema="ptc14")
    docs = load_spec(spec, schema, lenient=True, report=SkipReport())
    if args.split:
        splits = Path(args.run) / "splits.json"
        if not splits.is_file():
            raise SystemExit(f"--split needs the run folder's splits.json ({splits} not found)")
        wanted = set(json.loads(splits.read_text(encoding="utf-8"))[args.split])
        docs = [d for d in docs if d.id in wanted]
    docs = sorted(docs, key=lambda d: d.id)[: args.limit or None]
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d.to_dict(), ensure_ascii=False) + "\n")
    return [d.id for d in docs]


def _window_tokens(model_dir: Path, gold: Path, max_length: int, stride: int) -> int:
    from framespan.fast_tokenizer import WindowTokenizer

    tok = WindowTokenizer.from_folder(model_dir)
    texts = [r["text"] for r in _read_gold(gold)]
    return sum(len(w.input_ids) for w in tok.windows(texts, max_length, stride))


def _flops_per_token(config: dict[str, Any], n_labels: int, seq: float) -> float:
    """Forward FLOPs per token of a BERT-style encoder + tagger (2 per multiply-add)."""
    h, inter, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    per_layer = 4 * h * h + 2 * h * inter + 2 * seq * h  # projections, FFN, scores + context
    return 2 * (layers * per_layer + h * n_labels * 3)


def _run(cmd: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"worker failed: {' '.join(cmd)}\n{proc.stderr[-4000:]}")


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "uncommitted"
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout
    return f"{head} (+ uncommitted changes)" if dirty.strip() else head


def _versions() -> str:
    import onnxruntime
    import torch
    import transformers

    return f"torch {torch.__version__}, transformers {transformers.__version__}, onnxruntime {onnxruntime.__version__}"


def _markdown(args: argparse.Namespace, results: dict[str, Any], meta: dict[str, Any]) -> str:
    m = meta["machine"]
    split = f" of the run's {args.split} split" if args.split else ""
    lines = [
        f"## Inference benchmark: {meta['run_name']} ({meta['date']})",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores visible, {m['memory']} RAM; load average at start "
        f"{', '.join(f'{x:.2f}' for x in m['load_avg_start'])}. Other processes shared the CPU, so absolute "
        "speeds are noisy; the ratios between backends are the useful part.",
        f"- Commit: {meta['commit']}; {meta['versions']}; Python {m['python']}.",
        f"- Run: `{meta['run']}` (encoder {meta['encoder']}, {meta['n_labels']} labels, windows of "
        f"{meta['max_length']} tokens, stride {meta['stride']}).",
        f"- Texts: the first {meta['docs']} PTC training articles by id{split} ({meta['chars']:,} characters, "
        f"{meta['window_tokens']:,} window tokens), gold TC spans mapped onto the run's schema.",
        f"- Threads: {args.threads} (torch.set_num_threads / onnxruntime intra_op_num_threads). Each backend "
        f"ran in a fresh subprocess, one article per call, in order; best of {args.repeat} run(s) each.",
        "",
        "| backend | chars/s | docs/s | p50 ms | p95 ms | cold start s | peak RSS MB | folder MB | SI F1 "
        "| labeled F1 | TC F1 | model GFLOP/s | GEMM GFLOP/s | % of GEMM |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name in BACKENDS:
        r = results.get(name)
        if r is None:
            continue
        tc = "n/a" if r["tc_f1"] is None else f"{r['tc_f1']:.3f}"
        lines.append(
            f"| {name} | {r['chars'] / r['seconds']:,.0f} | {r['docs'] / r['seconds']:.2f} | "
            f"{r['p50_s'] * 1000:.0f} | {r['p95_s'] * 1000:.0f} | {r['cold_start_s']:.1f} | "
            f"{r['peak_rss_mb']:.0f} | {r['folder_mb']:.1f} | {r['si_f1']:.3f} | {r['labeled_f1']:.3f} | {tc} | "
            f"{r['gflops']:.1f} | {r['gemm_gflops']:.0f} | {r['pct_of_matmul']:.0f}% |")
    mm = meta["matmul"]
    lines += [
        "",
        f"- Hardware limit: the model needs {meta['flops_per_token'] / 1e6:.1f} MFLOP per window token "
        "(encoder + tagger, attention at the full window length); model GFLOP/s = that x window tokens / "
        "wall time, end to end (tokenizing and decoding included). GEMM GFLOP/s is the best fp32 numpy "
        f"matmul at the FFN shape (2048x384 @ 384x1536, {args.threads} threads) measured in the same "
        "process right after the timing, under the same CPU sharing; % of GEMM is the distance to that "
        "limit. int8 and bf16 run other kernels, so their percentages are of the fp32 limit, not of their own; "
        "torch-two-pass is credited with one encoder pass, so its figure is the useful work per second. "
        "Before the runs, on its own: " + "; ".join(f"{k} {v:.0f} GFLOP/s" for k, v in mm.items()) + ".",
    ]
    if "hf-pipeline" in results:
        lines.append(
            "- hf-pipeline: `transformers.pipeline(\"token-classification\", aggregation_strategy=\"simple\", "
            f"stride={meta['stride']})` over a BertForTokenClassification holding the same encoder and tagger "
            "weights (n_labels x 3 flat classes, so each token gets one label: no overlapping spans, and no TC). "
            "Its own chunking processes one window per forward call.")
    if "onnx-int8" in results:
        tuned = results["onnx-int8"].get("thresholds_tuned")
        lines.append(
            f"- onnx-int8: thresholds re-tuned on the exported model, on the {tuned['source']}: {tuned['before']} "
            f"-> {tuned['after']}." if tuned else
            "- onnx-int8: thresholds as the run tuned them in fp32 (no dev split to re-tune them on).")
    if {"torch-bf16", "torch-two-pass"} & set(results):
        lines.append(
            "- torch-bf16: the torch backend under bf16 autocast (`--precision bf16`); torch-two-pass: the torch "
            "backend without its hidden-state cache, so a detect-strategy model runs the encoder again to name "
            "the spans it found, as framespan did before that cache.")
    lines += [
        "- Latency: per-article `predict(text)`; cold start: process start (before imports) to the first "
        "article's spans. F1s: SI / labeled overlap on the predicted spans, TC by the span head on gold spans "
        "(framespan.metrics, as evaluate_detector computes them).",
        "",
    ]
    return "\n".join(lines)


def parent(args: argparse.Namespace) -> None:
    from framespan.inference import InferenceConfig, model_folder

    from framespan.export import export_onnx, int8_tune_set
    from framespan.labels import load_schema

    model_dir = model_folder(args.run)
    schema = load_schema(model_dir / "labels.yaml")
    inference = InferenceConfig.load(model_dir)
    run_name = Path(args.run).resolve().name
    work = Path(args.work or f"/tmp/framespan-bench/{run_name}")
    work.mkdir(parents=True, exist_ok=True)
    wanted = args.backends.split(",")
    folders = {"torch": model_dir, "torch-two-pass": model_dir, "torch-bf16": model_dir,
               "onnx-fp32": work / "onnx-fp32", "onnx-int8": work / "onnx-int8"}
    for name, int8 in (("onnx-fp32", False), ("onnx-int8", True)):
        if name in wanted and not (args.reuse and (folders[name] / "model.onnx").is_file()):
            print(f"exporting {name} ...", file=sys.stderr)
            # As `framespan export --int8` does: thresholds re-tuned on the run's dev split.
            tune = int8_tune_set(args.run) if int8 else None
            export_onnx(model_dir, folders[name], int8=int8, overwrite=True, tune=tune)
    if "hf-pipeline" in wanted:
        folders["hf-pipeline"] = _build_hf_baseline(model_dir, work / "hf-baseline", inference.max_length)
    gold = work / "gold.jsonl"
    ids = _write_gold(args, schema, gold)

    env = dict(os.environ)
    threads = str(args.threads)
    env.update({"OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads,
                "RAYON_NUM_THREADS": threads, "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_VERBOSITY": "error", "PYTHONPATH": str(REPO)})
    script = str(Path(__file__).resolve())
    machine = report_machine()
    print("matmul ceiling ...", file=sys.stderr)
    _run([sys.executable, script, "--matmul", "--threads", threads, "--result", str(work / "matmul.json")], env)
    matmul = json.loads((work / "matmul.json").read_text(encoding="utf-8"))

    encoder = json.loads((model_dir / "encoder_config.json").read_text(encoding="utf-8"))
    window_tokens = _window_tokens(model_dir, gold, inference.max_length, inference.stride)
    # Nearly every window of a news article is full, so attention is costed at the full length.
    flops = _flops_per_token(encoder, len(schema), inference.max_length)
    results: dict[str, Any] = {}
    for name in wanted:
        print(f"benchmarking {name} on {len(ids)} articles ...", file=sys.stderr)
        out = work / f"result-{name}.json"
        tries = []
        for _ in range(args.repeat):  # the CPU is shared: keep each backend's least disturbed run
            _run([sys.executable, script, "--worker", name, "--folder", str(folders[name]), "--gold", str(gold),
                  "--threads", threads, "--stride", str(inference.stride), "--result", str(out),
                  "--labels-json", json.dumps(schema.names)], env)
            tries.append(json.loads(out.read_text(encoding="utf-8")))
        r = min(tries, key=lambda t: t["seconds"])
        r["runs"] = len(tries)
        r["folder_mb"] = _folder_mb(folders[name])
        export_info = folders[name] / "export.json"
        if export_info.is_file():
            r["thresholds_tuned"] = json.loads(export_info.read_text(encoding="utf-8")).get("thresholds_tuned")
        r["gflops"] = flops * window_tokens / r["seconds"] / 1e9
        r["pct_of_matmul"] = 100 * r["gflops"] / r["gemm_gflops"]
        results[name] = r
        print(json.dumps(r), file=sys.stderr)

    meta = {
        "run": str(args.run), "run_name": run_name, "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "commit": _commit(), "versions": _versions(), "machine": machine, "matmul": matmul,
        "encoder": f"{encoder.get('model_type')} {encoder['num_hidden_layers']}x{encoder['hidden_size']}",
        "n_labels": len(schema), "max_length": inference.max_length, "stride": inference.stride,
        "docs": len(ids), "chars": results[next(iter(results))]["chars"] if results else 0,
        "window_tokens": window_tokens, "flops_per_token": flops,
    }
    (work / "results.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2), encoding="utf-8")
    md = _markdown(args, results, meta)
    print(md)
    if args.docs:
        docs = Path(args.docs)
        docs.parent.mkdir(parents=True, exist_ok=True)
        before = docs.read_text(encoding="utf-8") if docs.is_file() else "# Benchmarks\n\n"
        with open(docs, "w", encoding="utf-8") as f:  # append: other sections stay as they are
            f.write(before.rstrip("\n") + "\n\n" + md)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", help="run or model folder")
    p.add_argument("--articles", help="PTC articles folder")
    p.add_argument("--labels", help="PTC TC labels folder or file")
    p.add_argument("--limit", type=int, default=40, help="first N articles by id (0: all)")
    p.add_argument("--split", choices=["dev", "test"],
                   help="only the articles of the run's own held-out split (its splits.json)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=1, help="runs per backend; the fastest is reported")
    p.add_argument("--backends", default=",".join(BACKENDS))
    p.add_argument("--work", help="scratch folder for exports and results (default /tmp/framespan-bench/RUN)")
    p.add_argument("--reuse", action="store_true", help="reuse ONNX exports already in --work")
    p.add_argument("--docs", default=str(REPO / "docs" / "benchmarks.md"),
                   help="Markdown file to append the results to ('' to skip)")
    # Internal: one measurement in a fresh process.
    p.add_argument("--worker", choices=BACKENDS, help=argparse.SUPPRESS)
    p.add_argument("--matmul", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--folder", help=argparse.SUPPRESS)
    p.add_argument("--gold", help=argparse.SUPPRESS)
    p.add_argument("--result", help=argparse.SUPPRESS)
    p.add_argument("--stride", type=int, default=STRIDE_DEFAULT, help=argparse.SUPPRESS)
    p.add_argument("--labels-json", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        worker(args)
    elif args.matmul:
        matmul_worker(args)
    else:
        if not (args.run and args.articles and args.labels):
            p.error("--run, --articles and --labels are required")
        parent(args)


if __name__ == "__main__":
    main()
