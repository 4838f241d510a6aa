"""Spans <-> token tags over sliding windows, and decoding back to document offsets."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from framespan.decoding import CANDIDATE_FLOOR, DocumentScores, WindowMerger, candidate_runs, decode_spans
from framespan.encoding import (
    IGNORE,
    B,
    Collator,
    I,
    LineBreaks,
    O,
    encode_documents,
    line_breaks_for,
    tag_window,
    tokenize_windows,
)
from framespan.labels import LabelSchema
from framespan.span_features import N_SPAN_FEATURES
from framespan.spans import Document, Span

SCHEMA = LabelSchema.from_dict({"name": "t", "labels": ["a", "b"]})


@pytest.fixture(scope="module")
def tok(tiny_base):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(tiny_base))


def _perfect_probs(tags: np.ndarray) -> np.ndarray:
    """One-hot probabilities from gold tags (ignored positions count as O)."""
    t = np.where(tags == IGNORE, O, tags)
    return np.eye(3)[t]


def _roundtrip(tok, doc, max_length, stride):
    windows = tokenize_windows(tok, [doc.text], max_length, stride)
    merger = WindowMerger(len(SCHEMA))
    for w in windows:
        merger.add(w.offsets, _perfect_probs(tag_window(w, doc.spans, SCHEMA, None)))
    return windows, decode_spans(doc.text, merger.result(), SCHEMA.names, [0.5, 0.5])


def test_overlapping_spans_of_different_labels_are_both_tagged(tok):
    text = "the regime army said"
    doc = Document("d", text, [Span(4, 15, "a"), Span(11, 20, "b")])  # "regime army" / "army said"
    (w,) = tokenize_windows(tok, [text], 64, 8)
    tags = tag_window(w, doc.spans, SCHEMA, None)
    words = [text[a:b] for a, b in w.offsets]
    assert [int(t) for t, word in zip(tags[:, 0], words) if word] == [O, B, I, O]
    assert [int(t) for t, word in zip(tags[:, 1], words) if word] == [O, O, B, I]
    assert (tags[0] == IGNORE).all() and (tags[-1] == IGNORE).all()  # [CLS], [SEP]


def test_unannotated_labels_are_ignored_not_negative(tok):
    doc = Document("d", "the army said", [Span(4, 8, "a")], annotated_labels=frozenset({"a"}))
    (w,) = tokenize_windows(tok, [doc.text], 64, 8)
    tags = tag_window(w, doc.spans, SCHEMA, doc.annotated_labels)
    assert (tags[:, 1] == IGNORE).all()
    assert B in tags[:, 0]


def test_span_across_window_boundary_continues_with_inside_tag(tok):
    text = " ".join(["army"] * 40)
    span = Span(text.index("army", 60), 139, "a")  # words end at 5k-1; crosses the first window
    doc = Document("d", text, [span])
    windows = tokenize_windows(tok, [text], 24, 6)
    assert len(windows) > 2
    second = next(w for w in windows[1:] if any(a < span.end and b > span.start for a, b in w.offsets if b > a)
                  and w.offsets[1][0] > span.start)
    tags = tag_window(second, doc.spans, SCHEMA, None)
    assert tags[1, 0] == I  # the window opens in the middle of the span: no false beginning
    _, decoded = _roundtrip(tok, doc, 24, 6)
    assert decoded == [span]


def test_encode_documents_span_head_targets_only_whole_spans(tok):
    doc = Document("d", "the army said the regime", [Span(4, 8, "a"), Span(18, 24, "b")])
    (feat,) = encode_documents([doc], tok, SCHEMA, 64, 8)
    assert feat["span_labels"] == [0, 1]
    assert feat["span_bounds"] == [[2, 2], [5, 5]]


def _word_tags(tok, doc, col, annotated=None):
    (w,) = tokenize_windows(tok, [doc.text], 64, 8)
    tags = tag_window(w, doc.spans, SCHEMA, annotated, any_device=True)
    assert tags.shape[1] == len(SCHEMA) + 1
    return [int(t) for t, (a, b) in zip(tags[:, col], w.offsets) if b > a]


def test_any_device_column_unites_spans_of_all_labels(tok):
    # "regime army" (a) and "army said" (b) share "army": one region for "any device".
    doc = Document("d", "the regime army said", [Span(4, 15, "a"), Span(11, 20, "b")])
    assert _word_tags(tok, doc, 2) == [O, B, I, I]


def test_any_device_column_keeps_touching_spans_apart(tok):
    # "army" and "said" touch without sharing a character: two spans, as SI counts them.
    doc = Document("d", "the army said", [Span(4, 8, "a"), Span(8, 13, "b")])
    assert _word_tags(tok, doc, 2) == [O, B, B]


def test_any_device_column_ignored_where_a_label_was_not_annotated(tok):
    doc = Document("d", "the army said", [Span(4, 8, "a")], annotated_labels=frozenset({"a"}))
    assert set(_word_tags(tok, doc, 2, doc.annotated_labels)) == {IGNORE}


def test_encode_documents_gives_span_features_per_span(tok):
    doc = Document("d", "the army said the Army", [Span(4, 8, "a"), Span(9, 13, "b")])
    (feat,) = encode_documents([doc], tok, SCHEMA, 64, 8, any_device=True, with_features=True)
    assert feat["span_feats"][0][0] == 1.0  # "army" recurs (case-insensitively)
    assert feat["span_feats"][1][:3] == [0.0, 0.0, 0.0]  # "said" does not
    batch = Collator(0, len(SCHEMA) + 1)([feat, {**feat, "span_bounds": [], "span_labels": [], "span_feats": []}])
    assert tuple(batch["span_feats"].shape) == (2, 2, N_SPAN_FEATURES)
    assert tuple(batch["tags"].shape)[-1] == 3
    assert float(batch["span_feats"][1].abs().sum()) == 0.0


# No word is a function word alone: decoding drops such spans (boundaries.function_words_only).
WORDS = ["army", "regime", "said", "them", "so", "called", "zoë", "front", "🙂", "a1"]


@st.composite
def documents(draw):
    words = draw(st.lists(st.sampled_from(WORDS), min_size=0, max_size=60))
    text = " ".join(words)
    starts = [i for i in range(len(text)) if (i == 0 or text[i - 1] == " ") and text[i] != " "]
    ends = [i for i in range(1, len(text) + 1) if (i == len(text) or text[i] == " ") and text[i - 1] != " "]
    spans = []
    for label in SCHEMA.names:
        # Spans of one label must not touch or overlap: BIO over a union cannot keep them apart.
        used_until = -2
        for s in sorted(draw(st.lists(st.sampled_from(starts), max_size=4, unique=True)) if starts else []):
            if s <= used_until + 1:
                continue
            candidates = [e for e in ends if e > s]
            e = draw(st.sampled_from(candidates[:4]))
            spans.append(Span(s, e, label))
            used_until = e
    return Document("h", text, spans)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=documents(), max_length=st.sampled_from([16, 24, 64]))
def test_spans_survive_encode_decode_roundtrip(tok, doc, max_length):
    stride = max_length // 4
    _, decoded = _roundtrip(tok, doc, max_length, stride)
    assert decoded == sorted(doc.spans)


def test_empty_document_has_one_window_and_no_spans(tok):
    windows, decoded = _roundtrip(tok, Document("e", "", []), 32, 8)
    assert decoded == []
    assert all(b <= a for w in windows for a, b in w.offsets)


def test_hysteresis_keeps_a_weak_token_inside_a_span():
    from framespan.decoding import DocumentScores

    text = "an official inside the army said"
    offsets = np.array([[0, 2], [3, 11], [12, 18], [19, 22], [23, 27], [28, 32]])
    inside = [0.9, 0.9, 0.8, 0.5, 0.8, 0.9]  # "the" is weak
    probs = np.zeros((6, 1, 3))
    probs[:, 0, 2] = inside
    probs[0, 0, 1], probs[0, 0, 2] = 0.9, 0.0
    probs[:, 0, 0] = 1 - probs[:, 0, 1:].sum(-1)
    sc = DocumentScores(offsets, probs)
    assert len(decode_spans(text, sc, ["a"], [0.7])) == 2
    (span,) = decode_spans(text, sc, ["a"], [0.7], continue_ratio=0.6)
    assert (span.start, span.end) == (0, len(text))


def _two_labels_and_any_device(detect_inside, detect_begin, label_inside):
    """(tokens, 3 columns, 3) probabilities: two label columns, then the any-device column."""
    probs = np.zeros((len(detect_inside), 3, 3))
    for col, inside in enumerate(label_inside):
        probs[:, col, 2] = inside
    probs[:, 2, 1] = detect_begin
    probs[:, 2, 2] = np.asarray(detect_inside) - np.asarray(detect_begin)
    probs[:, :, 0] = 1 - probs[:, :, 1:].sum(-1)
    return probs


def test_any_device_scores_at_weight_zero_are_the_any_device_column():
    from framespan.decoding import DocumentScores
    from framespan.strategies import Columns, any_device_scores

    probs = _two_labels_and_any_device([0.2, 0.9], [0.1, 0.0], [[0.9, 0.9], [0.9, 0.9]])
    sc = DocumentScores(np.array([[0, 3], [4, 9]]), probs)
    out = any_device_scores(sc, Columns(['a', 'b'], ['a', 'b'], True), 0.0)
    assert out.probs.shape == (2, 1, 3)
    assert np.array_equal(out.probs[:, 0], probs[:, 2])


def test_any_device_scores_blend_the_label_columns_noisy_or_and_keep_the_begin_share():
    from framespan.decoding import DocumentScores
    from framespan.strategies import Columns, any_device_scores

    # Token 0: any-device 0.4 (a quarter of it B); labels 0.5 and 0.5, so some label 0.75.
    # Token 1: any-device 0.0, labels 0.8 and 0.0; token 2: any-device 0.6, labels silent.
    probs = _two_labels_and_any_device([0.4, 0.0, 0.6], [0.1, 0.0, 0.0], [[0.5, 0.8, 0.0], [0.5, 0.0, 0.0]])
    sc = DocumentScores(np.array([[0, 3], [4, 9], [10, 12]]), probs)
    out = any_device_scores(sc, Columns(['a', 'b'], ['a', 'b'], True), 0.5).probs[:, 0]
    inside = out[:, 1] + out[:, 2]
    assert inside == pytest.approx([0.5 * 0.4 + 0.5 * 0.75, 0.5 * 0.8, 0.5 * 0.6])
    assert out[0, 1] / inside[0] == pytest.approx(0.25)
    assert out[1, 1] == 0.0  # no inside mass in the column: continue, never a forced start
    assert out.sum(-1) == pytest.approx([1.0, 1.0, 1.0])
    # Only the named label columns count: without column 0, token 1 has no label evidence.
    assert any_device_scores(sc, Columns(['a', 'b'], ['b'], True), 0.5).probs[1, 0, 2] == pytest.approx(0.0)


def test_label_evidence_lifts_a_token_the_any_device_column_missed_over_the_threshold():
    from framespan.decoding import DocumentScores
    from framespan.strategies import Columns, any_device_scores

    text = "the regime lied"
    probs = _two_labels_and_any_device([0.1, 0.45, 0.1], [0.0, 0.45, 0.0], [[0.0, 0.9, 0.0], [0.0, 0.2, 0.0]])
    sc = DocumentScores(np.array([[0, 3], [4, 10], [11, 15]]), probs)
    assert decode_spans(text, any_device_scores(sc, Columns(['a', 'b'], ['a', 'b'], True), 0.0), ["any"], [0.5]) == []
    (span,) = decode_spans(text, any_device_scores(sc, Columns(['a', 'b'], ['a', 'b'], True), 0.5), ["any"], [0.5])
    assert text[span.start:span.end] == "regime"


def test_line_breaks_become_separators_and_other_offsets_stay(tok):
    text = "the regime lied.\nthe army | said"
    breaks = line_breaks_for(tok)
    assert breaks == LineBreaks(tok.sep_token_id, "|")  # BERT's tokenizer drops "\n": a stand-in
    (plain,) = tokenize_windows(tok, [text], 64, 8)
    (marked,) = tokenize_windows(tok, [text], 64, 8, breaks)
    seps = [t for t, i in enumerate(marked.input_ids) if i == tok.sep_token_id]
    assert len(seps) == 2 and marked.offsets[seps[0]] == (0, 0)  # the line break, then the closing [SEP]
    assert text[marked.offsets[seps[0] - 1][0]] == "." and text[marked.offsets[seps[0] + 1][0]] == "t"
    assert [o for o in marked.offsets if o != (0, 0)] == [o for o in plain.offsets if o != (0, 0)]
    pipe = text.index("|")
    assert (pipe, pipe + 1) in marked.offsets  # a "|" of the text itself stays a token


def test_span_across_a_line_break_continues_past_the_separator(tok):
    text = "the regime\nlied today"
    doc = Document("d", text, [Span(4, 15, "a")])  # "regime\nlied"
    (w,) = tokenize_windows(tok, [text], 64, 8, line_breaks_for(tok))
    tags = tag_window(w, doc.spans, SCHEMA, None)[:, 0]
    sep = w.input_ids.index(tok.sep_token_id)
    assert tags[sep] == IGNORE and tags[sep - 1] in (B, I) and tags[sep + 1] == I


def test_line_breaks_need_no_stand_in_where_the_tokenizer_keeps_them():
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {"[UNK]": 0, "[SEP]": 1, "[PAD]": 2, "a": 3, "b": 4, "\n": 5}
    raw = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    raw.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(r"[ \t]+"), behavior="removed"),
                                                 pre_tokenizers.Split("\n", behavior="isolated")])
    keeps = PreTrainedTokenizerFast(tokenizer_object=raw, unk_token="[UNK]", sep_token="[SEP]", pad_token="[PAD]")
    breaks = line_breaks_for(keeps)
    assert breaks == LineBreaks(1, "")
    (w,) = tokenize_windows(keeps, ["a b\nb | a"], 16, 2, breaks)
    assert w.input_ids == [3, 4, 1, 4, 0, 3] and w.offsets[2] == (0, 0)


def test_line_breaks_refused_for_a_tokenizer_without_separator():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    from framespan.errors import ConfigError

    raw = Tokenizer(models.WordLevel({"[UNK]": 0, "a": 1}, unk_token="[UNK]"))
    raw.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    with pytest.raises(ConfigError, match="no separator"):
        line_breaks_for(PreTrainedTokenizerFast(tokenizer_object=raw, unk_token="[UNK]"))


@settings(max_examples=200, deadline=None)
@given(probs=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=40),
       thr=st.floats(CANDIDATE_FLOOR, 0.95), ratio=st.sampled_from([0.5, 0.6, 1.0]))
def test_every_token_of_a_span_decoded_above_the_floor_lies_in_a_candidate_run(probs, thr, ratio):
    # Token i covers chars [2i, 2i + 1); (inside, share of it that is a beginning) per token.
    tokens = np.array([[2 * i, 2 * i + 1] for i in range(len(probs))], dtype=np.int64)
    p = np.array([[[1 - x, x * b, x * (1 - b)]] for x, b in probs])
    sc = DocumentScores(tokens, p)
    text = "w " * len(probs)
    runs = candidate_runs(sc, 0, CANDIDATE_FLOOR, ratio)
    for s in decode_spans(text, sc, ["doubt"], [thr], continue_ratio=ratio):
        for a, b in tokens[(tokens[:, 0] < s.end) & (tokens[:, 1] > s.start)]:
            assert any(x <= a and b <= y for x, y in runs), (s, runs)
