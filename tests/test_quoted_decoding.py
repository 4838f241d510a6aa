"""Scare quotes read off the quotations: whole quotations chosen by their strongest token."""

from __future__ import annotations

import re

import numpy as np
import pytest

from framespan.decoding import DocumentScores, decode_spans

TEXT = ("The so-called\u201dNational Front\u201d and its \u201cmoderate\u201d allies said "
        "\u201cwe will hold the line until the very last day of this war\u201d, as so-called experts agree.")


def scores(text: str, strong: dict[str, float]) -> DocumentScores:
    """One token per word or mark; a token's inside probability is ``strong`` for its word, else 0.02
    (mostly continuation, so that neighbouring strong words form one run)."""
    toks = [(m.start(), m.end()) for m in re.finditer(r"\w+(?:-\w+)?|[^\w\s]", text)]
    probs = np.zeros((len(toks), 1, 3), np.float32)
    for i, (a, b) in enumerate(toks):
        p = strong.get(text[a:b], 0.02)
        probs[i, 0] = [1 - p, p * 0.2, p * 0.8]
    return DocumentScores(np.array(toks, dtype=np.int64), probs)


def found(text: str, sc: DocumentScores, label: str = "scare_quotes", **kw) -> list[str]:
    return [text[s.start:s.end] for s in decode_spans(text, sc, [label], [0.5], **kw)]


def test_one_strong_word_marks_the_whole_quotation_with_its_marks_and_so_called() -> None:
    sc = scores(TEXT, {"Front": 0.9, "moderate": 0.8})
    assert found(TEXT, sc) == ["so-called\u201dNational Front\u201d", "\u201cmoderate\u201d"]


def test_a_weak_quotation_is_left_out() -> None:
    sc = scores(TEXT, {"moderate": 0.4})
    assert found(TEXT, sc) == []


def test_runs_inside_a_long_quotation_are_dropped_for_scare_quotes_only() -> None:
    sc = scores(TEXT, {"last": 0.9, "day": 0.9})
    assert found(TEXT, sc) == []
    assert found(TEXT, sc, label="loaded_language") == ["last day"]


def test_an_unquoted_so_called_term_comes_from_its_token_run() -> None:
    sc = scores(TEXT, {"so-called": 0.9, "experts": 0.9})
    assert found(TEXT, sc)[-1] == "so-called experts"


def test_without_pairing_scare_quotes_are_token_runs() -> None:
    sc = scores(TEXT, {"moderate": 0.8})
    assert found(TEXT, sc, paired=frozenset()) == ["\u201cmoderate\u201d"]  # tidied to both marks
    sc = scores(TEXT, {"last": 0.9, "day": 0.9})
    assert found(TEXT, sc, paired=frozenset()) == ["last day"]


@pytest.mark.parametrize("folder", ["tiny_model_dir", "tiny_onnx_dir"])
def test_the_head_weighs_a_quotations_tokens_by_its_probability(folder, request, monkeypatch) -> None:
    import framespan.detector as detector_module
    from framespan.detector import Detector
    from framespan.naming import head_probs
    from framespan.span_features import span_features

    # The tiny model has no scare_quotes column; "doubt" stands in as the quotation-delimited label.
    monkeypatch.setattr(detector_module, "PAIRED_LABELS", frozenset({"doubt"}))
    det = Detector.load(request.getfixturevalue(folder))
    text = 'They said the "army" left the city, and the army agreed.'
    a = text.index('"')
    b = text.index('"', a + 1) + 1
    plain = det.scores([text])[0]
    weighed = det.configure(head_weighed=["doubt"]).scores([text])[0]
    c = det.schema.names.index("doubt")
    raw = head_probs(det.backend, det.windows([text]), [(a, b)], span_features(text, [(a, b)]), det.pad)[0]
    assert raw is not None  # the head reads the quotation in some window
    head = raw[c] / raw.sum()
    inside = (plain.offsets[:, 0] < b) & (plain.offsets[:, 1] > a)
    assert inside.any() and (~inside).any() and 0 < head < 1
    np.testing.assert_allclose(weighed.probs[inside, c, 1:], plain.probs[inside, c, 1:] * head, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(weighed.probs[~inside, c], plain.probs[~inside, c], atol=1e-6)
    others = [i for i in range(len(det.schema.names)) if i != c]
    np.testing.assert_allclose(weighed.probs[:, others], plain.probs[:, others], atol=1e-6)
    np.testing.assert_allclose(weighed.probs.sum(-1), 1.0, atol=1e-5)


@pytest.mark.parametrize("folder", ["tiny_model_dir", "tiny_onnx_dir"])
def test_the_head_weighs_a_token_labels_tidied_span_and_the_rest_of_its_run_apart(folder, request) -> None:
    from framespan.detector import Detector
    from framespan.naming import head_probs
    from framespan.span_features import span_features

    det = Detector.load(request.getfixturevalue(folder))
    text = "They said the terrorists themselves have signed their death sentence today."
    c = det.schema.names.index("loaded_label")
    # One run of the label from "terrorists" to "sentence", which tidying cuts to "terrorists".
    strong = {w: 0.5 for w in "terrorists themselves have signed their death sentence".split()}
    one = scores(text, strong)
    plain = DocumentScores(one.offsets, np.repeat(one.probs, len(det.schema.names), axis=1))
    weighed = det.configure(head_weighed=["loaded_label"]).weigh_by_head(text, plain, ["loaded_label"])
    noun = (text.index("terrorists"), text.index(" themselves"))
    run = (noun[0], text.index(" today"))
    raw = head_probs(det.backend, det.windows([text]), [noun, run], span_features(text, [noun, run]), det.pad)
    p_noun, p_run = (r[c] / r.sum() for r in raw)
    starts = plain.offsets[:, 0]
    in_noun = (starts >= noun[0]) & (starts < noun[1])
    in_rest = (starts >= noun[1]) & (starts < run[1])
    assert in_noun.sum() == 1 and in_rest.sum() == 6 and p_noun != p_run
    expected = plain.probs[:, c, 1:].copy()
    expected[in_noun] *= p_noun
    expected[in_rest] *= p_run
    np.testing.assert_allclose(weighed.probs[:, c, 1:], expected, rtol=1e-4, atol=1e-7)
    others = [i for i in range(len(det.schema.names)) if i != c]
    np.testing.assert_allclose(weighed.probs[:, others], plain.probs[:, others], atol=1e-6)
