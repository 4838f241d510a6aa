"""TC micro-F1 of finished PTC runs when their span head is blended with a lexicon, over a range of
lexicon weights (decoding.lexicon_weight), on the runs' own dev and test articles.

    python benchmarks/lexicon_sweep.py runs/a runs/b --articles PTC/train-articles \\
        --labels PTC/train-labels-task2-technique-classification [--weights 0 0.3 0.5 0.7]

For each run a lexicon is fitted on the run's own training articles (splits.json: train, which
holds the dev articles too for a final fit), so no test article is seen. The span head is run once
per article and the blends are computed from its probabilities, as Detector.span_probs does. Runs
that were trained with a lexicon are scored with their head alone at weight 0, so any run works.
Prints one markdown row per run and split, and the lexicon alone.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tqdm.auto import tqdm

from framespan.config import CorpusSpec
from framespan.data import load_spec
from framespan.detector import Detector
from framespan.evaluation import allowed_labels, gold_rows, tc_answers
from framespan.labels import load_schema
from framespan.lexicon import blend, fit_for_run
from framespan.metrics import tc_scores
from framespan.training import load_run_config


def _tc(part, rows, probs, names) -> float:
    pred = {d.id: tc_answers(rows[d.id], probs[d.id], names) for d in part}
    return tc_scores(part, pred)["f1"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--articles", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--weights", nargs="+", type=float, default=[0.0, 0.3, 0.4, 0.5, 0.6, 0.7])
    ap.add_argument("--json", help="also write the figures here")
    args = ap.parse_args(argv)
    schema = load_schema("ptc14")
    docs = {d.id: d for d in load_spec(CorpusSpec(path=args.articles, labels=args.labels, format="ptc",
                                                  schema="ptc14"), schema, lenient=True)}
    names = schema.names
    results = {}
    print("| run | split | lexicon alone | " + " | ".join(f"w={w:g}" for w in args.weights) + " |")
    print("|---|---|---:|" + "---:|" * len(args.weights))
    for run in args.runs:
        splits = json.loads((Path(run) / "splits.json").read_text(encoding="utf-8"))
        lexicon, _ = fit_for_run(load_run_config(run).model, [docs[i] for i in splits["train"]], names)
        det = Detector.load(run)
        det.config.lexicon_weight = 0.0
        results[run] = {}
        for split in ("dev", "test"):
            part = [docs[i] for i in splits.get(split, [])]
            if not part:
                continue
            head, lex, rows = {}, {}, {}
            for d in tqdm(part, desc=f"{run} {split}", leave=False):
                rows[d.id] = gold_rows(d)
                ranges = sorted(rows[d.id])
                head[d.id] = det.span_probs(d.text, ranges, allowed_labels(det, d))
                lex[d.id] = lexicon.probs(d.text, ranges, names) * (head[d.id] > 0)

            alone = _tc(part, rows, lex, names)
            row = [_tc(part, rows, {i: blend(head[i], lex[i], w) for i in head}, names) for w in args.weights]
            results[run][split] = {"lexicon_alone": alone, **{str(w): f for w, f in zip(args.weights, row)}}
            print(f"| {run} | {split} | {alone:.3f} | " + " | ".join(f"{f:.3f}" for f in row) + " |", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
