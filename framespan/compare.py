"""Compare runs: score them on the same gold documents side by side, with paired bootstraps."""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from .bootstrap import paired_bootstrap, resample_counts, stats_array, stats_from_scores
from .detector import Detector
from .errors import FramespanError, RunError
from .evaluation import classify_rows, predict_documents
from .labels import LabelSchema
from .layout import ABOUT, SPLITS, STATUS, model_folder
from .metrics import evaluate_spans, labeled_scores, si_scores, tc_scores
from .rundir import RunDir
from .spans import Document, Span

BOOTSTRAP_METRICS = (("labeled_f1", "labeled-span F1"), ("si_f1", "SI F1"))


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
    path = Path(path)
    label = name or default_name(path)
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
    info_file = model_dir / ABOUT
    if info_file.is_file():
        try:
            summary["base_model"] = json.loads(info_file.read_text(encoding="utf-8")).get("base_model")
        except ValueError:
            raise RunError(f"run {label!r}: {info_file} is not valid JSON") from None
    run_dir = RunDir(model_dir.parent if model_dir != path else path)
    if run_dir.has_config():
        try:
            cfg = run_dir.config(check_paths=False)
        except FramespanError as e:
            raise RunError(f"run {label!r}: its config.yaml is unreadable: {e}") from None
        t = cfg.training
        summary.update(base_model=cfg.model.base, train_data=cfg.data.train.path, description=cfg.description,
                       epochs=f"{t.max_steps} steps" if t.max_steps > 0 else f"{t.epochs:g}")
    else:
        notes.append("no config.yaml (a bare model folder): training settings unknown")
    if (run_dir.path / STATUS).is_file():
        try:
            status = run_dir.status()
        except RunError as e:
            raise RunError(f"run {label!r}: {e}") from None
        summary["status"] = status.get("status")
        if status.get("status") != "finished":
            notes.append(f"the run is not finished (status {status.get('status')!r}); its model is the best "
                         "one saved so far")
    return RunInfo(label, path, model_dir, detector, round(_folder_mb(model_dir), 2), summary, notes,
                   list(detector.active_labels))


def default_name(path: Path) -> str:
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
    det = run.detector
    allowed = sorted(bridge)
    out: dict[str, list[Span]] = {}
    for doc in tqdm(docs, desc=f"classify {run.name}", disable=not progress, leave=False):
        out[doc.id] = [Span(s.start, s.end, bridge.get(s.label, s.label), s.score)
                       for s in classify_rows(det, doc, allowed)]
    return out


def _doc_stats(docs: Sequence[Document], pred: dict[str, list[Span]],
               labels: list[str]) -> tuple[dict[str, np.ndarray], list[float]]:
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
        split_file = run.model_dir.parent / SPLITS
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
