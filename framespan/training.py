"""``train``: config -> corpora -> windows -> Trainer -> a run folder with the best model, tuned and scored."""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .atomic import atomic_write_json, atomic_write_text
from .config import RunConfig, apply_overrides, load_config, retired_in_use, validate_config
from .corpora.common import SkipReport
from .data import Corpora, load_corpora
from .errors import ConfigError, RunError
from .labels import LabelSchema, load_schema
from .layout import CHECKPOINTS, CONFIG, LABELS, METRICS, METRICS_MD, MODEL_DIR, SKIPPED, SPLITS
from .rundir import RunDir, TuneSet, now
from .settings import DecodeSettings, FolderSettings, WindowSettings

log = logging.getLogger("framespan")


def is_main_process() -> bool:
    """False in the second and later processes that torchrun or accelerate started."""
    return int(os.environ.get("RANK", "0")) == 0


def _processes() -> Any | None:
    """accelerate's shared process state when torchrun or accelerate started several processes."""
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return None
    import torch
    from accelerate import PartialState

    return PartialState(cpu=not torch.cuda.is_available())


def leave_process_group() -> None:
    """Under torchrun, every process leaves the process group together once training is over: left
    to interpreter exit, or left by one process while another still holds it, the gloo backend's
    threads can abort a process that has finished its work."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def prepare_output(source: RunConfig | str | Path, output: Path, overrides: list[str], resume: bool,
                   overwrite: bool) -> RunConfig:
    """The run's config, saved in ``output`` (on resume: the folder's own config, which is the truth)."""
    state = RunDir(output).state()
    if resume and overwrite:
        raise ConfigError("--resume and --overwrite contradict each other")
    if resume:
        if state == "finished":
            raise RunError(f"{output} holds a finished run; nothing to resume (use --overwrite to retrain)")
        if not (output / CONFIG).is_file():
            raise RunError(f"{output} has no {CONFIG}; nothing to resume")
        used = retired_in_use(yaml.safe_load((output / CONFIG).read_text(encoding="utf-8")) or {})
        if used:
            raise RunError(f"{output} was started with {', '.join(used)}, which this version no longer has; "
                           "finish it with framespan 0.1.x, or start it again with --overwrite")
        return load_config(output / CONFIG, overrides, saved=True)
    if state == "finished" and not overwrite:
        raise RunError(f"{output} already holds a finished run; pass --overwrite to replace it")
    if state == "partial" and not overwrite:
        raise RunError(f"{output} holds an unfinished run; pass --resume to continue it or --overwrite")
    if isinstance(source, RunConfig):
        cfg = validate_config(apply_overrides(source.to_dict(), overrides), "<config>") if overrides else source
    else:
        cfg = load_config(source, overrides)
    if output.exists() and overwrite:
        shutil.rmtree(output)
    output.mkdir(parents=True, exist_ok=True)
    cfg.save(output / CONFIG)
    return cfg


def read_data(cfg: RunConfig, output: Path) -> tuple[LabelSchema, Corpora]:
    """The run's corpora, split; lenient skips, the schema and the split are recorded in the run."""
    schema = load_schema(cfg.labels)
    _check_label_names(cfg, schema)
    report = SkipReport()
    corpora = load_corpora(cfg, schema, report)
    if len(report):
        report.write(output / SKIPPED)
        log.warning("skipped %d bad records (lenient mode); see %s", len(report), output / SKIPPED)
    schema.save(output / LABELS)
    atomic_write_json(output / SPLITS, corpora.split_ids())
    return schema, corpora


def _check_label_names(cfg: RunConfig, schema: LabelSchema) -> None:
    # Before training, not at its end, where tuning and decoding would first read these names.
    for key, names in (("training.focus_labels", cfg.training.focus_labels),
                       ("decoding.head_weighed", cfg.decoding.head_weighed)):
        unknown = schema.unknown(names)
        if unknown:
            raise ConfigError(f"{key}: {unknown} are not labels of the {schema.name!r} schema "
                              f"({', '.join(schema.names)})")


@dataclass
class Built:
    """The model, its inputs and what its folder will say, before training starts."""

    model: Any
    tokenizer: Any
    train_ds: Any
    settings: FolderSettings
    lexicon: Any
    lexicon_info: dict[str, Any]


def build(cfg: RunConfig, schema: LabelSchema, corpora: Corpora) -> Built:
    """Tokenizer, training windows (typography-augmented), a fresh model, its lexicon and settings."""
    import transformers
    from datasets import Dataset
    from transformers import AutoTokenizer

    from .augment import augment_documents
    from .backbone import resolve_base_model
    from .encoding import encode_documents, line_breaks_for
    from .model import HeadConfig, build_model
    from .span_features import N_SPAN_FEATURES

    transformers.set_seed(cfg.seed)
    base = resolve_base_model(cfg.model.base)
    tokenizer = AutoTokenizer.from_pretrained(base, use_fast=True, trust_remote_code=False)
    breaks = line_breaks_for(tokenizer) if cfg.model.line_breaks == "sep" else None
    train_docs = augment_documents(corpora.train, cfg.training.typography, cfg.seed) \
        if cfg.training.typography else corpora.train
    features = encode_documents(train_docs, tokenizer, schema, cfg.model.max_length, cfg.model.stride,
                                with_spans=cfg.model.span_head, any_device=cfg.model.any_device_head,
                                with_features=cfg.model.span_features, line_breaks=breaks)
    log.info("training windows: %d of %d tokens, %d shared", len(features), cfg.model.max_length,
             cfg.model.stride)
    transformers.logging.set_verbosity_error()  # the unused pooler weights are expected
    head = HeadConfig(len(schema), cfg.model.dropout, cfg.model.span_head, cfg.training.positive_weight,
                      cfg.model.any_device_head, N_SPAN_FEATURES if cfg.model.span_features else 0,
                      cfg.training.any_device_loss_weight)
    lexicon, lexicon_info = None, {}
    if cfg.model.lexicon:
        from .lexicon import fit_for_run

        # Deterministic and quick (under a minute on PTC), so a resumed run fits it again rather
        # than storing it.
        lexicon, lexicon_info = fit_for_run(cfg.model.lexicon_c, corpora.train, schema.names)
        log.info("lexicon: %s", lexicon_info)
    active = {n for d in corpora.train for n in (d.annotated_labels or schema.names)}
    window = WindowSettings(cfg.model.max_length, cfg.model.stride, breaks.token_id if breaks else None,
                            breaks.placeholder if breaks else "")
    decode: DecodeSettings = cfg.decoding.override(lexicon_weight=cfg.decoding.lexicon_weight if lexicon else 0.0)
    settings = FolderSettings(window, decode, [n for n in schema.names if n in active], cfg.model.any_device_head)
    return Built(build_model(base, head), tokenizer, Dataset.from_list(features), settings, lexicon, lexicon_info)


def make_trainer(cfg: RunConfig, output: Path, built: Built, schema: LabelSchema, dev_docs: list[Any],
                 progress: bool) -> Any:
    import torch
    from transformers import TrainingArguments

    from .encoding import Collator
    from .trainer import FramespanTrainer, RunParts

    t = cfg.training
    strategy = "steps" if t.eval_steps else "epoch"
    args = TrainingArguments(
        output_dir=str(output / CHECKPOINTS), num_train_epochs=t.epochs, max_steps=t.max_steps,
        per_device_train_batch_size=t.batch_size, per_device_eval_batch_size=t.eval_batch_size,
        gradient_accumulation_steps=t.grad_accum, learning_rate=t.learning_rate, weight_decay=t.weight_decay,
        warmup_steps=t.warmup_ratio, lr_scheduler_type="linear", logging_steps=t.logging_steps,
        eval_strategy=strategy if dev_docs else "no", eval_steps=t.eval_steps, save_strategy=strategy,
        save_steps=t.eval_steps, seed=cfg.seed, data_seed=cfg.seed, report_to=[], disable_tqdm=not progress,
        remove_unused_columns=False, dataloader_num_workers=t.dataloader_workers,
        train_sampling_strategy="group_by_length" if t.group_by_length else "random",
        use_cpu=not torch.cuda.is_available(), fp16=t.fp16, bf16=t.bf16)
    parts = RunParts(output, cfg, schema, built.tokenizer, built.settings, dev_docs, built.lexicon, progress)
    # Trainer insists on an eval dataset when evaluating; ours evaluates whole documents instead.
    return FramespanTrainer(model=built.model, args=args, train_dataset=built.train_ds,
                            eval_dataset=built.train_ds.select(range(1)) if dev_docs else None,
                            data_collator=Collator(built.tokenizer.pad_token_id or 0,
                                                   len(schema) + int(cfg.model.any_device_head)),
                            run=parts)


def score(output: Path, cfg: RunConfig, corpora: Corpora, device: str, progress: bool) -> dict[str, Any]:
    """Tune the saved model's thresholds on dev (if asked) and score it on dev and test, exactly as
    users will load it; writes metrics.json and metrics.md."""
    from .detector import Detector
    from .evaluation import evaluate_detector, headline
    from .metrics import report_markdown
    from .tuning import tune_folder

    if cfg.training.tune_thresholds and corpora.dev:
        tune = TuneSet.of(corpora.dev, f"dev split ({len(corpora.dev)} documents)", cfg.training)
        tune_folder(output / MODEL_DIR, tune, progress, device=device)
    detector = Detector.load(output / MODEL_DIR, device=device)
    metrics: dict[str, Any] = {}
    for name, docs in (("dev", corpora.dev), ("test", corpora.test)):
        if docs:
            rep = evaluate_detector(detector, docs, cfg.training.eval_batch_size, progress,
                                    focus=cfg.training.focus_labels)
            rep.pop("predictions", None)
            metrics[name] = rep
    metrics["headline"] = {k: headline(v) for k, v in metrics.items()}
    atomic_write_json(output / METRICS, metrics)
    atomic_write_text(output / METRICS_MD, "\n\n".join(
        f"## {name}\n\n{report_markdown(metrics[name])}" for name in ("dev", "test") if name in metrics) + "\n")
    return metrics


def train(config: RunConfig | str | Path, output: str | Path, overrides: list[str] | None = None,
          resume: bool = False, overwrite: bool = False, progress: bool = True) -> Path:
    """Train a model as the config says into ``output``; return the run folder."""
    import torch
    import transformers

    output, main, processes = Path(output), is_main_process(), _processes()
    # Under torchrun the first process checks and prepares the run folder; the others would
    # otherwise find its fresh config.yaml and take the folder for an unfinished run.
    cfg = prepare_output(config, output, overrides or [], resume, overwrite) if main else None
    if processes is not None:
        processes.wait_for_everyone()
    cfg = cfg or load_config(output / CONFIG)
    if cfg.training.threads:
        torch.set_num_threads(cfg.training.threads)
    schema, corpora = read_data(cfg, output)
    _warn_untuned(cfg, corpora)
    built = build(cfg, schema, corpora)
    trainer = make_trainer(cfg, output, built, schema, corpora.dev, progress)
    rundir = RunDir(output)
    checkpoint = rundir.latest_checkpoint() if resume else None
    atomic_write_json(rundir.path / "run.json", {"status": "training", "started": now(),
                                                  "resumed_from": str(checkpoint) if checkpoint else None})
    started = time.time()
    trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    if corpora.dev and trainer.last_eval_step != trainer.state.global_step:
        trainer.evaluate()  # max_steps can end between evaluations; the last steps count too
    seconds = time.time() - started
    leave_process_group()  # what follows is one process's work, with no collective in it
    if not trainer.is_world_process_zero():
        return output  # under torchrun one process saves, tunes, scores and writes the run's reports
    if not corpora.dev:
        trainer.save_best({"note": "no dev set: last model kept"})
    # On the device training used: on a GPU, tuning and scoring on the CPU took longer than training.
    score(output, cfg, corpora, str(trainer.args.device), progress)
    shutil.rmtree(output / CHECKPOINTS, ignore_errors=True)
    rundir.update_status(status="finished", finished=now(), train_seconds_this_session=round(seconds, 1),
                         documents={k: len(v) for k, v in corpora.split_ids().items()},
                         train_windows=len(built.train_ds), base_model=cfg.model.base,
                         versions={"torch": torch.__version__, "transformers": transformers.__version__},
                         **({"lexicon": built.lexicon_info} if built.lexicon_info else {}))
    return output


def _warn_untuned(cfg: RunConfig, corpora: Corpora) -> None:
    if cfg.training.tune_thresholds and not corpora.dev:
        log.warning("no dev documents: nothing to tune thresholds on; the model keeps decoding's thresholds "
                    "and the last epoch")
