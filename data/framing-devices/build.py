"""Convert the hand-written markup in source/ into train/dev/test JSONL (offsets computed, never typed).

source/*.txt becomes train/dev/test.jsonl beside this file; source/near-misses/*.txt, the documents
written at real news's density, becomes near-misses/train/dev/test.jsonl, a corpus of its own so a
recipe can take it or leave it.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # run from a checkout without installing

from framespan.corpora.jsonl import write_jsonl  # noqa: E402
from framespan.corpora.markup import read_markup  # noqa: E402
from framespan.labels import check_labels, load_schema  # noqa: E402

SPLITS = ("train", "dev", "test")
# Source folder (under --source) -> output folder (under --out).
CORPORA = {".": ".", "near-misses": "near-misses"}


def build(source: Path, out: Path, seen: set[str]) -> dict[str, collections.Counter]:
    """Write one corpus's split JSONL; ``seen`` holds the ids of corpora built before it."""
    schema = load_schema("framing")
    docs = [d for f in sorted(source.glob("*.txt")) for d in read_markup(f)]
    check_labels(docs, schema)
    ids = [d.id for d in docs]
    twice = {i for i, n in collections.Counter(ids).items() if n > 1} | (set(ids) & seen)
    if twice:
        raise SystemExit(f"ids used more than once across source files: {sorted(twice)}")
    seen.update(ids)
    parts: dict[str, list] = {s: [] for s in SPLITS}
    for d in docs:
        split = d.meta.get("split")
        if split not in parts:
            raise SystemExit(f"{d.meta.get('path')}:{d.meta.get('line')}: split must be one of {SPLITS}")
        # Source path and line are authoring details; the JSONL keeps only the descriptive fields.
        d.meta = {k: v for k, v in d.meta.items() if k not in ("path", "line", "split")}
        parts[split].append(d)
    stats = {}
    for split, part in parts.items():
        write_jsonl(part, out / f"{split}.jsonl")
        stats[split] = collections.Counter(s.label for d in part for s in d.spans)
    return stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--source", type=Path, default=HERE / "source")
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args()
    seen: set[str] = set()
    for src, dst in CORPORA.items():
        print(f"{src}: -> {args.out / dst}")
        report(build(args.source / src, args.out / dst, seen))


def report(stats: dict[str, collections.Counter]) -> None:
    labels = load_schema("framing").names
    print(f"{'label':28s}" + "".join(f"{s:>7s}" for s in SPLITS) + "   total")
    for lab in labels:
        row = [stats[s][lab] for s in SPLITS]
        print(f"{lab:28s}" + "".join(f"{n:7d}" for n in row) + f"{sum(row):8d}")


if __name__ == "__main__":
    main()
