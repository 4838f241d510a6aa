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
from collections import Counter
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from framespan.config import CorpusSpec
from framespan.data import load_spec
from framespan.inference import Detector
from framespan.labels import load_schema
from framespan.lexicon import blend, fit_lexicon
from framespan.metrics import tc_scores
from framespan.spans import Span


def _answers(doc, ranges, counts, probs, names):
    out = []
    for (start, end), p in zip(ranges, probs, strict=True):
        for j in np.argsort(-p, kind="stable")[: counts[(start, end)]]:
            out.append(Span(start, end, names[int(j)], float(p[j])))
    return out


def _tc(part, keys, probs, names) -> float:
    pred = {d.id: _answers(d, *keys[d.id], probs[d.id], names) for d in part}
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
        lexicon = fit_lexicon([docs[i] for i in splits["train"]], names)
        det = Detector.load(run)
        det.config.lexicon_weight = 0.0
        results[run] = {}
        for split in ("dev", "test"):
            part = [docs[i] for i in splits.get(split, [])]
            if not part:
                continue
            head, lex, keys = {}, {}, {}
            for d in tqdm(part, desc=f"{run} {split}", leave=False):
                counts = Counter((s.start, s.end) for s in d.spans)
                ranges = sorted(counts)
                allowed = [n for n in det.active_labels if d.annotated_labels is None or n in d.annotated_labels]
                head[d.id] = det.span_probs(d.text, ranges, allowed)
                lex[d.id] = lexicon.probs(d.text, ranges, names) * (head[d.id] > 0)
                keys[d.id] = (ranges, counts)

            alone = _tc(part, keys, lex, names)
            row = [_tc(part, keys, {i: blend(head[i], lex[i], w) for i in head}, names) for w in args.weights]
            results[run][split] = {"lexicon_alone": alone, **{str(w): f for w, f in zip(args.weights, row)}}
            print(f"| {run} | {split} | {alone:.3f} | " + " | ".join(f"{f:.3f}" for f in row) + " |", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
