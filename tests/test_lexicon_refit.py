"""`framespan lexicon RUN`: fit a finished run's lexicon on its own training documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framespan.cli import main
from framespan.detector import Detector
from framespan.errors import RunError
from framespan.layout import LEXICON_JSON, LEXICON_WEIGHTS
from framespan.lexicon import Lexicon, fit_lexicon
from framespan.refit import refit_run_lexicon
from framespan.training import train
from tests.test_lexicon import LABELS, RANGES, TEXT, _docs


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory: pytest.TempPathFactory, tiny_base: Path) -> Path:
    """A tiny run trained without a lexicon on the two-label corpus of test_lexicon."""
    from framespan.corpora.jsonl import write_jsonl
    from framespan.labels import LabelSchema
    from framespan.spans import Document

    root = tmp_path_factory.mktemp("refit")
    docs = _docs()
    write_jsonl(docs, root / "train.jsonl")
    write_jsonl([Document(f"dev-{d.id}", d.text, d.spans) for d in docs[:2]], root / "dev.jsonl")
    LabelSchema.from_dict({"name": "tiny", "labels": LABELS}).save(root / "labels.yaml")
    (root / "plain.yaml").write_text(f"""
seed: 3
labels: {root / 'labels.yaml'}
data:
  train: {{path: {root / 'train.jsonl'}}}
  dev: {{path: {root / 'dev.jsonl'}}}
model: {{base: {tiny_base}, max_length: 24, stride: 6}}
training: {{epochs: 1, batch_size: 4, threads: 1}}
""", encoding="utf-8")
    return train(root / "plain.yaml", root / "run", progress=False)


def test_refit_adds_the_lexicon_training_would_fit(plain_run: Path, tmp_path: Path) -> None:
    import shutil

    run = tmp_path / "run"
    shutil.copytree(plain_run, run)
    assert Detector.load(run).lexicons == []
    assert main(["lexicon", str(run), "--weight", "1.0"]) == 0
    det = Detector.load(run)  # the manifest was rewritten: the folder still verifies
    assert det.decode_settings.lexicon_weight == 1.0 and len(det.lexicons) == 1
    want = fit_lexicon(_docs(), LABELS)
    assert Lexicon.load(run / "model").probs(TEXT, RANGES, LABELS) == pytest.approx(
        want.probs(TEXT, RANGES, LABELS), abs=1e-6)
    assert json.loads((run / "run.json").read_text())["lexicon_refit"]["documents"] == len(_docs())
    manifest = json.loads((run / "model" / "manifest.json").read_text())["files"]
    assert LEXICON_JSON in manifest and LEXICON_WEIGHTS in manifest


def test_refit_refuses_when_the_corpus_changed(plain_run: Path, tmp_path: Path) -> None:
    import shutil

    run = tmp_path / "run"
    shutil.copytree(plain_run, run)
    splits = json.loads((run / "splits.json").read_text())
    splits["train"] = splits["train"][1:]
    (run / "splits.json").write_text(json.dumps(splits))
    with pytest.raises(RunError, match="training documents differ"):
        refit_run_lexicon(run)
    assert not (run / "model" / LEXICON_JSON).exists()


def test_a_format_1_lexicon_still_loads_with_three_extras(tmp_path: Path) -> None:
    from framespan.lexicon import LexiconSettings

    old = fit_lexicon(_docs(), LABELS, LexiconSettings(occurrences=False))
    old.save(tmp_path)
    meta = json.loads((tmp_path / LEXICON_JSON).read_text(encoding="utf-8"))
    meta["format"] = 1
    del meta["settings"]["occurrences"]
    (tmp_path / LEXICON_JSON).write_text(json.dumps(meta), encoding="utf-8")
    loaded = Lexicon.load(tmp_path)
    assert loaded.settings.n_extras == 3
    assert loaded.probs(TEXT, RANGES, LABELS) == pytest.approx(old.probs(TEXT, RANGES, LABELS), abs=1e-6)
