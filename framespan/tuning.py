"""Every threshold search: the decode settings a model folder's strategy can tune, chosen on documents.

``LabelColumns`` tunes one threshold per label for the run's selection metric; ``AnyDevice``
tunes the any-device threshold (and, when candidates are given, the label-column weight) for SI.
The choice is written into the folder's decode settings with where it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

from tqdm.auto import tqdm

from .atomic import rebuild_dir
from .decoding import CANDIDATE_FLOOR, DocumentScores, decode_spans
from .detector import Detector
from .encoding import ANY_DEVICE
from .errors import RunError
from .manifest import refresh_manifest, verify_model_folder
from .metrics import exact_scores, labeled_scores, si_scores
from .rundir import RunDir, TuneSet, now
from .settings import FolderSettings
from .spans import Document, Span
from .strategies import STRATEGIES, AnyDevice, only_columns

OBJECTIVES = {"si_f1": si_scores, "labeled_f1": labeled_scores, "exact_f1": exact_scores}
LABEL_GRID = [round(CANDIDATE_FLOOR + 0.05 * i, 2) for i in range(14)]  # 0.15 .. 0.80
# A fine grid: SI recall falls steeply with the threshold (0.52 -> 0.39 from 0.45 to 0.50 on PTC dev).
ANY_DEVICE_GRID = [round(0.1 + 0.025 * i, 3) for i in range(33)]  # 0.100 .. 0.900


def score_documents(detector: Detector, docs: Sequence[Document], progress: bool = True,
                    desc: str = "score") -> list[DocumentScores]:
    """Merged token scores of each document, 16 texts per call so memory stays bounded."""
    texts = [d.text for d in docs]
    scores: list[DocumentScores] = []
    for i in tqdm(range(0, len(texts), 16), desc=desc, disable=not progress, leave=False):
        scores.extend(detector.scores(texts[i:i + 16]))
    return scores


def tune_label_thresholds(detector: Detector, docs: Sequence[Document], objective: str = "labeled_f1",
                          grid: Sequence[float] = LABEL_GRID, rounds: int = 2, progress: bool = True,
                          focus: Sequence[str] = ()) -> dict[str, float]:
    """Per-label thresholds chosen on ``docs`` to maximise the corpus-level ``objective``.

    Coordinate ascent: each label's threshold in turn is set to the grid value that maximises the
    objective with the others fixed. Tuning each label for its own F1 instead can lower the micro
    scores the run is judged by. With ``focus``, those labels are tuned for their micro score
    together and the other labels for theirs: a micro score favours recall more the lower it is, so
    labels a model is weak on would otherwise pull the thresholds of those it is for down with them.
    Token probabilities are computed once and decodings are cached. A grid below
    ``CANDIDATE_FLOOR`` reaches tokens that ``head_weighed`` did not weigh.
    """
    unknown = detector.schema.unknown(focus)
    if unknown:
        raise RunError(f"focus labels {unknown} are not labels of this model")
    metric = OBJECTIVES.get(objective, labeled_scores)
    scores = score_documents(detector, docs, progress, "tune thresholds")
    settings = detector.decode_settings
    labels = [n for n in detector.active_labels if any(s.label == n for d in docs for s in d.spans)]
    cache: dict[tuple[str, float], list[list[Span]]] = {}

    def decoded(label: str, thr: float) -> list[list[Span]]:
        if (label, thr) not in cache:
            col = detector.schema.index(label)
            cache[(label, thr)] = [decode_spans(d.text, only_columns(sc, [col]), [label], [thr],
                                                settings.min_chars, settings.continue_ratio)
                                   for d, sc in zip(docs, scores)]
        return cache[(label, thr)]

    def value(assign: dict[str, float]) -> float:
        pred = {d.id: [s for label in assign for s in decoded(label, assign[label])[i]] for i, d in enumerate(docs)}
        # Unfocused, the metric counts every gold label, as it always has; focused, only the group's.
        return metric(list(docs), pred, labels=list(assign) if focus else None)["f1"]

    chosen: dict[str, float] = {}
    for group in ([n for n in labels if n in focus], [n for n in labels if n not in focus]):
        if group:
            chosen |= _ascend({n: settings.threshold_for(n) for n in group}, value, grid, rounds)
    return chosen


def _ascend(start: dict[str, float], value: Callable[[dict[str, float]], float], grid: Sequence[float],
            rounds: int) -> dict[str, float]:
    """Coordinate ascent from ``start``: each label's threshold in turn set to its best grid value."""
    chosen, best = start, value(start)
    for _ in range(rounds):
        improved = False
        for label in start:
            for thr in grid:
                trial = {**chosen, label: thr}
                v = value(trial)
                if v > best + 1e-9:
                    best, chosen, improved = v, trial, True
        if not improved:
            break
    return chosen


class AnyDeviceChoice(NamedTuple):
    threshold: float
    label_weight: float
    si_f1: float  # on the documents it was chosen on


def tune_any_device(detector: Detector, docs: Sequence[Document], grid: Sequence[float] = ANY_DEVICE_GRID,
                    weights: Sequence[float] | None = None, progress: bool = True) -> AnyDeviceChoice:
    """The any-device threshold (and label weight, each of ``weights`` tried with every threshold;
    default the folder's own weight) that maximise SI F1 on ``docs``. SI ignores labels, so the
    span head is not run. Ties go to the higher, more precise threshold and to the earlier weight."""
    settings = detector.decode_settings
    scores = score_documents(detector, docs, progress, "tune any-device threshold")
    best = AnyDeviceChoice(settings.any_device_threshold, settings.label_weight, -1.0)
    for weight in list(weights or [settings.label_weight]):
        only = [detector.any_device_scores(sc, weight) for sc in scores]
        thr_best, thr_f1 = grid[0], -1.0
        for thr in sorted(grid):
            pred = {d.id: decode_spans(d.text, sc, [ANY_DEVICE], [thr], settings.min_chars, settings.continue_ratio)
                    for d, sc in zip(docs, only)}
            f1 = si_scores(list(docs), pred)["f1"]
            if f1 >= thr_f1:
                thr_best, thr_f1 = thr, f1
        if thr_f1 > best.si_f1:
            best = AnyDeviceChoice(thr_best, weight, thr_f1)
    return best


def tune_folder(folder: Path, tune: TuneSet, progress: bool = True, label_weights: Sequence[float] | None = None,
                device: str = "auto") -> dict[str, Any]:
    """Choose a model folder's thresholds on ``tune``'s documents, as its strategy says, and save
    them into its decode settings (with where they came from). Returns the changed settings."""
    detector = Detector.load(folder, device=device)
    settings = detector.settings
    if settings.decode.strategy == AnyDevice.name:
        choice = tune_any_device(detector, tune.docs, weights=label_weights, progress=progress)
        changes: dict[str, Any] = {"any_device_threshold": choice.threshold, "label_weight": choice.label_weight}
        record = {**changes, "dev_si_f1": round(choice.si_f1, 4)}
    else:
        objective = tune.select_metric if tune.select_metric in OBJECTIVES else "labeled_f1"
        thresholds = tune_label_thresholds(detector, tune.docs, objective, progress=progress, focus=tune.focus)
        changes = {"thresholds": {**settings.decode.thresholds, **thresholds}}
        record = {"thresholds": thresholds, **({"focus_labels": list(tune.focus)} if tune.focus else {})}
    tuned = {"on": tune.source, "documents": len(tune.docs), "at": now(), "chose": record}
    replace(settings, decode=settings.decode.override(**changes), tuned=tuned).save(folder)
    refresh_manifest(folder)
    return record


def retune_run(run: str | Path, label_weights: Sequence[float] | None = None, progress: bool = True,
               device: str = "auto") -> dict[str, Any]:
    """Tune a finished run's thresholds again on its own dev split, as training does at its end,
    and swap the model folder's new settings in atomically. ``label_weights``: any-device label
    weights to try with the threshold. Returns the settings before and after."""
    rundir = RunDir(run)
    folder = rundir.model
    before = FolderSettings.load(folder)
    if label_weights is not None and before.decode.strategy != AnyDevice.name:
        raise RunError(f"{run}: label weights apply to the any_device strategy; this model decodes with "
                       f"{before.decode.strategy!r}")
    tune = rundir.tune_set("dev")

    def build(staging: Path) -> dict[str, Any]:
        # Loading the staging copy verifies its checksums, i.e. the run's model as it is on disk.
        chosen = tune_folder(staging, tune, progress, label_weights, device)
        verify_model_folder(staging)
        return chosen

    # Hard links: the weights stay shared, and only the files written anew (atomically) differ.
    after = rebuild_dir(folder, build, start_from=folder, link=True)
    return {"before": tunable_settings(before), "after": after, "documents": len(tune.docs)}


def tunable_settings(settings: FolderSettings) -> dict[str, Any]:
    """The decode settings the folder's strategy lets tuning choose, as they are now."""
    return {k: getattr(settings.decode, k) for k in STRATEGIES[settings.decode.strategy].tunable}
