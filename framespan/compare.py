"""`framespan compare`: score runs on the same gold documents side by side, with paired bootstraps."""

from __future__ import annotations

import argparse
import html
import io
import itertools
import json
import math
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from .bootstrap import paired_bootstrap, resample_counts, stats_array, stats_from_scores
from .errors import FramespanError, RunError
from .labels import LabelSchema, load_schema
from .spans import Document, Span

BOOTSTRAP_METRICS = (("labeled_f1", "labeled-span F1"), ("si_f1", "SI F1"))
FILES = {"markdown": "compare.md", "json": "compare.json", "per_label_png": "per_label_f1.png",
         "pr_png": "precision_recall.png", "html": "disagreements.html"}


# -- runs ----------------------------------------------------------------------------------------
@dataclass
class RunInfo:
    """A loaded run: its detector plus what the comparison reports about it."""

    name: str
    path: Path
    model_dir: Path
    detector: Any
    size_mb: float
    summary: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Labels of the run's own schema the model was trained on (the others never fire).
    trained: list[str] = field(default_factory=list)

    @property
    def schema(self) -> LabelSchema:
        return self.detector.schema


def _folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def load_run(path: str | Path, backend: str = "auto", name: str | None = None,
             precision: str = "fp32", device: str = "auto") -> RunInfo:
    """Load and verify a run (or bare model) folder; a missing or corrupt one raises :class:`RunError`
    that names the run and what is wrong with it."""
    from .inference import Detector, model_folder

    path = Path(path)
    label = name or _default_name(path)
    try:
        model_dir = model_folder(path)
        detector = Detector.load(path, backend=backend, device=device, precision=precision)
    except RunError as e:
        raise RunError(f"run {label!r} cannot be compared: {e}") from None
    except Exception as e:
        # Files that passed the manifest check still failed to load (a foreign or hand-edited folder).
        raise RunError(f"run {label!r} ({path}): the model does not load: {type(e).__name__}: {e}") from None

    notes: list[str] = []
    summary: dict[str, Any] = {"labels": detector.schema.name, "base_model": None, "epochs": None,
                               "train_data": None, "description": "", "status": None,
                               "backend": type(detector.backend).__name__.replace("Backend", "").lower()}
    info_file = model_dir / "framespan.json"
    if info_file.is_file():
        try:
            summary["base_model"] = json.loads(info_file.read_text(encoding="utf-8")).get("base_model")
        except ValueError:
            raise RunError(f"run {label!r}: {info_file} is not valid JSON") from None
    run_dir = model_dir.parent if model_dir != path else path
    if (run_dir / "config.yaml").is_file():
        from .training import load_run_config

        try:
            cfg = load_run_config(run_dir)
        except FramespanError as e:
            raise RunError(f"run {label!r}: its config.yaml is unreadable: {e}") from None
        t = cfg.training
        summary.update(base_model=cfg.model.base, train_data=cfg.data.train.path, description=cfg.description,
                       epochs=f"{t.max_steps} steps" if t.max_steps > 0 else f"{t.epochs:g}")
    else:
        notes.append("no config.yaml (a bare model folder): training settings unknown")
    status_file = run_dir / "run.json"
    if status_file.is_file():
        try:
            status = json.loads(status_file.read_text(encoding="utf-8"))
        except ValueError:
            raise RunError(f"run {label!r}: {status_file} is not valid JSON (truncated?)") from None
        summary["status"] = status.get("status")
        if status.get("status") != "finished":
            notes.append(f"the run is not finished (status {status.get('status')!r}); its model is the best "
                         "one saved so far")
    return RunInfo(label, path, model_dir, detector, round(_folder_mb(model_dir), 2), summary, notes,
                   list(detector.active_labels))


def _default_name(path: Path) -> str:
    path = path.resolve() if str(path) in (".", "") else path
    if path.name == "model" and path.parent.name:
        return path.parent.name
    return path.name or str(path)


def unique_names(names: Sequence[str]) -> list[str]:
    """Names made distinct by numbering repeats (two runs both called ``model``, or one run twice)."""
    seen: Counter[str] = Counter()
    totals = Counter(names)
    out = []
    for n in names:
        seen[n] += 1
        out.append(f"{n}#{seen[n]}" if totals[n] > 1 else n)
    return out


# -- labels --------------------------------------------------------------------------------------
def label_bridge(source: LabelSchema, target: LabelSchema) -> dict[str, str]:
    """Map ``source`` label names onto ``target`` ones, whichever of the two schemas declares the link.

    ``LabelSchema.mapping_from`` only follows the ``from`` entries of the schema it is called on, so the
    reverse direction is added where it is one-to-one.
    """
    out = target.mapping_from(source)
    back = source.mapping_from(target)  # target name -> source name
    uses = Counter(back.values())
    for t_name, s_name in back.items():
        if uses[s_name] == 1 and s_name not in out and t_name in target:
            out[s_name] = t_name
    return out


@dataclass
class LabelPlan:
    """The labels all runs are compared on, each run's route onto them, and what was left out and why."""

    target: LabelSchema
    shared: list[str]
    bridges: list[dict[str, str]]
    left_out: list[dict[str, str]]


def plan_labels(runs: Sequence[RunInfo], target: LabelSchema | None = None,
                annotated: set[str] | None = None) -> LabelPlan:
    """Shared labels: those of ``target`` (default the first run's schema) that every run can predict,
    was trained on, and that the gold data annotates (``annotated``; None means all)."""
    target = target or runs[0].schema
    bridges = [label_bridge(r.schema, target) for r in runs]
    shared: list[str] = []
    left_out: list[dict[str, str]] = []
    for name in target.names:
        reasons = []
        for run, bridge in zip(runs, bridges, strict=True):
            sources = [s for s, t in bridge.items() if t == name]
            if not sources:
                reasons.append(f"run {run.name} (schema {run.schema.name}) has no counterpart")
            elif not any(s in run.trained for s in sources):
                reasons.append(f"run {run.name} was not trained on it")
        if annotated is not None and name not in annotated:
            reasons.append("the gold data does not annotate it")
        if reasons:
            left_out.append({"label": name, "schema": target.name, "reason": "; ".join(reasons)})
        else:
            shared.append(name)
    for run, bridge in zip(runs, bridges, strict=True):
        if run.schema.name == target.name:
            continue
        for name in run.trained:
            if name not in bridge:
                reason = f"label of run {run.name} with no counterpart in schema {target.name}"
                left_out.append({"label": name, "schema": run.schema.name, "reason": reason})
    shared_set = set(shared)
    bridges = [{s: t for s, t in b.items() if t in shared_set and s in r.trained}
               for r, b in zip(runs, bridges, strict=True)]
    return LabelPlan(target, shared, bridges, left_out)


def _annotated_labels(docs: Sequence[Document], schema: LabelSchema) -> set[str]:
    out: set[str] = set()
    for d in docs:
        out |= set(schema.names) if d.annotated_labels is None else set(d.annotated_labels)
    return out


def _scope(doc: Document, spans: Sequence[Span], bridge: dict[str, str]) -> list[Span]:
    """Spans relabelled into the comparison schema, keeping only labels that are compared for ``doc``."""
    out = []
    for s in spans:
        label = bridge.get(s.label)
        if label is not None and (doc.annotated_labels is None or label in doc.annotated_labels):
            out.append(Span(s.start, s.end, label, s.score))
    return out


# -- scoring -------------------------------------------------------------------------------------
@dataclass
class RunResult:
    predictions: dict[str, list[Span]]
    report: dict[str, Any]
    seconds: float
    stats: dict[str, np.ndarray]  # metric -> (docs, 4) sufficient statistics
    doc_f1: list[float]  # per-document labeled F1, for the disagreement page


@dataclass
class Comparison:
    """Everything ``write_outputs`` needs: the JSON-able report plus documents and predictions."""

    report: dict[str, Any]
    docs: list[Document]
    runs: list[RunInfo]
    plan: LabelPlan
    results: list[RunResult]


def _classify_shared(run: RunInfo, docs: Sequence[Document], bridge: dict[str, str],
                     progress: bool) -> dict[str, list[Span]]:
    """TC on gold spans of compared labels: each run picks among its labels that map onto them."""
    from .evaluation import classify_rows

    det = run.detector
    allowed = sorted(bridge)
    out: dict[str, list[Span]] = {}
    for doc in tqdm(docs, desc=f"classify {run.name}", disable=not progress, leave=False):
        out[doc.id] = [Span(s.start, s.end, bridge.get(s.label, s.label), s.score)
                       for s in classify_rows(det, doc, allowed)]
    return out


def _doc_stats(docs: Sequence[Document], pred: dict[str, list[Span]],
               labels: list[str]) -> tuple[dict[str, np.ndarray], list[float]]:
    from .metrics import labeled_scores, si_scores

    rows: dict[str, list[tuple[float, float, float, float]]] = {"labeled_f1": [], "si_f1": []}
    doc_f1 = []
    for doc in docs:
        one = {doc.id: pred.get(doc.id, [])}
        lab = labeled_scores([doc], one, labels=labels)
        rows["labeled_f1"].append(stats_from_scores(lab))
        rows["si_f1"].append(stats_from_scores(si_scores([doc], one, labels=labels)))
        doc_f1.append(lab["f1"])
    return {k: stats_array(v) for k, v in rows.items()}, doc_f1


def _run_one(run: RunInfo, docs: list[Document], bridge: dict[str, str], labels: list[str],
             tc_docs: list[Document] | None, batch_size: int, progress: bool) -> RunResult:
    from .evaluation import predict_documents
    from .metrics import evaluate_spans, tc_scores

    if docs:  # one untimed document first, so one-off start-up costs do not count as speed
        next(run.detector.predict_many([docs[0].text], batch_size=1))
    started = time.perf_counter()
    raw = predict_documents(run.detector, docs, batch_size, progress)
    seconds = time.perf_counter() - started
    pred = {d.id: _scope(d, raw.get(d.id, []), bridge) for d in docs}
    report = evaluate_spans(docs, pred, labels=labels)
    if tc_docs is not None:
        report["tc"] = tc_scores(tc_docs, _classify_shared(run, tc_docs, bridge, progress), labels=labels)
    stats, doc_f1 = _doc_stats(docs, pred, labels)
    return RunResult(pred, report, seconds, stats, doc_f1)


def _disagreement(doc: Document, preds: Sequence[list[Span]], labels: list[str]) -> float:
    """Mean over run pairs of 1 - labeled overlap F1 between their predictions (0: identical)."""
    from .metrics import labeled_scores

    pairs = list(itertools.combinations(preds, 2))
    if not pairs:
        return 0.0
    total = 0.0
    for a, b in pairs:
        ref = Document(doc.id, doc.text, list(a))
        total += 1.0 - labeled_scores([ref], {doc.id: list(b)}, labels=labels)["f1"]
    return total / len(pairs)


def _train_overlap(runs: Sequence[RunInfo], docs: Sequence[Document]) -> list[str]:
    """Warnings for gold documents a run was trained on (a run's splits.json lists its training ids)."""
    ids = {d.id for d in docs}
    notes = []
    for run in runs:
        split_file = run.model_dir.parent / "splits.json"
        if not split_file.is_file():
            continue
        try:
            train_ids = set(json.loads(split_file.read_text(encoding="utf-8")).get("train", []))
        except (ValueError, AttributeError):
            continue
        common = ids & train_ids
        if common:
            notes.append(f"{len(common)} of the {len(ids)} documents are in run {run.name}'s training split; "
                         "its scores on them are not held-out scores")
    return notes


def compare_runs(runs: Sequence[RunInfo], docs: Sequence[Document], *, n_resamples: int = 1000, seed: int = 0,
                 batch_size: int = 32, with_tc: bool = True, top_docs: int = 10, progress: bool = True,
                 data_description: str = "", extra_left_out: Sequence[dict[str, str]] = (),
                 target: LabelSchema | None = None) -> Comparison:
    """Predict with every run on ``docs`` (annotated in ``target``, default the first run's schema) and
    compare them on the labels they share."""
    if len(runs) < 2:
        raise FramespanError("compare needs at least two runs")
    docs = list(docs)
    if not docs:
        raise FramespanError("no gold documents to compare on")
    target = target or runs[0].schema
    plan = plan_labels(runs, target, _annotated_labels(docs, target))
    plan.left_out.extend(extra_left_out)
    if not plan.shared:
        reasons = "; ".join(f"{x['label']}: {x['reason']}" for x in plan.left_out[:6])
        raise FramespanError(f"the runs share no label that can be compared ({reasons})")
    shared = set(plan.shared)
    tc_docs = None
    if with_tc:
        # Gold rows of compared labels only; scope is already applied, so no annotated_labels mask.
        tc_docs = [Document(d.id, d.text, [s for s in d.spans if s.label in shared and
                                           (d.annotated_labels is None or s.label in d.annotated_labels)])
                   for d in docs]

    results = []
    for run, bridge in zip(tqdm(runs, desc="runs", disable=not progress), plan.bridges, strict=True):
        results.append(_run_one(run, docs, bridge, plan.shared, tc_docs, batch_size, progress))

    counts = resample_counts(len(docs), n_resamples, seed)
    boot = []
    for (i, a), (j, b) in itertools.combinations(enumerate(results), 2):
        for key, title in BOOTSTRAP_METRICS:
            res = paired_bootstrap(a.stats[key], b.stats[key], seed=seed, counts=counts)
            boot.append({"a": runs[i].name, "b": runs[j].name, "metric": key, "title": title,
                         **res.to_dict()})

    ranked = []
    for k, doc in enumerate(tqdm(docs, desc="disagreement", disable=not progress, leave=False)):
        score = _disagreement(doc, [r.predictions[doc.id] for r in results], plan.shared)
        spread = max(r.doc_f1[k] for r in results) - min(r.doc_f1[k] for r in results)
        if score > 0:
            ranked.append((score, spread, k))
    ranked.sort(key=lambda x: (-x[0], -x[1], x[2]))
    disagreements = [{"id": docs[k].id, "disagreement": score, "labeled_f1": [r.doc_f1[k] for r in results]}
                     for score, _, k in ranked[:top_docs]]

    report = _build_report(runs, results, plan, docs, boot, disagreements, n_resamples, seed, batch_size,
                           data_description)
    return Comparison(report, docs, list(runs), plan, results)


def _build_report(runs: Sequence[RunInfo], results: Sequence[RunResult], plan: LabelPlan,
                  docs: Sequence[Document], boot: list[dict[str, Any]], disagreements: list[dict[str, Any]],
                  n_resamples: int, seed: int, batch_size: int, data_description: str) -> dict[str, Any]:
    run_rows = []
    for run, res in zip(runs, results, strict=True):
        rep = res.report
        scores = {
            "si_precision": rep["si"]["precision"], "si_recall": rep["si"]["recall"],
            "si_f1": rep["si"]["f1"],
            "tc_f1": rep["tc"]["f1"] if "tc" in rep else None,
            "labeled_precision": rep["labeled"]["precision"], "labeled_recall": rep["labeled"]["recall"],
            "labeled_f1": rep["labeled"]["f1"], "labeled_macro_f1": rep["labeled"].get("macro_f1"),
            "exact_f1": rep["exact"]["f1"],
        }
        metrics = {k: v for k, v in rep.items() if k not in ("per_label",)}
        run_rows.append({
            "name": run.name, "path": str(run.path), "model_dir": str(run.model_dir), "size_mb": run.size_mb,
            "config": run.summary, "notes": run.notes, "scores": scores,
            "predict_seconds": res.seconds,
            "docs_per_second": len(docs) / res.seconds if res.seconds > 0 else None,
            "n_pred_spans": rep["n_pred_spans"], "metrics": metrics, "per_label": rep["per_label"],
        })
    per_label = {}
    first = results[0].report["per_label"]
    for label in plan.shared:
        f1s = [r.report["per_label"][label]["f1"] for r in results]
        per_label[label] = {
            "support_gold": first[label]["support_gold"],
            "support_pred": [r.report["per_label"][label]["support_pred"] for r in results],
            "f1": f1s, "delta": [f - f1s[0] for f in f1s],
            "precision": [r.report["per_label"][label]["precision"] for r in results],
            "recall": [r.report["per_label"][label]["recall"] for r in results],
        }
    return {
        "runs": run_rows,
        "data": {"description": data_description, "n_docs": len(docs),
                 "n_gold_spans": results[0].report["n_gold_spans"]},
        "labels": {"schema": plan.target.name, "shared": plan.shared, "left_out": plan.left_out},
        "per_label": per_label,
        "bootstrap": boot,
        "disagreements": disagreements,
        "notes": _train_overlap(runs, docs),
        "settings": {"n_resamples": n_resamples, "seed": seed, "batch_size": batch_size,
                     "confidence": 0.95, "unit": "document"},
    }


# -- output --------------------------------------------------------------------------------------
def _f(x: float | None, digits: int = 3) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _signed(x: float) -> str:
    return f"{x:+.3f}"


def _md_cell(text: Any) -> str:
    return str(text if text is not None else "?").replace("|", "\\|").replace("\n", " ")


def comparison_markdown(report: dict[str, Any]) -> str:
    """The comparison as Markdown tables (runs, per label, bootstrap, left-out labels, notes)."""
    runs = report["runs"]
    names = [r["name"] for r in runs]
    data = report["data"]
    lines = [f"# framespan compare: {' vs '.join(names)}", ""]
    lines.append(f"Gold data: {data['description'] or 'given documents'} — {data['n_docs']} documents, "
                 f"{data['n_gold_spans']} gold spans of the compared labels. Labels compared: "
                 f"{len(report['labels']['shared'])} (schema {report['labels']['schema']}).")
    lines += ["", "## Runs", "",
              "| run | SI P | SI R | SI F1 | TC micro-F1 | labeled F1 | exact F1 | docs/s | size MB "
              "| base model | epochs | training data |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|"]
    for r in runs:
        s, c = r["scores"], r["config"]
        lines.append(f"| {_md_cell(r['name'])} | {_f(s['si_precision'])} | {_f(s['si_recall'])} "
                     f"| {_f(s['si_f1'])} | {_f(s['tc_f1'])} | {_f(s['labeled_f1'])} | {_f(s['exact_f1'])} "
                     f"| {_f(r['docs_per_second'], 1)} | {r['size_mb']:.1f} "
                     f"| {_md_cell(c.get('base_model'))} | {_md_cell(c.get('epochs'))} "
                     f"| {_md_cell(c.get('train_data'))} |")
    lines.append("")
    lines.append("Speed: documents per second while predicting on this machine "
                 f"(batch size {report['settings']['batch_size']}), one warm-up document excluded. "
                 "Size: the model folder on disk.")

    head = " | ".join(f"{_md_cell(n)} F1" if i == 0 else f"{_md_cell(n)} F1 (Δ)" for i, n in enumerate(names))
    preds = " | ".join(f"pred {_md_cell(n)}" for n in names)
    lines += ["", f"## Per label (labeled-span F1; Δ against {_md_cell(names[0])})", "",
              f"| label | gold | {head} | {preds} |",
              "|---|---:|" + "---:|" * (2 * len(names))]
    for label, row in report["per_label"].items():
        cells = [_f(row["f1"][0])] + [f"{_f(f)} ({_signed(d)})"
                                      for f, d in zip(row["f1"][1:], row["delta"][1:], strict=True)]
        lines.append(f"| {label} | {row['support_gold']} | " + " | ".join(cells) + " | "
                     + " | ".join(str(n) for n in row["support_pred"]) + " |")

    st = report["settings"]
    lines += ["", f"## Paired bootstrap over documents ({st['n_resamples']} resamples, seed {st['seed']})",
              "", "Δ = F1(B) − F1(A) on the same resampled documents; corpus F1 is recomputed from "
              "per-document counts in each resample. Flips: share of resamples whose Δ does not have the "
              "observed sign.", "",
              "| A | B | metric | F1 A | F1 B | Δ | 95% CI | flips |",
              "|---|---|---|---:|---:|---:|---|---:|"]
    for b in report["bootstrap"]:
        lines.append(f"| {_md_cell(b['a'])} | {_md_cell(b['b'])} | {b['title']} | {_f(b['f1_a'])} "
                     f"| {_f(b['f1_b'])} | {_signed(b['delta'])} "
                     f"| [{_signed(b['ci_low'])}, {_signed(b['ci_high'])}] | {b['flip_share']:.3f} |")

    left = report["labels"]["left_out"]
    if left:
        by_reason: dict[str, list[str]] = {}
        for x in left:
            by_reason.setdefault(x["reason"], []).append(f"{x['label']} ({x['schema']})")
        lines += ["", "## Labels left out", "", "| labels | why |", "|---|---|"]
        for reason, labels in by_reason.items():
            lines.append(f"| {_md_cell(', '.join(labels))} | {_md_cell(reason)} |")
    notes = list(report.get("notes", [])) + [f"{r['name']}: {n}" for r in runs for n in r["notes"]]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    if report.get("files"):
        lines += ["", "## Files", ""] + [f"- {k}: {v}" for k, v in report["files"].items()]
    return "\n".join(lines) + "\n"


def _figure(width: float, height: float) -> Any:
    # The object API with an Agg canvas: no pyplot global state, no display needed.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(fig)
    return fig


def _png_bytes(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


def plot_per_label_f1(report: dict[str, Any]) -> bytes:
    """PNG bytes: grouped bars of labeled-span F1 per label, one bar per run."""
    labels = list(report["per_label"])
    names = [r["name"] for r in report["runs"]]
    fig = _figure(max(6.0, 0.6 * len(labels) * max(1, len(names)) / 2 + 2), 4.2)
    ax = fig.add_subplot(1, 1, 1)
    x = np.arange(len(labels))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        values = [report["per_label"][lab]["f1"][i] for lab in labels]
        ax.bar(x + (i - (len(names) - 1) / 2) * width, values, width, label=name)
    ax.set_xticks(x)
    ax.set_xticklabels([f"{lab}\n(n={report['per_label'][lab]['support_gold']})" for lab in labels],
                       rotation=45, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("labeled-span F1")
    ax.set_title("Per-label F1")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return _png_bytes(fig)


def plot_precision_recall(report: dict[str, Any]) -> bytes:
    """PNG bytes: precision against recall per run (SI and labeled), over iso-F1 curves."""
    fig = _figure(5.5, 5.0)
    ax = fig.add_subplot(1, 1, 1)
    grid = np.linspace(0.01, 1, 200)
    for f in (0.2, 0.4, 0.6, 0.8):
        with np.errstate(divide="ignore", invalid="ignore"):
            p = f * grid / (2 * grid - f)
        ok = (p > 0) & (p <= 1)
        ax.plot(grid[ok], p[ok], color="#cccccc", lw=0.8)
        ax.annotate(f"F1={f}", (0.99, p[ok][-1]), fontsize=7, color="#999999", ha="right", va="bottom")
    colors = [f"C{i % 10}" for i in range(len(report["runs"]))]
    for run, color in zip(report["runs"], colors, strict=True):
        s = run["scores"]
        ax.scatter([s["si_recall"]], [s["si_precision"]], color=color, marker="o", s=50,
                   label=f"{run['name']} SI")
        ax.scatter([s["labeled_recall"]], [s["labeled_precision"]], color=color, marker="s", s=50,
                   label=f"{run['name']} labeled")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title("Precision / recall per run")
    ax.legend(fontsize=7, loc="lower left")
    return _png_bytes(fig)


def disagreement_html(comparison: Comparison) -> str:
    """HTML: for the documents where the runs disagree most, gold and each run's spans side by side."""
    from .render import highlight, legend, page

    report = comparison.report
    colors = comparison.plan.target.colors()
    by_id = {d.id: (k, d) for k, d in enumerate(comparison.docs)}
    names = [r.name for r in comparison.runs]
    shared = set(comparison.plan.shared)
    intro = (f"<p>{len(report['disagreements'])} documents where the runs' predictions differ most "
             f"(mean 1 − labeled overlap F1 between runs), compared on {len(shared)} labels. "
             "Hover over a highlight for its label and score.</p>")
    parts, used = [], set()
    for item in report["disagreements"]:
        k, doc = by_id[item["id"]]
        gold = [s for s in doc.spans if s.label in shared and
                (doc.annotated_labels is None or s.label in doc.annotated_labels)]
        cols = [("gold", gold, "")]
        for name, res, f1 in zip(names, comparison.results, item["labeled_f1"], strict=True):
            cols.append((name, res.predictions[doc.id], f" — labeled F1 {f1:.2f}"))
        cells = []
        for title, spans, extra in cols:
            used.update(s.label for s in spans)
            none = "" if spans else '<div class="none">no spans</div>'
            cells.append(f"<div><h2>{html.escape(title)}{html.escape(extra)}</h2>"
                         f"{highlight(doc.text, spans, colors)}{none}</div>")
        parts.append(f'<div class="doc"><h2>{html.escape(doc.id)} (disagreement '
                     f'{item["disagreement"]:.2f})</h2><div class="cols">{"".join(cells)}</div></div>')
    if not parts:
        parts.append('<p class="none">The runs predict the same spans on every document.</p>')
    return page(f"framespan compare: {' vs '.join(names)}", intro + legend(colors, used) + "".join(parts))


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_outputs(comparison: Comparison, out_dir: str | Path) -> dict[str, Path]:
    """Write Markdown, JSON, two PNG charts and the HTML page into ``out_dir``; return their paths."""
    from .runs import atomic_write_json, atomic_write_text

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {k: out / v for k, v in FILES.items()}
    comparison.report["files"] = {k: v.name for k, v in paths.items()}
    _write_bytes(paths["per_label_png"], plot_per_label_f1(comparison.report))
    _write_bytes(paths["pr_png"], plot_precision_recall(comparison.report))
    atomic_write_text(paths["html"], disagreement_html(comparison))
    atomic_write_json(paths["json"], comparison.report)
    atomic_write_text(paths["markdown"], comparison_markdown(comparison.report))
    return paths


# -- gold data and CLI ---------------------------------------------------------------------------
def load_gold(args: argparse.Namespace, run: RunInfo) -> tuple[list[Document], str, list[dict[str, str]]]:
    """Gold documents in the first run's schema, the data's description, and gold labels left out.

    Data annotated in another schema (``--data-schema``, or ptc14 for ``--articles``) is read in that
    schema and mapped leniently, so labels without a counterpart are reported instead of failing.
    """
    from .cli import load_eval_docs

    target = run.schema
    source_name = None if args.split else (args.data_schema or ("ptc14" if args.articles else None))
    source = load_schema(source_name) if source_name else target
    docs = load_eval_docs(args, run.path, source)
    left_out: list[dict[str, str]] = []
    if source.name != target.name:
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


def add_cli(sub: Any) -> None:
    """Register ``framespan compare`` on the CLI's subparsers."""
    from .cli import _add_data_args, add_runtime_args

    c = sub.add_parser("compare", help="compare two or more runs on the same labelled data",
                       description="Score runs on the same gold documents: metrics side by side, per-label "
                                   "F1, paired bootstrap CIs, charts and an HTML page of disagreements.")
    c.add_argument("runs", nargs="+", metavar="RUN", help="run or model folders (the first is the reference)")
    _add_data_args(c)
    c.add_argument("--out", "-o", help="folder for compare.md/.json, PNG charts and HTML "
                                       "(default comparisons/<A>_vs_<B>)")
    c.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples (default 1000)")
    c.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    c.add_argument("--html-docs", type=int, default=10,
                   help="documents on the disagreement page (default 10)")
    c.add_argument("--batch-size", type=int, default=32)
    c.add_argument("--backend", default="auto", choices=["auto", "torch", "onnx"])
    add_runtime_args(c)
    c.add_argument("--no-tc", action="store_true", help="skip technique classification of gold spans")
    c.add_argument("--quiet", action="store_true", help="no progress bars")
    c.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    if len(args.runs) < 2:
        raise FramespanError("compare needs at least two runs")
    if args.resamples < 1:
        raise FramespanError("--resamples must be at least 1")
    names = unique_names([_default_name(Path(p)) for p in args.runs])
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
