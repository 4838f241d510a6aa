"""Training: config -> corpora -> windows -> Trainer, with dev-selected best model and safe resume."""

from __future__ import annotations

import json
import logging
import re
import shutil
import time
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from .config import RunConfig, apply_overrides, load_config, validate_config
from .errors import ConfigError, RunError
from .labels import LabelSchema, load_schema
from .runs import MANIFEST, atomic_write_json, atomic_write_text, replace_dir, verify_model_folder, write_manifest
from .spans import Document

log = logging.getLogger("framespan")
CHECKPOINTS = "checkpoints"
STAGING = ".staging"


def run_state(output: Path) -> str:
    """'empty', 'finished', or 'partial' (a run folder with checkpoints but no finished run)."""
    if not output.exists() or not any(output.iterdir()):
        return "empty"
    status = output / "run.json"
    if status.is_file():
        try:
            if json.loads(status.read_text(encoding="utf-8")).get("status") == "finished":
                return "finished"
        except ValueError:
            pass
    return "partial"


def latest_checkpoint(output: Path) -> Path | None:
    """Newest complete checkpoint; staged (half-written) ones live elsewhere and are never seen."""
    folder = output / CHECKPOINTS
    if not folder.is_dir():
        return None
    found = []
    for p in folder.iterdir():
        if p.is_dir() and p.name.startswith("checkpoint-") and p.name[11:].isdigit() and \
                (p / "trainer_state.json").is_file():
            found.append((int(p.name[11:]), p))
    return max(found)[1] if found else None


def _prepare_output(cfg_source: RunConfig | str | Path, output: Path, overrides: list[str], resume: bool,
                    overwrite: bool) -> RunConfig:
    state = run_state(output)
    if resume and overwrite:
        raise ConfigError("--resume and --overwrite contradict each other")
    if resume:
        saved = output / "config.yaml"
        if state == "finished":
            raise RunError(f"{output} holds a finished run; nothing to resume (use --overwrite to retrain)")
        if not saved.is_file():
            raise RunError(f"{output} has no config.yaml; nothing to resume")
        # The run folder's own config is the truth on resume, so a resumed run equals the original.
        cfg = load_config(saved, overrides)
        return cfg
    if state == "finished" and not overwrite:
        raise RunError(f"{output} already holds a finished run; pass --overwrite to replace it")
    if state == "partial" and not overwrite:
        raise RunError(f"{output} holds an unfinished run; pass --resume to continue it or --overwrite")
    if isinstance(cfg_source, RunConfig):
        cfg = validate_config(apply_overrides(cfg_source.to_dict(), overrides), "<config>") if overrides \
            else cfg_source
    else:
        cfg = load_config(cfg_source, overrides)
    if output.exists() and overwrite:
        shutil.rmtree(output)
    output.mkdir(parents=True, exist_ok=True)
    cfg.save(output / "config.yaml")
    return cfg


def is_main_process() -> bool:
    """False in the second and later processes that torchrun or accelerate started."""
    import os

    return int(os.environ.get("RANK", "0")) == 0


def _processes() -> Any | None:
    """accelerate's shared process state when torchrun or accelerate started several processes."""
    import os

    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return None
    import torch
    from accelerate import PartialState

    return PartialState(cpu=not torch.cuda.is_available())


def train(config: RunConfig | str | Path, output: str | Path, overrides: list[str] | None = None,
          resume: bool = False, overwrite: bool = False, progress: bool = True) -> Path:
    """Train a model as the config says into ``output``; return the run folder."""
    output = Path(output)
    main, processes = is_main_process(), _processes()
    # Under torchrun the first process checks and prepares the run folder; the others would
    # otherwise find its fresh config.yaml and take the folder for an unfinished run.
    if main:
        cfg = _prepare_output(config, output, overrides or [], resume, overwrite)
    if processes is not None:
        processes.wait_for_everyone()
    if not main:
        cfg = load_config(output / "config.yaml")
    schema = load_schema(cfg.labels)

    from .corpora.io import SkipReport
    from .data import load_corpora

    report = SkipReport()
    corpora = load_corpora(cfg, schema, report)
    if len(report):
        report.write(output / "skipped.jsonl")
        log.warning("skipped %d bad records (lenient mode); see %s", len(report), output / "skipped.jsonl")
    schema.save(output / "labels.yaml")
    atomic_write_json(output / "splits.json", corpora.split_ids())

    import torch
    import transformers
    from datasets import Dataset
    from transformers import AutoTokenizer, TrainingArguments

    from .backbone import resolve_base_model
    from .encoding import encode_documents, line_breaks_for
    from .model import build_model
    from .span_features import N_SPAN_FEATURES

    if cfg.training.threads:
        torch.set_num_threads(cfg.training.threads)
    transformers.set_seed(cfg.seed)
    base = resolve_base_model(cfg.model.base)
    tokenizer = AutoTokenizer.from_pretrained(base, use_fast=True, trust_remote_code=False)
    line_breaks = line_breaks_for(tokenizer) if cfg.model.line_breaks == "sep" else None
    stride = cfg.model.stride if cfg.training.stride is None else cfg.training.stride
    train_docs = corpora.train
    if cfg.training.typography:
        from .augment import augment_documents

        train_docs = augment_documents(train_docs, cfg.training.typography, cfg.seed)
    features = encode_documents(train_docs, tokenizer, schema, cfg.model.max_length, stride,
                                with_spans=cfg.model.span_head, detect=cfg.model.detect_head,
                                with_features=cfg.model.span_features, line_breaks=line_breaks)
    train_ds = Dataset.from_list(features)
    log.info("training windows: %d of %d tokens, %d shared", len(features), cfg.model.max_length, stride)
    transformers.logging.set_verbosity_error()  # the unused pooler weights are expected
    model = build_model(base, len(schema), cfg.model.dropout, cfg.model.span_head,
                        cfg.training.positive_weight, cfg.training.span_loss_weight, cfg.model.detect_head,
                        N_SPAN_FEATURES if cfg.model.span_features else 0, cfg.training.detect_loss_weight,
                        cfg.model.span_context, cfg.model.attention_dropout)
    if cfg.training.freeze_embeddings:
        # The vocabulary matrix is a fifth of MPNet-base's weights, and words seen a few times in a
        # small corpus gain little from updates beyond noise.
        model.encoder.get_input_embeddings().weight.requires_grad_(False)

    t = cfg.training
    has_dev = bool(corpora.dev)
    if not has_dev and cfg.decoding.tune_thresholds:
        what = (f"detect_threshold {cfg.decoding.detect_threshold}" if cfg.decoding.strategy == "detect"
                else f"threshold {cfg.decoding.threshold} and per-label thresholds {cfg.decoding.thresholds}")
        why = "data.train_on_dev" if cfg.data.train_on_dev else "no dev documents"
        log.warning("%s: nothing to tune thresholds on; the model keeps decoding's %s and the last epoch",
                    why, what)
    strategy = "steps" if t.eval_steps else "epoch"
    args = TrainingArguments(
        output_dir=str(output / CHECKPOINTS),
        num_train_epochs=t.epochs,
        max_steps=t.max_steps,
        per_device_train_batch_size=t.batch_size,
        per_device_eval_batch_size=t.eval_batch_size,
        gradient_accumulation_steps=t.grad_accum,
        learning_rate=t.learning_rate,
        weight_decay=t.weight_decay,
        warmup_steps=t.warmup_ratio,
        lr_scheduler_type="linear",
        logging_steps=t.logging_steps,
        eval_strategy=strategy if has_dev else "no",
        eval_steps=t.eval_steps,
        save_strategy=strategy,
        save_steps=t.eval_steps,
        seed=cfg.seed,
        data_seed=cfg.seed,
        report_to=[],
        disable_tqdm=not progress,
        remove_unused_columns=False,
        dataloader_num_workers=t.dataloader_workers,
        use_cpu=not torch.cuda.is_available(),
        fp16=t.fp16,
        bf16=t.bf16,
    )
    lexicon = None
    lexicon_info: dict[str, Any] = {}
    if cfg.model.lexicon:
        from .lexicon import fit_for_run

        # Deterministic and quick (under a minute on PTC), so a resumed run fits it again rather
        # than storing it.
        lexicon, lexicon_info = fit_for_run(cfg.model, corpora.train, schema.names)
        log.info("lexicon: %s", lexicon_info)
    trainer = _make_trainer(model, args, train_ds, tokenizer, schema, cfg, corpora.train, corpora.dev, output,
                            progress, line_breaks, lexicon)
    checkpoint = latest_checkpoint(output) if resume else None
    started = time.time()
    status = {"status": "training", "started": _now(), "resumed_from": str(checkpoint) if checkpoint else None}
    atomic_write_json(output / "run.json", status)
    trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    if has_dev and trainer.last_eval_step != trainer.state.global_step:
        trainer.evaluate()  # max_steps can end between evaluations; the last steps count too
    train_seconds = time.time() - started
    if not trainer.is_world_process_zero():
        return output  # under torchrun one process saves, tunes, scores and writes the run's reports
    if not has_dev:
        trainer.save_best(trainer.model, {"note": "no dev set: last model kept"})

    # Final evaluation uses the saved best model exactly as users will load it.
    from .evaluation import evaluate_detector, headline
    from .inference import Detector

    # On the device training used: on a GPU, tuning and scoring on the CPU took longer than the
    # training itself (docs/benchmarks.md, eleventh session).
    device = str(trainer.args.device)
    if cfg.decoding.tune_thresholds and has_dev:
        tune_model_folder(output / "model", corpora.dev, t.select_metric, progress, device=device)
    detector = Detector.load(output / "model", device=device)
    metrics: dict[str, Any] = {}
    for name, docs in (("dev", corpora.dev), ("test", corpora.test)):
        if docs:
            rep = evaluate_detector(detector, docs, t.eval_batch_size, progress)
            rep.pop("predictions", None)
            metrics[name] = rep
    metrics["headline"] = {k: headline(v) for k, v in metrics.items()}
    atomic_write_json(output / "metrics.json", metrics)
    _write_metrics_md(output, metrics)
    shutil.rmtree(output / CHECKPOINTS, ignore_errors=True)
    previous = json.loads((output / "run.json").read_text(encoding="utf-8"))
    status = {**previous, "status": "finished", "finished": _now(),
              "train_seconds_this_session": round(train_seconds, 1),
              "documents": {k: len(v) for k, v in corpora.split_ids().items()},
              "train_windows": len(train_ds),
              "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
              "base_model": cfg.model.base, **({"lexicon": lexicon_info} if lexicon_info else {})}
    atomic_write_json(output / "run.json", status)
    return output


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def tune_model_folder(folder: Path, dev_docs: list[Document], select_metric: str,
                      progress: bool = True, label_weights: Sequence[float] | None = None,
                      device: str = "auto") -> dict[str, Any]:
    """Tune a model folder's decision thresholds on ``dev_docs`` and save them into it: the
    any-device threshold (and label weight) for SI under the detect strategy, else per-label
    thresholds for the run's selection metric. ``label_weights`` replaces the folder's candidate
    label weights. ``device``: where the model runs (see ``Detector.load``). Returns what was chosen."""
    from .evaluation import tune_detect, tune_thresholds
    from .inference import Detector

    detector = Detector.load(folder, device=device)
    if detector.config.strategy == "detect":
        choice = tune_detect(detector, dev_docs, weights=label_weights, progress=progress)
        _update_thresholds(folder, {}, choice.threshold, choice.label_weight, label_weights)
        return {"detect_threshold": choice.threshold, "detect_label_weight": choice.label_weight,
                "dev_si_f1": round(choice.si_f1, 4)}
    objective = select_metric if select_metric in ("si_f1", "labeled_f1", "exact_f1") else "labeled_f1"
    thresholds = tune_thresholds(detector, dev_docs, objective, progress=progress)
    _update_thresholds(folder, thresholds)
    return {"thresholds": thresholds}


def _update_thresholds(folder: Path, thresholds: dict[str, float], detect: float | None = None,
                       label_weight: float | None = None, label_weights: Sequence[float] | None = None) -> None:
    from .inference import InferenceConfig

    inf = InferenceConfig.load(folder)
    inf.thresholds = {**inf.thresholds, **thresholds}
    if detect is not None:
        inf.detect_threshold = detect
    if label_weight is not None:
        inf.detect_label_weight = label_weight
    if label_weights is not None:
        inf.detect_label_weights = [float(w) for w in label_weights]
    inf.save(folder)
    # Keep what else the manifest records (an ONNX export's details) beside the file list.
    old = folder / MANIFEST
    extra = {k: v for k, v in json.loads(old.read_text(encoding="utf-8")).items() if k != "files"} \
        if old.is_file() else None
    write_manifest(folder, extra)


def retune_run(run_dir: str | Path, label_weights: Sequence[float] | None = None,
               progress: bool = True, device: str = "auto") -> dict[str, Any]:
    """Tune a trained run's decision thresholds again on its own dev split, as training does at the
    end, and swap the model folder's new settings in atomically. ``label_weights``: detect-strategy
    label weights to try with the threshold (default: the folder's own candidates). The record is
    returned and saved as ``retuned.json`` in the run folder, since config.yaml no longer says
    everything about the model's decoding."""
    import os

    from .export import export_tune_docs
    from .inference import InferenceConfig, model_folder

    run_dir = Path(run_dir)
    folder = model_folder(run_dir)
    if folder == run_dir:
        raise RunError(f"{run_dir} is a model folder without its run (config.yaml, splits.json): there is "
                       "no dev split to tune on")
    before = InferenceConfig.load(folder)
    if label_weights is not None and before.strategy != "detect":
        raise RunError(f"{run_dir}: label weights apply to the detect strategy; this model decodes "
                       f"with {before.strategy!r}")
    # The run's dev documents and selection metric, read as an int8 export reads them.
    tune = export_tune_docs(run_dir, "dev")
    staging = folder.parent / f".{folder.name}.tune-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    # Hard links: the weights stay shared, and only files written anew (atomically) differ.
    shutil.copytree(folder, staging, copy_function=os.link)
    try:
        # Loading the staging copy verifies its checksums, i.e. the run's model as it is on disk.
        chosen = tune_model_folder(staging, list(tune.docs), tune.select_metric, progress, label_weights, device)
        verify_model_folder(staging)
        replace_dir(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    keys = ("detect_threshold", "detect_label_weight") if before.strategy == "detect" else ("thresholds",)
    record = {"at": _now(), "split": "dev", "documents": len(tune.docs),
              "before": {k: getattr(before, k) for k in keys}, "after": chosen}
    atomic_write_json(run_dir / "retuned.json", record)
    return record


def _write_metrics_md(output: Path, metrics: dict[str, Any]) -> None:
    from .metrics import report_markdown

    parts = []
    for name in ("dev", "test"):
        if name in metrics:
            parts.append(f"## {name}\n\n{report_markdown(metrics[name])}")
    atomic_write_text(output / "metrics.md", "\n\n".join(parts) + "\n")


_LAYER = re.compile(r"\.layers?\.(\d+)\.")


def _encoder_depth(name: str, n_layers: int) -> int:
    """0 for the embeddings, i + 1 for transformer layer i, n_layers for whatever sits on top
    (pooler, MPNet's shared relative-position bias)."""
    m = _LAYER.search(name)
    if m:
        return int(m.group(1)) + 1
    return 0 if ".embeddings." in name else n_layers


def _param_groups(model: Any, lr: float, head_lr: float | None, weight_decay: float,
                  layer_decay: float = 1.0) -> list[dict[str, Any]]:
    n_layers = int(model.encoder.config.num_hidden_layers) if layer_decay < 1 else 0
    # Head and encoder stay in separate groups even at equal rates: a checkpoint's optimizer state
    # is restored group by group, so the grouping must not depend on the rates chosen.
    groups: dict[tuple[bool, float, bool], list[Any]] = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        is_head = not name.startswith("encoder.")
        if is_head:
            rate = head_lr or lr
        elif layer_decay < 1:
            rate = lr * layer_decay ** (n_layers - _encoder_depth(name, n_layers))
        else:
            rate = lr
        no_decay = p.ndim < 2  # biases and norms
        groups.setdefault((is_head, rate, no_decay), []).append(p)
    return [{"params": ps, "lr": rate, "weight_decay": 0.0 if no_decay else weight_decay}
            for (_, rate, no_decay), ps in groups.items()]


def _make_trainer(model: Any, args: Any, train_ds: Any, tokenizer: Any, schema: LabelSchema, cfg: RunConfig,
                  train_docs: list[Document], dev_docs: list[Document], output: Path, progress: bool,
                  line_breaks: Any = None, lexicon: Any = None) -> Any:
    import torch
    from transformers import Trainer, TrainerCallback

    from .encoding import Collator
    from .evaluation import evaluate_detector, headline, tune_detect_threshold
    from .inference import Detector, InferenceConfig, TorchBackend

    active: set[str] = set()
    for d in train_docs:
        active |= set(d.annotated_labels) if d.annotated_labels is not None else set(schema.names)
    inference_cfg = InferenceConfig(cfg.model.max_length, cfg.model.stride, cfg.decoding.threshold,
                                    dict(cfg.decoding.thresholds), cfg.decoding.snap_to_words,
                                    cfg.decoding.min_chars, [n for n in schema.names if n in active],
                                    cfg.decoding.continue_ratio, cfg.model.detect_head, cfg.decoding.strategy,
                                    cfg.decoding.detect_threshold,
                                    line_breaks.token_id if line_breaks else None,
                                    line_breaks.placeholder if line_breaks else "",
                                    cfg.decoding.lexicon_weight if lexicon is not None else 0.0,
                                    cfg.decoding.detect_label_weight,
                                    list(cfg.decoding.detect_label_weights) if cfg.decoding.tune_thresholds else [])
    best_file = output / "best.json"

    class LogToFile(TrainerCallback):
        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kw: Any) -> None:
            if logs and state.is_world_process_zero:
                with open(output / "train_log.jsonl", "a", encoding="utf-8") as f:
                    f.write(json.dumps({"step": state.global_step, "epoch": state.epoch, **logs}) + "\n")

    class FramespanTrainer(Trainer):
        last_eval_step = -1

        def create_optimizer(self, model: Any = None) -> Any:
            if self.optimizer is None:
                self.optimizer = torch.optim.AdamW(
                    _param_groups(self.model, cfg.training.learning_rate, cfg.training.head_learning_rate,
                                  cfg.training.weight_decay, cfg.training.layer_lr_decay),
                    lr=cfg.training.learning_rate)
            return self.optimizer

        def save_best(self, model: Any, info: dict[str, Any]) -> None:
            staging = output / f"{STAGING}-model"
            shutil.rmtree(staging, ignore_errors=True)
            model.save(staging)
            tokenizer.save_pretrained(str(staging))
            schema.save(staging / "labels.yaml")
            inference_cfg.save(staging)
            if lexicon is not None:
                lexicon.save(staging)
            (staging / "framespan.json").write_text(json.dumps(
                {"base_model": cfg.model.base, "labels": schema.name, **info}, indent=2), encoding="utf-8")
            write_manifest(staging)
            replace_dir(staging, output / "model")

        def evaluate(self, eval_dataset: Any = None, ignore_keys: Any = None,
                     metric_key_prefix: str = "eval") -> dict[str, float]:
            self.last_eval_step = self.state.global_step
            if not self.is_world_process_zero():
                # Under torchrun the first process scores the dev documents and saves the best model;
                # the others wait for it at their next step.
                return {}
            was_training = self.model.training
            self.model.eval()
            detector = Detector(TorchBackend(model=self.model, device=str(self.args.device)), tokenizer,
                                schema, inference_cfg, lexicons=[lexicon] if lexicon is not None else [])
            # Checkpoints are judged in the precision they train in (half the time of fp32 for a
            # base-size encoder on a bf16 CPU); the saved model's own figures are computed in fp32.
            half = torch.bfloat16 if self.args.bf16 else torch.float16 if self.args.fp16 else None
            with torch.autocast(self.args.device.type, dtype=half or torch.float32, enabled=half is not None):
                if inference_cfg.strategy == "detect" and cfg.decoding.tune_thresholds:
                    # One threshold, cheap to tune: each checkpoint is judged at its own best, so the
                    # selection does not favour whichever epoch happens to suit the default.
                    inference_cfg.detect_threshold = tune_detect_threshold(detector, dev_docs, progress=progress)
                rep = evaluate_detector(detector, dev_docs, cfg.training.eval_batch_size, progress,
                                        with_tc=cfg.training.select_metric == "tc_f1" or cfg.model.span_head)
            if was_training:
                self.model.train()
            metrics = {f"{metric_key_prefix}_{k}": v for k, v in headline(rep).items()}
            metrics["epoch"] = self.state.epoch
            if inference_cfg.strategy == "detect":
                metrics[f"{metric_key_prefix}_detect_threshold"] = inference_cfg.detect_threshold
            key = cfg.training.select_metric
            value = metrics.get(f"{metric_key_prefix}_{key}", 0.0)
            best = json.loads(best_file.read_text()) if best_file.is_file() else None
            # Strictly better only: a resumed run that re-reaches the same point keeps the same best.
            if best is None or value > best["value"]:
                info = {"metric": key, "value": value, "step": self.state.global_step, "epoch": self.state.epoch}
                self.save_best(self.model, {"selected_on": info})
                atomic_write_json(best_file, info)
            self.log(metrics)
            self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
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
                for old in done[: -cfg.training.keep_checkpoints]:
                    shutil.rmtree(old, ignore_errors=True)
            self.accelerator.wait_for_everyone()

    # Trainer insists on an eval dataset when evaluating; ours evaluates whole documents instead.
    return FramespanTrainer(model=model, args=args, train_dataset=train_ds,
                            eval_dataset=train_ds.select(range(1)) if dev_docs else None,
                            data_collator=Collator(tokenizer.pad_token_id or 0,
                                                   len(schema) + int(cfg.model.detect_head)),
                            callbacks=[LogToFile()])


def load_run_config(run_dir: str | Path) -> RunConfig:
    path = Path(run_dir) / "config.yaml"
    if not path.is_file():
        raise RunError(f"{run_dir}: no config.yaml (not a framespan run folder?)")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return validate_config(data, str(path), check_paths=False)


def load_run_split(run_dir: str | Path, split: str, schema: LabelSchema, report: Any = None) -> list[Document]:
    """The documents of a run's own split ('train', 'dev' or 'test'), read again from the corpus its
    config.yaml names and picked by the ids in its splits.json."""
    from .data import load_corpora

    run_dir = Path(run_dir)
    cfg = load_run_config(run_dir)
    split_file = run_dir / "splits.json"
    if not split_file.is_file():
        raise RunError(f"{run_dir}: no splits.json, so the run's {split} split is not known")
    ids = set(json.loads(split_file.read_text(encoding="utf-8")).get(split, []))
    corpora = load_corpora(cfg, schema, report)
    return [d for part in (corpora.train, corpora.dev, corpora.test) for d in part if d.id in ids]



