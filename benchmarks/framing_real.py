"""The four framespan devices on held-out real news: models and a second annotator against gold.

Gold: the PTC articles of a run split's test part, with our stand-off labels for
inevitability_appeal, anonymous_source and scare_quotes (data/ptc-framing/labels.tsv) and PTC's
own Name_Calling,Labeling as loaded_label. Scores are the project's labelled-span F1 (SemEval-2019
FLC partial credit, framespan.metrics.labeled_scores), per device and micro over the four.

    python benchmarks/framing_real.py --ptc PTC_DIR "framing=runs/framing" "quickstart=runs/quickstart" \
        [--write docs/benchmarks.md]

The second annotator (data/ptc-framing/second-pass.tsv) is scored on the articles it read, on
the three devices it annotated; loaded_label comes from PTC for both passes, so it is left out of
that row. Models are scored on those articles too, beside their scores on the whole test part.

Where data/ptc-framing/loaded-label.tsv is shipped (our own loaded_label annotation, in the
guidelines' sense), a third table scores loaded_label against it on the test articles: the two
independent passes it was settled from (loaded-label-first-pass.tsv, loaded-label-second-pass.tsv),
PTC's Name_Calling,Labeling as one more annotator, and each model, with the micro over the four
devices when loaded_label is ours.
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
import time
from pathlib import Path

from report_section import machine_line, write_section

from framespan.bootstrap import f1_interval, stats_array, stats_from_scores
from framespan.corpora.common import SkipReport
from framespan.corpora.ptc import read_ptc
from framespan.corpora.standoff import add_standoff, read_ids
from framespan.data import split_documents
from framespan.metrics import labeled_scores
from framespan.spans import Document

ROOT = Path(__file__).resolve().parents[1]
DEVICES = ["loaded_label", "inevitability_appeal", "anonymous_source", "scare_quotes"]
OWN = DEVICES[1:]
START, END = "<!-- framing-real:start -->", "<!-- framing-real:end -->"


def ptc_documents(ptc: Path, standoff: Path, articles: Path) -> list[Document]:
    """Every PTC article with the four devices: PTC's Name_Calling,Labeling and our other three."""
    # PTC's labels hold one exact duplicate row, which lenient reading drops (and reports here).
    docs = read_ptc(ptc / "train-articles", ptc / "train-labels-task2-technique-classification", lenient=True,
                    report=SkipReport())
    docs = [Document(d.id, d.text, [s.__class__(s.start, s.end, "loaded_label") for s in d.spans
                                    if s.label == "Name_Calling,Labeling"], frozenset({"loaded_label"}), d.meta)
            for d in docs]
    return add_standoff(docs, standoff, OWN, articles)


def part_of(corpus: list[Document], part: str = "test", split_seed: int = 0) -> list[Document]:
    """One part of the split configs/framing.yaml makes (dev 0.1, test 0.25)."""
    return getattr(split_documents(corpus, 0.1, 0.25, split_seed), part)


def gold_documents(ptc: Path, standoff: Path, articles: Path, split_seed: int = 0,
                   part: str = "test") -> list[Document]:
    """One part of the split with the four devices."""
    return part_of(ptc_documents(ptc, standoff, articles), part, split_seed)


def only(docs: list[Document], ids: set[str], labels: list[str]) -> list[Document]:
    return [Document(d.id, d.text, [s for s in d.spans if s.label in labels], frozenset(labels), d.meta)
            for d in docs if d.id in ids]


def with_own_labels(corpus: list[Document], keep: set[str], data: Path, pass_file: str,
                    articles: str = "loaded-label-articles.txt") -> list[Document] | None:
    """The articles of ``keep`` that a loaded_label pass read (``articles``), with its loaded_label
    spans in place of the corpus's (None where that pass is not shipped)."""
    if not (data / pass_file).exists():
        return None
    listed = data / articles
    read = set(read_ids(listed))
    docs = add_standoff(corpus, data / pass_file, ["loaded_label"], listed, replace_labels=True)
    return [d for d in docs if d.id in read and d.id in keep]


def intervals(gold: list[Document], pred: dict[str, list], labels: list[str]) -> dict[str, tuple[float, float]]:
    """95% bootstrap intervals over documents of each device's F1 and of the micro F1 ("micro")."""
    out = {}
    for key, labs in [("micro", labels)] + [(lab, [lab]) for lab in labels]:
        rows = [stats_from_scores(labeled_scores([d], {d.id: pred.get(d.id, [])}, labels=labs)) for d in gold]
        out[key] = f1_interval(stats_array(rows))
    return out


def cell(scores: dict, ci: tuple[float, float]) -> str:
    return (f"{scores['precision']:.2f} / {scores['recall']:.2f} / **{scores['f1']:.2f}** "
            f"({ci[0]:.2f}-{ci[1]:.2f})")


def row(name: str, scores: dict, labels: list[str], ci: dict[str, tuple[float, float]]) -> str:
    per = scores["per_label"]
    cells = [cell(per[lab], ci[lab]) if lab in labels else "–" for lab in DEVICES]
    return f"| {name} | {cell(scores, ci['micro'])} | " + " | ".join(cells) + " |"


def own_row(lines: list[str], name: str, own: list[Document], pred: dict[str, list], micro: bool) -> dict:
    """One row of the loaded-label table (appended to ``lines``): loaded_label against our annotation
    and, for a model, the micro over the four devices with that loaded_label."""
    ids = {d.id for d in own}
    pred = {k: v for k, v in pred.items() if k in ids}
    label = labeled_scores(own, pred, labels=["loaded_label"])
    cells = [cell(label, intervals(own, pred, ["loaded_label"])["micro"])]
    out = {"loaded_label": label}
    if micro:
        out["micro"] = labeled_scores(own, pred, labels=DEVICES)
        cells.append(cell(out["micro"], intervals(own, pred, DEVICES)["micro"]))
    lines.append(f"| {name} | " + " | ".join(cells + ["–"] * (2 - len(cells))) + " |")
    return out


def score_model(run: Path, docs: list[Document]) -> tuple[dict[str, list], float]:
    from framespan.detector import Detector

    det = Detector.load(run)
    t0 = time.perf_counter()
    pred = {d.id: [s for s in spans if s.label in DEVICES]
            for d, spans in zip(docs, det.predict_many(d.text for d in docs), strict=True)}
    return pred, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="*", help="NAME=RUN_FOLDER")
    ap.add_argument("--ptc", type=Path, required=True, help="PTC folder with train-articles and labels")
    ap.add_argument("--data", type=Path, default=ROOT / "data" / "ptc-framing")
    ap.add_argument("--write", type=Path, help="replace the framing-real section of this markdown file")
    ap.add_argument("--json", type=Path, help="also write every score as JSON")
    args = ap.parse_args(argv)
    corpus = ptc_documents(args.ptc, args.data / "labels.tsv", args.data / "articles.txt")
    gold = part_of(corpus)
    test_ids = {d.id for d in gold}
    second_ids = set(read_ids(args.data / "second-pass-articles.txt")) & {d.id for d in gold}
    second = add_standoff([Document(d.id, d.text, [], frozenset(), d.meta) for d in gold if d.id in second_ids],
                          args.data / "second-pass.tsv", OWN, args.data / "second-pass-articles.txt")
    sub_gold = only(gold, second_ids, OWN)
    results: dict = {"second_annotator": labeled_scores(sub_gold, {d.id: d.spans for d in second}, labels=OWN)}
    lines = [f"| who | micro P / R / F1 | {' | '.join(DEVICES)} |", "|---" * (len(DEVICES) + 2) + "|"]
    sub_lines = list(lines)
    second_pred = {d.id: d.spans for d in second}
    sub_lines.append(row("second annotator", results["second_annotator"], OWN, intervals(sub_gold, second_pred, OWN)))
    own = with_own_labels(corpus, test_ids, args.data, "loaded-label.tsv")
    first, second_pass = (with_own_labels(corpus, test_ids, args.data, f"loaded-label-{p}-pass.tsv",
                                          "loaded-label-passes-articles.txt") for p in ("first", "second"))
    own_lines = ["| who | loaded_label P / R / F1 | micro over the four, loaded_label ours |", "|---|---|---|"]
    if first is not None and second_pass is not None:
        results["loaded_label_ours:second pass against the first"] = own_row(
            own_lines, "second pass against the first (independent)", first, {d.id: d.spans for d in second_pass},
            micro=False)
    if own is not None:
        results["loaded_label_ours:PTC"] = own_row(own_lines, "PTC's Name_Calling,Labeling", own,
                                                   {d.id: d.spans for d in gold}, micro=False)
    for item in args.runs:
        name, _, path = item.rpartition("=")
        pred, seconds = score_model(Path(path), gold)
        if own is not None:
            results[f"loaded_label_ours:{name}"] = own_row(own_lines, name, own, pred, micro=True)
        full = labeled_scores(gold, pred, labels=DEVICES)
        sub = labeled_scores(sub_gold, {k: v for k, v in pred.items() if k in second_ids}, labels=OWN)
        results[name] = {"test": full, "second_pass_articles": sub, "predict_seconds": seconds}
        lines.append(row(name, full, DEVICES, intervals(gold, pred, DEVICES)))
        sub_lines.append(row(name, sub, OWN, intervals(sub_gold, pred, OWN)))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip()
    n_gold = {lab: sum(s.label == lab for d in gold for s in d.spans) for lab in DEVICES}
    text = "\n".join([
        START,
        f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit {commit}, "
        f"{machine_line()}, `benchmarks/framing_real.py`.",
        "",
        f"Held-out real articles: the {len(gold)} PTC test-split articles; gold spans per device "
        + ", ".join(f"{k} {v}" for k, v in n_gold.items()) + ". Labelled-span F1 (partial credit); in "
        "brackets, 95% bootstrap intervals over the articles (1000 resamples): how much a figure owes to "
        "which articles were held out.",
        "", *lines, "",
        f"The {len(sub_gold)} of them read by the second annotator, its three devices (loaded_label is PTC's "
        "for both passes):", "", *sub_lines,
        *(["", f"Loaded labels in the guidelines' sense: our own loaded_label annotation of {len(own)} of these "
            f"articles ({sum(s.label == 'loaded_label' for d in own for s in d.spans)} spans, "
            "`loaded-label.tsv`), against PTC's Name_Calling,Labeling and the models; first, the two "
            "independent passes it was settled from, one against the other:", "", *own_lines]
          if own is not None else []),
        END])
    print(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    if args.write:
        write_section(args.write, START, END, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
