"""TC from the official template layout, against the same spans listed once: export-semeval end to end.

Builds, from a run's dev split of the PTC training articles, the template the task distributes
(``ID ? START END``, one line per gold span, so a span with two techniques is listed twice) and a
de-duplicated one (each span once). ``framespan export-semeval`` answers both; the answers are
scored as the official TC scorer walks rows (``check_official_scorer.official_tc``) and with
``framespan.metrics.tc_scores``. The de-duplicated answers are scored against gold reduced to
the first-listed technique of each span, the only gold a one-row-per-span file can be checked
against.

    python benchmarks/tc_template.py RUN --ptc PTC_DIR [--write docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import datetime
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from check_official_scorer import check
from report_section import write_section

from framespan.rundir import RunDir
from framespan.semeval import export_semeval

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- tc-template:start -->", "<!-- tc-template:end -->"


def gold_lines(ptc: Path, ids: list[str]) -> list[str]:
    """The gold TC rows of ``ids``, in file order, exact duplicate rows dropped (as the reader does)."""
    out: list[str] = []
    for doc_id in ids:
        path = ptc / "train-labels-task2-technique-classification" / f"article{doc_id}.task2-TC.labels"
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and line not in out:
                out.append(line)
    return out


def run_one(run: Path, ptc: Path, gold: list[str], dedupe: bool, tmp: Path) -> dict:
    rows = [line.split("\t") for line in gold]
    if dedupe:
        seen, kept = set(), []
        for r in rows:
            if (r[0], r[2], r[3]) not in seen:
                seen.add((r[0], r[2], r[3]))
                kept.append(r)
        rows = kept
    name = "dedup" if dedupe else "official"
    template, gold_file, out = tmp / f"{name}.template", tmp / f"{name}.gold", tmp / f"{name}.tc"
    template.write_text("".join(f"{r[0]}\t?\t{r[2]}\t{r[3]}\n" for r in rows), encoding="utf-8")
    gold_file.write_text("".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    export_semeval(run, ptc / "train-articles", tc_out=out, tc_spans=template, progress=False)
    result = check(gold_file, out)
    answered = out.read_text(encoding="utf-8").splitlines()
    return {"template_lines": len(rows), "answer_lines": len(answered),
            "repeated": len(rows) - len({(r[0], r[2], r[3]) for r in rows}),
            "tc": result["tc"]["f1"], "rowwise": result["tc_rowwise"]["f1"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", type=Path)
    ap.add_argument("--ptc", type=Path, required=True)
    ap.add_argument("--write", type=Path)
    args = ap.parse_args(argv)
    # A framing run's dev split also holds bundled documents; only the PTC articles have templates.
    articles = args.ptc / "train-articles"
    ids = [i for i in RunDir(args.run).split_ids()["dev"] if (articles / f"article{i}.txt").is_file()]
    gold = gold_lines(args.ptc, ids)
    with tempfile.TemporaryDirectory() as tmp:
        official = run_one(args.run, args.ptc, gold, False, Path(tmp))
        dedup = run_one(args.run, args.ptc, gold, True, Path(tmp))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip()
    lines = [START,
             f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit {commit}, "
             f"{platform.machine()}, `benchmarks/tc_template.py {args.run.name}` on the run's {len(ids)} dev "
             "articles.", "",
             "| template | lines | spans listed twice or more | answer lines | TC micro-F1 (row walk) | "
             "TC micro-F1 (tc_scores) |", "|---|---:|---:|---:|---:|---:|"]
    for name, r in (("official layout (repeats kept)", official), ("de-duplicated", dedup)):
        lines.append(f"| {name} | {r['template_lines']} | {r['repeated']} | {r['answer_lines']} | "
                     f"{r['rowwise']:.4f} | {r['tc']:.4f} |")
    lines.append(END)
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section(args.write, START, END, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
