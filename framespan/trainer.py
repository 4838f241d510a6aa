"""The Trainer: transformers' Trainer with framespan's optimizer groups, document-level evaluation,
best-model keeping and checkpoints that are never seen half-written."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch
from transformers import Trainer, TrainerCallback

from .atomic import atomic_write_json, rebuild_dir, replace_dir
from .backends.torch import TorchBackend
from .config import RunConfig
from .detector import Detector
from .evaluation import evaluate_detector, headline
from .labels import LabelSchema
from .layout import ABOUT, BEST, MODEL_DIR, STAGING, TRAIN_LOG
from .lexicon import Lexicon
from .manifest import write_manifest
from .settings import FolderSettings
from .spans import Document
from .strategies import AnyDevice
from .tuning import tune_any_device


@dataclass
class RunParts:
    """What the Trainer needs besides the model and the data: where the run goes and how to save it."""

    output: Path
    cfg: RunConfig
    schema: LabelSchema
    tokenizer: Any
    settings: FolderSettings
    dev_docs: list[Document]
    lexicon: Lexicon | None = None
    progress: bool = True


def param_groups(model: Any, lr: float, head_lr: float | None, weight_decay: float) -> list[dict[str, Any]]:
    """AdamW groups: encoder at ``lr``, heads at ``head_lr``, no weight decay on biases and norms."""
    # Head and encoder stay in separate groups even at equal rates: a checkpoint's optimizer state
    # is restored group by group, so the grouping must not depend on the rates chosen.
    groups: dict[tuple[bool, float, bool], list[Any]] = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        is_head = not name.startswith("encoder.")
        rate = (head_lr or lr) if is_head else lr
        groups.setdefault((is_head, rate, p.ndim < 2), []).append(p)
    return [{"params": ps, "lr": rate, "weight_decay": 0.0 if no_decay else weight_decay}
            for (_, rate, no_decay), ps in groups.items()]


class LogToFile(TrainerCallback):
    """Appends every log record (loss, learning rate, dev metrics) to the run's train_log.jsonl."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kw: Any) -> None:
        if logs and state.is_world_process_zero:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps({"step": state.global_step, "epoch": state.epoch, **logs}) + "\n")


class FramespanTrainer(Trainer):
    """Evaluates whole dev documents (not windows), keeps the best model as a model folder, and
    stages checkpoints so a killed run resumes from a complete one."""

    def __init__(self, *args: Any, run: RunParts, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.run = run
        self.last_eval_step = -1
        self.add_callback(LogToFile(run.output / TRAIN_LOG))

    def create_optimizer(self, model: Any = None) -> Any:
        if self.optimizer is None:
            t = self.run.cfg.training
            self.optimizer = torch.optim.AdamW(
                param_groups(self.model, t.learning_rate, t.head_learning_rate, t.weight_decay), lr=t.learning_rate)
        return self.optimizer

    def save_best(self, info: dict[str, Any]) -> None:
        """Write the current model as the run's model folder (staged, then swapped in)."""
        run = self.run

        def build(staging: Path) -> None:
            self.model.save(staging)
            run.tokenizer.save_pretrained(str(staging))
            run.schema.save(staging / "labels.yaml")
            run.settings.save(staging)
            if run.lexicon is not None:
                run.lexicon.save(staging)
            (staging / ABOUT).write_text(json.dumps(
                {"base_model": run.cfg.model.base, "labels": run.schema.name, **info}, indent=2), encoding="utf-8")
            write_manifest(staging)

        rebuild_dir(run.output / MODEL_DIR, build)

    def evaluate(self, eval_dataset: Any = None, ignore_keys: Any = None,
                 metric_key_prefix: str = "eval") -> dict[str, float]:
        self.last_eval_step = self.state.global_step
        if not self.is_world_process_zero():
            # Under torchrun the first process scores the dev documents and saves the best model;
            # the others wait for it at their next step.
            return {}
        metrics = self._score_dev(metric_key_prefix)
        key = self.run.cfg.training.select_metric
        value = metrics.get(f"{metric_key_prefix}_{key}", 0.0)
        best_file = self.run.output / BEST
        best = json.loads(best_file.read_text()) if best_file.is_file() else None
        # Strictly better only: a resumed run that re-reaches the same point keeps the same best.
        if best is None or value > best["value"]:
            info = {"metric": key, "value": value, "step": self.state.global_step, "epoch": self.state.epoch}
            self.save_best({"selected_on": info})
            atomic_write_json(best_file, info)
        self.log(metrics)
        self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
        return metrics

    def _score_dev(self, prefix: str) -> dict[str, float]:
        run, cfg = self.run, self.run.cfg
        was_training = self.model.training
        self.model.eval()
        detector = Detector(TorchBackend(model=self.model, device=str(self.args.device)), run.tokenizer,
                            run.schema, run.settings, lexicons=[run.lexicon] if run.lexicon is not None else [])
        any_device = run.settings.decode.strategy == AnyDevice.name
        # Checkpoints are judged in the precision they train in (half the time of fp32 for a
        # base-size encoder on a bf16 CPU); the saved model's own figures are computed in fp32.
        half = torch.bfloat16 if self.args.bf16 else torch.float16 if self.args.fp16 else None
        with torch.autocast(self.args.device.type, dtype=half or torch.float32, enabled=half is not None):
            if any_device and cfg.training.tune_thresholds:
                # One threshold, cheap to tune: each checkpoint is judged at its own best, so the
                # selection does not favour whichever epoch happens to suit the default.
                choice = tune_any_device(detector, run.dev_docs, progress=run.progress)
                run.settings = replace(run.settings, decode=run.settings.decode.override(
                    any_device_threshold=choice.threshold))
                detector.settings = run.settings
            rep = evaluate_detector(detector, run.dev_docs, cfg.training.eval_batch_size, run.progress,
                                    with_tc=cfg.training.select_metric == "tc_f1" or cfg.model.span_head,
                                    focus=cfg.training.focus_labels)
        if was_training:
            self.model.train()
        metrics = {f"{prefix}_{k}": v for k, v in headline(rep).items()}
        metrics["epoch"] = self.state.epoch
        if any_device:
            metrics[f"{prefix}_any_device_threshold"] = run.settings.decode.any_device_threshold
        return metrics

    def _save_checkpoint(self, model: Any, trial: Any) -> None:
        # Trainer writes checkpoints in place; write into a staging folder and rename instead,
        # so a kill mid-save never leaves a half checkpoint where resume would find it.
        run_dir = Path(self.args.output_dir)
        staging_root = run_dir / STAGING
        main = self.is_world_process_zero()
        if main:
            shutil.rmtree(staging_root, ignore_errors=True)
        # Under torchrun every process writes its RNG state into the same checkpoint, so all of
        # them write into the staging folder and the first process moves it into place after.
        self.accelerator.wait_for_everyone()
        real = self._get_output_dir
        self._get_output_dir = lambda trial=None: str(staging_root)  # type: ignore[method-assign]
        try:
            super()._save_checkpoint(model, trial)
        finally:
            self._get_output_dir = real  # type: ignore[method-assign]
        self.accelerator.wait_for_everyone()
        if main:
            name = f"checkpoint-{self.state.global_step}"
            replace_dir(staging_root / name, run_dir / name)
            shutil.rmtree(staging_root, ignore_errors=True)
            done = sorted((p for p in run_dir.iterdir() if p.name.startswith("checkpoint-")),
                          key=lambda p: int(p.name.split("-")[1]))
            for old in done[: -self.run.cfg.training.keep_checkpoints]:
                shutil.rmtree(old, ignore_errors=True)
        self.accelerator.wait_for_everyone()
