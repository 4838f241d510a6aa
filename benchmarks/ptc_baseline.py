"""Plain Hugging Face baseline on PTC: a BIO token tagger for SI and a span-pair classifier for TC.

This is the "what a user gets" reference row of the results table: stock ``AutoModelFor...``
classes and ``Trainer``, no framespan modelling. framespan is used only to read the corpus, to
split it exactly as ``configs/ptc.yaml`` does (``split_documents(dev=0.1, test=0.25, seed=0)``)
and to score with the re-implemented official scorers.

SI. Each non-blank line of an article is one sentence (PTC puts one sentence per line). A
sentence is tokenized alone (max 128 tokens, the rest truncated) and every token gets B-PROP,
I-PROP or O from the union of all technique spans: B on the first token of a merged span, I on
the rest, O outside; special tokens are ignored. At prediction time each run of consecutive
B/I tokens becomes one character span, from its first token's start to its last token's end,
mapped back to article offsets.

TC. For every gold span of the training articles: input = (span text, text of the line(s)
holding the span) as a text pair, target = its technique (14 classes; a span carrying two
techniques gives two examples). On the test articles each distinct gold span is classified once
and gets the top-k techniques, k being the number of gold rows it has, as the TC scorer needs.

End to end. The SI spans, labelled by the TC classifier (top-1), scored with the 2019 FLC
metric (``labeled_scores``).

The dev part of the split is not used: there is no model selection, the last epoch is kept.

Usage:
    python benchmarks/ptc_baseline.py --articles PTC/train-articles \
        --labels PTC/train-labels-task2-technique-classification [--limit-train N] [--epochs 3] \
        [--out results.json]
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import json
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from framespan.spans import Document, Span  # noqa: E402

MAX_LENGTH = 128
LEARNING_RATE = 5e-5
BATCH_SIZE = 16
EVAL_BATCH_SIZE = 64
SEED = 42
BIO = ("O", "B-PROP", "I-PROP")
SI_LABEL = "propaganda"


@dataclass
class Sentence:
    """One line of an article: its document and its character range there."""

    doc_id: str
    start: int
    end: int


def sentences_of(doc: Document) -> list[Sentence]:
    """Non-blank lines of ``doc``, as character ranges (``\\r`` of CRLF files left out)."""
    out, pos = [], 0
    for line in doc.text.split("\n"):
        end = pos + len(line.rstrip("\r"))
        if doc.text[pos:end].strip():
            out.append(Sentence(doc.id, pos, end))
        pos += len(line) + 1
    return out


def line_context(text: str, start: int, end: int) -> str:
    """Text of the line(s) that hold ``text[start:end]``."""
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", max(start, end - 1))
    return text[left:right if right >= 0 else len(text)].rstrip("\r")


def merged_intervals(spans: Sequence[Span]) -> list[tuple[int, int]]:
    """Union of spans sharing characters (touching spans stay apart, so the second gets its own B)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted((s.start, s.end) for s in spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def bio_labels(offsets: Sequence[tuple[int, int]], special: Sequence[int], base: int,
               intervals: list[tuple[int, int]]) -> list[int]:
    """BIO ids for one tokenized sentence; ``base`` is the sentence start in the article; -100 = ignore."""
    ends = [e for _, e in intervals]  # merged intervals are disjoint, so ends are sorted too
    labels, prev = [], -1
    for (a, b), is_special in zip(offsets, special):
        if is_special or b <= a:
            labels.append(-100)
            continue
        a, b = a + base, b + base
        # The first interval ending after the token's start covers it if it starts before its end.
        i = bisect.bisect_right(ends, a)
        hit = i if i < len(intervals) and intervals[i][0] < b else -1
        labels.append(0 if hit < 0 else 1 if hit != prev else 2)
        prev = hit
    return labels


def runs_to_spans(tags: Sequence[int], offsets: Sequence[tuple[int, int]], base: int) -> list[Span]:
    """Character spans from runs of consecutive B/I tokens."""
    out: list[Span] = []
    cur: list[int] | None = None
    for tag, (a, b) in zip(tags, offsets):
        if b <= a:  # special token or empty piece: does not break a run
            continue
        if tag > 0:
            if cur is None:
                cur = [a, b]
            else:
                cur[1] = b
        elif cur is not None:
            out.append(Span(base + cur[0], base + cur[1], SI_LABEL))
            cur = None
    if cur is not None:
        out.append(Span(base + cur[0], base + cur[1], SI_LABEL))
    return out


def to_stderr() -> contextlib.AbstractContextManager[Any]:
    """Send Trainer's printed logs to stderr, so that stdout holds only the results JSON."""
    return contextlib.redirect_stdout(sys.stderr)


def training_args(out_dir: str, epochs: float) -> Any:
    """The same stock settings for both models; no evaluation or checkpoints during training."""
    from transformers import TrainingArguments

    return TrainingArguments(
        output_dir=out_dir,
        num_train_epochs=epochs,
        learning_rate=LEARNING_RATE,
        per_device_train_batch_size=BATCH_SIZE,
        per_device_eval_batch_size=EVAL_BATCH_SIZE,
        eval_strategy="no",
        save_strategy="no",
        logging_strategy="steps",
        logging_steps=50,
        report_to=[],
        seed=SEED,
        use_cpu=True,
        dataloader_num_workers=0,
    )


def encode_sentences(tok: Any, docs: Sequence[Document]) -> tuple[list[dict[str, Any]], list[Sentence],
                                                                   list[list[tuple[int, int]]], int]:
    """Tokenized sentences with BIO labels, their positions, token offsets and how many were truncated."""
    rows, where, offsets_all, truncated = [], [], [], 0
    for doc in docs:
        intervals = merged_intervals(doc.spans)
        for sent in sentences_of(doc):
            text = doc.text[sent.start:sent.end]
            enc = tok(text, truncation=True, max_length=MAX_LENGTH, return_offsets_mapping=True,
                      return_special_tokens_mask=True)
            offsets = [tuple(o) for o in enc["offset_mapping"]]
            if max((b for _, b in offsets), default=0) < len(text.rstrip()):
                truncated += 1
            row = {k: enc[k] for k in ("input_ids", "attention_mask", "token_type_ids") if k in enc}
            row["labels"] = bio_labels(offsets, enc["special_tokens_mask"], sent.start, intervals)
            rows.append(row)
            where.append(sent)
            offsets_all.append(offsets)
    return rows, where, offsets_all, truncated


def encode_pairs(tok: Any, pairs: Sequence[tuple[str, str]],
                 labels: Sequence[int] | None) -> list[dict[str, Any]]:
    """Tokenized (span text, context) pairs, with their technique ids when ``labels`` is given."""
    rows = []
    for i, (span_text, context) in enumerate(pairs):
        enc = tok(span_text, context, truncation=True, max_length=MAX_LENGTH)
        row = {k: enc[k] for k in ("input_ids", "attention_mask", "token_type_ids") if k in enc}
        if labels is not None:
            row["labels"] = labels[i]
        rows.append(row)
    return rows


def run_si(base: str, train: Sequence[Document], test: Sequence[Document], epochs: float) -> dict[str, Any]:
    """Train the BIO tagger, predict the test articles; returns predictions, timings and counts."""
    from datasets import Dataset
    from transformers import AutoModelForTokenClassification, AutoTokenizer, Trainer, set_seed
    from transformers import DataCollatorForTokenClassification as Collator

    tok = AutoTokenizer.from_pretrained(base)
    train_rows, _, _, trunc_train = encode_sentences(tok, train)
    test_rows, test_where, test_offsets, trunc_test = encode_sentences(tok, test)
    set_seed(SEED)
    model = AutoModelForTokenClassification.from_pretrained(
        base, num_labels=len(BIO), id2label=dict(enumerate(BIO)), label2id={n: i for i, n in enumerate(BIO)})
    with tempfile.TemporaryDirectory(prefix="ptc-baseline-si-") as tmp:
        trainer = Trainer(model=model, args=training_args(tmp, epochs),
                          train_dataset=Dataset.from_list(train_rows),
                          data_collator=Collator(tok), processing_class=tok)
        t0 = time.perf_counter()
        with to_stderr():
            trainer.train()
        train_min = (time.perf_counter() - t0) / 60
        t0 = time.perf_counter()
        with to_stderr():
            logits = trainer.predict(Dataset.from_list([{k: v for k, v in r.items() if k != "labels"}
                                                    for r in test_rows])).predictions
        predict_s = time.perf_counter() - t0
    pred: dict[str, list[Span]] = {d.id: [] for d in test}
    tags = logits.argmax(-1)
    for sent, offsets, row_tags in zip(test_where, test_offsets, tags):
        pred[sent.doc_id].extend(runs_to_spans(row_tags[:len(offsets)].tolist(), offsets, sent.start))
    return {"pred": pred, "train_minutes": train_min, "predict_seconds": predict_s,
            "train_sentences": len(train_rows), "test_sentences": len(test_rows),
            "truncated_sentences": {"train": trunc_train, "test": trunc_test}}


def run_tc(base: str, train: Sequence[Document], test: Sequence[Document], techniques: list[str],
           si_pred: dict[str, list[Span]], epochs: float) -> dict[str, Any]:
    """Train the span-pair classifier; label the test gold spans (top-k) and the SI spans (top-1)."""
    import numpy as np
    from datasets import Dataset
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, Trainer, set_seed
    from transformers import DataCollatorWithPadding as Collator

    tok = AutoTokenizer.from_pretrained(base)
    index = {t: i for i, t in enumerate(techniques)}
    pairs, targets = [], []
    for doc in train:
        for s in doc.spans:
            pairs.append((doc.text[s.start:s.end], line_context(doc.text, s.start, s.end)))
            targets.append(index[s.label])
    set_seed(SEED)
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=len(techniques), id2label=dict(enumerate(techniques)), label2id=index)

    # Test inputs: each distinct gold span once (with its row count), then every SI span.
    gold_spans: list[tuple[str, int, int, int]] = []
    for doc in test:
        for (start, end), k in sorted(Counter((s.start, s.end) for s in doc.spans).items()):
            gold_spans.append((doc.id, start, end, k))
    si_spans = [(doc_id, s) for doc_id, spans in si_pred.items() for s in spans]
    text_of = {d.id: d.text for d in test}
    test_pairs = [(text_of[d][a:b], line_context(text_of[d], a, b)) for d, a, b, _ in gold_spans]
    test_pairs += [(text_of[d][s.start:s.end], line_context(text_of[d], s.start, s.end)) for d, s in si_spans]

    collator = Collator(tok)
    with tempfile.TemporaryDirectory(prefix="ptc-baseline-tc-") as tmp:
        trainer = Trainer(model=model, args=training_args(tmp, epochs),
                          train_dataset=Dataset.from_list(encode_pairs(tok, pairs, targets)),
                          data_collator=collator, processing_class=tok)
        t0 = time.perf_counter()
        with to_stderr():
            trainer.train()
        train_min = (time.perf_counter() - t0) / 60
        t0 = time.perf_counter()
        if test_pairs:
            with to_stderr():
                logits = trainer.predict(Dataset.from_list(encode_pairs(tok, test_pairs, None))).predictions
        else:
            logits = np.zeros((0, len(techniques)))
        predict_s = time.perf_counter() - t0

    ranked = (-logits).argsort(-1)
    tc_pred: dict[str, list[Span]] = {d.id: [] for d in test}
    for (doc_id, start, end, k), order in zip(gold_spans, ranked):
        tc_pred[doc_id].extend(Span(start, end, techniques[j]) for j in order[:k])
    e2e_pred: dict[str, list[Span]] = {d.id: [] for d in test}
    for (doc_id, s), order in zip(si_spans, ranked[len(gold_spans):]):
        e2e_pred[doc_id].append(Span(s.start, s.end, techniques[order[0]]))
    return {"tc_pred": tc_pred, "e2e_pred": e2e_pred, "train_minutes": train_min,
            "predict_seconds": predict_s, "train_examples": len(pairs)}


def rounded(x: Any) -> Any:
    """``x`` with floats cut to 4 significant digits, for a readable JSON."""
    if isinstance(x, float):
        return float(f"{x:.4g}")
    if isinstance(x, dict):
        return {k: rounded(v) for k, v in x.items()}
    return x


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--articles", required=True, help="folder of articleID.txt files")
    ap.add_argument("--labels", required=True, help="folder of articleID.task2-TC.labels files")
    ap.add_argument("--limit-train", type=int, default=None, metavar="N",
                    help="train on the first N training articles only (smoke runs)")
    ap.add_argument("--epochs", type=float, default=3, help="epochs for each of the two models (default 3)")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads (default 2)")
    ap.add_argument("--out", default=None, help="also write the results JSON here")
    args = ap.parse_args(argv)

    # Rust tokenizers size their pool from this on first parallel use; keep them to the same cores.
    os.environ.setdefault("RAYON_NUM_THREADS", str(args.threads))
    import torch

    from framespan.backbone import resolve_base_model
    from framespan.corpora.common import SkipReport
    from framespan.corpora.ptc import read_ptc
    from framespan.data import split_documents
    from framespan.labels import load_schema
    from framespan.metrics import labeled_scores, si_scores, tc_scores

    torch.set_num_threads(args.threads)
    report = SkipReport()
    docs = read_ptc(args.articles, args.labels, lenient=True, report=report)
    if len(report):
        print(f"corpus: {report.summary()}", file=sys.stderr)
    split = split_documents(docs, dev=0.1, test=0.25, seed=0)
    train = split.train[:args.limit_train] if args.limit_train is not None else split.train
    test = split.test
    techniques = load_schema("ptc14").names
    base = resolve_base_model("minilm-l6")
    print(f"train {len(train)} docs (of {len(split.train)}), test {len(test)} docs, base {base}",
          file=sys.stderr)

    si = run_si(base, train, test, args.epochs)
    tc = run_tc(base, train, test, techniques, si["pred"], args.epochs)

    si_s = si_scores(test, si["pred"])
    tc_s = tc_scores(test, tc["tc_pred"], labels=techniques)
    e2e_s = labeled_scores(test, tc["e2e_pred"], labels=techniques)
    results = {
        "recipe": {"base_model": "minilm-l6", "epochs": args.epochs, "learning_rate": LEARNING_RATE,
                   "batch_size": BATCH_SIZE, "max_length": MAX_LENGTH, "threads": args.threads, "seed": SEED,
                   "split": {"dev": 0.1, "test": 0.25, "seed": 0}, "limit_train": args.limit_train},
        "docs": {"train": len(train), "dev_unused": len(split.dev), "test": len(test)},
        "si": {k: si_s[k] for k in ("precision", "recall", "f1", "n_gold", "n_pred")},
        "tc": {"micro_f1": tc_s["f1"], "macro_f1": tc_s["macro_f1"], "n_gold": tc_s["n_gold"],
               "per_technique_f1": {t: v["f1"] for t, v in tc_s["per_label"].items()}},
        "end_to_end_labeled": {k: e2e_s[k] for k in ("precision", "recall", "f1", "macro_f1", "n_gold",
                                                     "n_pred")},
        "train_minutes": {"si": si["train_minutes"], "tc": tc["train_minutes"]},
        "predict_seconds": {"si": si["predict_seconds"], "tc_and_end_to_end": tc["predict_seconds"]},
        "examples": {"si_train_sentences": si["train_sentences"], "si_test_sentences": si["test_sentences"],
                     "si_truncated_sentences": si["truncated_sentences"],
                     "tc_train_spans": tc["train_examples"]},
        "corpus_problems": report.counts() if len(report) else {},
    }
    results = rounded(results)
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    print(f"SI F1 {si_s['f1']:.3f} (P {si_s['precision']:.3f}, R {si_s['recall']:.3f}) after "
          f"{si['train_minutes']:.1f} min; TC micro-F1 {tc_s['f1']:.3f} after {tc['train_minutes']:.1f} min; "
          f"end-to-end labeled F1 {e2e_s['f1']:.3f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
