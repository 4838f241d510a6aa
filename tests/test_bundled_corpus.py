"""The bundled corpus as shipped is what its markup builds to."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "framing-devices"


def test_shipped_jsonl_is_the_build_of_the_markup(tmp_path):
    # A source edit that was not rebuilt would train on stale documents without a word.
    subprocess.run([sys.executable, str(CORPUS / "build.py"), "--out", str(tmp_path)], check=True,
                   capture_output=True)
    built = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.jsonl"))
    assert [str(p) for p in built] == ["dev.jsonl", "near-misses/dev.jsonl", "near-misses/test.jsonl",
                                       "near-misses/train.jsonl", "test.jsonl", "train.jsonl"]
    for rel in built:
        assert (tmp_path / rel).read_bytes() == (CORPUS / rel).read_bytes(), rel
