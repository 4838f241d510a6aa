"""The lexical technique classifier: its n-grams, fitting, safetensors round trip, blending, and its
use by the Detector, training, export and ensembles."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from framespan.corpora.markup import parse_markup
from framespan.detector import Detector
from framespan.errors import RunError
from framespan.lexicon import (
    LEXICON_JSON,
    LEXICON_WEIGHTS,
    Lexicon,
    _char_ngrams,
    _word_ngrams,
    blend,
    fit_lexicon,
)
from framespan.manifest import write_manifest
from framespan.settings import FolderSettings
from framespan.spans import Document
from tests.conftest import TINY_LABELS, build_tiny_model_folder

# Hand-written: loaded labels are single insults; doubt spans question someone's honesty.
MARKED = [
    "The [loaded_label: regime] met the [loaded_label: thugs] while [doubt: nobody knows if he told the truth].",
    "Those [loaded_label: traitors] and that [loaded_label: regime] again; [doubt: can we trust his word]?",
    "[doubt: Is it really true what the minister says]? The [loaded_label: thugs] say so.",
    "The [loaded_label: traitors] spoke. [doubt: Nobody can trust what they say about the war].",
    "[doubt: Who knows if the figures are true]; the [loaded_label: regime] will not tell.",
    "A [loaded_label: thugs] parade, a [loaded_label: regime] show, [doubt: and can anyone trust it]?",
]
LABELS = list(TINY_LABELS)  # loaded_label, doubt, flag_waving: the last is never annotated here


def _docs() -> list[Document]:
    out = []
    for i, marked in enumerate(MARKED):
        text, spans = parse_markup(marked)
        out.append(Document(f"d{i}", text, spans))
    return out


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return fit_lexicon(_docs(), LABELS)


def test_char_ngrams_pad_each_word_and_keep_unicode() -> None:
    grams = _char_ngrams("Zoë ok", 2, 3)
    assert " z" in grams and "ë " in grams and "oë " in grams and " ok" in grams
    assert "ë o" not in grams  # n-grams stay inside a word


def test_word_ngrams_keep_quotes_as_tokens_and_add_bigrams() -> None:
    assert _word_ngrams('So-called "Front"') == ["so", "called", '"', "front", '"', "so called", 'called "',
                                                 '" front', 'front "']


def test_fit_learns_the_cue_words_of_each_label(lexicon: Lexicon) -> None:
    text = "Only thugs would doubt whether anyone can trust what the minister says."
    spans = [(5, 9), (17, 71)]
    probs = lexicon.probs(text, spans, LABELS)
    assert [LABELS[int(j)] for j in probs.argmax(axis=1)] == ["loaded_label", "doubt"]


def test_a_label_never_annotated_gets_probability_zero(lexicon: Lexicon) -> None:
    probs = lexicon.probs("the regime", [(4, 10)], LABELS)
    assert lexicon.labels == ["loaded_label", "doubt"]
    assert probs[0, LABELS.index("flag_waving")] == 0.0 and probs[0].sum() == pytest.approx(1.0)


def test_save_and_load_give_the_same_probabilities(lexicon: Lexicon, tmp_path: Path) -> None:
    # sklearn's coefficients are Fortran-ordered; written as they lie in memory they load scrambled.
    lexicon.save(tmp_path)
    loaded = Lexicon.load(tmp_path)
    text, _ = parse_markup(MARKED[0])
    spans = [(0, 10), (4, 10), (30, 60)]
    assert np.allclose(loaded.probs(text, spans, LABELS), lexicon.probs(text, spans, LABELS), atol=1e-6)


def test_blend_weight_zero_is_the_head_and_one_the_lexicon() -> None:
    head = np.array([[0.7, 0.2, 0.1]])
    lex = np.array([[0.1, 0.8, 0.1]])
    assert np.allclose(blend(head, lex, 0.0), head)
    assert np.allclose(blend(head, lex, 1.0), lex)
    mid = blend(head, lex, 0.5)
    assert mid.sum() == pytest.approx(1.0) and mid[0, 1] > mid[0, 0]  # sqrt(.16) > sqrt(.07)


def test_blend_keeps_a_ruled_out_label_out() -> None:
    assert blend(np.array([[0.0, 0.6, 0.4]]), np.array([[0.9, 0.05, 0.05]]), 0.9)[0, 0] == 0.0


def test_fit_refuses_a_single_label() -> None:
    text, spans = parse_markup("The [loaded_label: regime] and the [loaded_label: thugs].")
    with pytest.raises(RunError, match="at least two labels"):
        fit_lexicon([Document("one", text, spans)], LABELS)


def test_load_names_the_file_of_a_broken_lexicon(lexicon: Lexicon, tmp_path: Path) -> None:
    lexicon.save(tmp_path)
    meta = json.loads((tmp_path / LEXICON_JSON).read_text(encoding="utf-8"))
    del meta["vocab"]
    (tmp_path / LEXICON_JSON).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(RunError, match=r"lexicon\.json: not a valid lexicon"):
        Lexicon.load(tmp_path)


def _model_with_lexicon(folder: Path, base: Path, lexicon: Lexicon, weight: float, seed: int = 0) -> Path:
    build_tiny_model_folder(folder, base, seed=seed)
    lexicon.save(folder)
    cfg = FolderSettings.load(folder)
    replace(cfg, decode=cfg.decode.override(lexicon_weight=weight)).save(folder)
    write_manifest(folder)
    return folder


TEXT = "The regime said that nobody can trust the figures about the border."
RANGES = [(4, 10), (21, 50)]


def test_detector_blends_its_folders_lexicon(lexicon: Lexicon, tiny_base: Path, tmp_path: Path) -> None:
    plain = Detector.load(build_tiny_model_folder(tmp_path / "plain", tiny_base))
    only_lex = Detector.load(_model_with_lexicon(tmp_path / "lex1", tiny_base, lexicon, 1.0))
    off = Detector.load(_model_with_lexicon(tmp_path / "lex0", tiny_base, lexicon, 0.0))
    assert np.allclose(off.span_probs(TEXT, RANGES), plain.span_probs(TEXT, RANGES))
    want = lexicon.probs(TEXT, RANGES, LABELS)
    assert np.allclose(only_lex.span_probs(TEXT, RANGES), want, atol=1e-6)


def test_export_carries_the_lexicon(lexicon: Lexicon, tiny_base: Path, tmp_path: Path) -> None:
    from framespan.export import export_onnx

    src = _model_with_lexicon(tmp_path / "model", tiny_base, lexicon, 0.5)
    export_onnx(src, tmp_path / "onnx")
    for name in (LEXICON_JSON, LEXICON_WEIGHTS):
        assert (tmp_path / "onnx" / name).is_file()
    torch_det, onnx_det = Detector.load(src, backend="torch"), Detector.load(tmp_path / "onnx")
    assert len(onnx_det.lexicons) == 1
    assert np.allclose(onnx_det.span_probs(TEXT, RANGES), torch_det.span_probs(TEXT, RANGES), atol=1e-4)


def test_ensemble_blends_the_mean_of_its_members_lexicons(lexicon: Lexicon, tiny_base: Path,
                                                          tmp_path: Path) -> None:
    from framespan.ensemble import build_ensemble

    other = fit_lexicon(_docs()[:4], LABELS)
    members = [_model_with_lexicon(tmp_path / "a", tiny_base, lexicon, 1.0, seed=0),
               _model_with_lexicon(tmp_path / "b", tiny_base, other, 1.0, seed=1)]
    build_ensemble(members, tmp_path / "ens", tune=False)
    assert not (tmp_path / "ens" / "model" / LEXICON_JSON).exists()  # each member keeps its own
    got = Detector.load(tmp_path / "ens").span_probs(TEXT, RANGES)
    a, b = lexicon.probs(TEXT, RANGES, LABELS), other.probs(TEXT, RANGES, LABELS)
    keep = a > 0
    want = np.zeros_like(a)
    want[keep] = np.sqrt(a[keep] * b[keep])
    assert np.allclose(got, want / want.sum(axis=1, keepdims=True), atol=1e-6)


def test_training_fits_saves_and_uses_a_lexicon(tmp_path: Path, tiny_base: Path) -> None:
    from framespan.corpora.jsonl import write_jsonl
    from framespan.training import train

    docs = _docs()
    write_jsonl(docs, tmp_path / "train.jsonl")
    write_jsonl([Document(f"dev-{d.id}", d.text, d.spans) for d in docs[:2]], tmp_path / "dev.jsonl")
    cfg = tmp_path / "lex.yaml"
    cfg.write_text(f"""
seed: 3
labels: {tmp_path / 'labels.yaml'}
data:
  train: {{path: {tmp_path / 'train.jsonl'}}}
  dev: {{path: {tmp_path / 'dev.jsonl'}}}
model: {{base: {tiny_base}, max_length: 24, stride: 6, lexicon: true}}
training: {{epochs: 1, batch_size: 4, threads: 1}}
decoding: {{lexicon_weight: 0.7}}
""", encoding="utf-8")
    from framespan.labels import LabelSchema

    LabelSchema.from_dict({"name": "tiny", "labels": LABELS}).save(tmp_path / "labels.yaml")
    run = train(cfg, tmp_path / "run", progress=False)
    manifest = json.loads((run / "model" / "manifest.json").read_text())["files"]
    assert LEXICON_JSON in manifest and LEXICON_WEIGHTS in manifest
    det = Detector.load(run)
    assert det.decode_settings.lexicon_weight == 0.7 and len(det.lexicons) == 1
    assert json.loads((run / "run.json").read_text())["lexicon"]["labels"] == 2
    shutil.rmtree(run)


def test_recurrence_tells_a_repeat_from_its_first_use() -> None:
    from framespan.lexicon import LexiconSettings
    from framespan.spans import Span

    # Each text says one phrase twice; the first use is labelled loaded_label, the repeat doubt.
    # Span words, context words and the basic extras are the same for both, so only the
    # occurrence features can separate them.
    phrases = ["build the wall", "lock them up", "drain the swamp", "no surrender", "take back control",
               "stop the steal"]
    docs = []
    for i, p in enumerate(phrases):
        text = f"{p}. {p}."
        docs.append(Document(f"r{i}", text, [Span(0, len(p), "loaded_label"),
                                            Span(len(p) + 2, 2 * len(p) + 2, "doubt")]))
    text = "yes we can. yes we can."
    spans = [(0, 10), (12, 22)]
    with_occ = fit_lexicon(docs, LABELS).probs(text, spans, LABELS).argmax(axis=1)
    assert [LABELS[j] for j in with_occ] == ["loaded_label", "doubt"]
    without = fit_lexicon(docs, LABELS, LexiconSettings(occurrences=False)).probs(text, spans, LABELS)
    assert np.allclose(without[0], without[1])
