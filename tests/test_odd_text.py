"""Odd text at predict time: spans or a clear error, never a crash, offsets always index the input."""

import pytest

from framespan.boundaries import has_content
from tests.conftest import OutsideBackend

TEXTS = {
    "empty": "",
    "whitespace": " \n\t \u00a0 ",
    "one_long_word": "x" * 100_000,
    "control_chars": "The regime\x00\x07\x1b said \x0c so\u200b-called \x7f",
    "mixed_scripts_emoji": "הממשלה said the regime 🙂 مرحبا 中文 the so-called \"Front\" 👩‍👩‍👧",
    "lone_surrogates": "The regime \ud800 said \udfff the terrorists",
}


BLANK = {"empty", "whitespace"}


@pytest.fixture(scope="module")
def detector(tiny_model_dir):
    import framespan

    return framespan.load(tiny_model_dir, backend="torch")


@pytest.fixture(scope="module")
def eager(tiny_model_dir):
    """The tiny model with every threshold at 0.05, so it marks spans in any text with a word."""
    import framespan

    return framespan.load(tiny_model_dir, backend="torch").configure(threshold=0.05, thresholds={})


@pytest.mark.parametrize("name", sorted(BLANK))
def test_blank_odd_text_gives_no_spans(eager, name):
    assert eager.predict(TEXTS[name]) == []


@pytest.mark.parametrize("name", sorted(set(TEXTS) - BLANK))
def test_odd_text_gives_spans_whose_offsets_index_the_input(eager, name):
    text = TEXTS[name]
    spans = eager.predict(text)
    assert spans, "with thresholds at 0.05 the tiny model marks spans in any text with words"
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
        covered = text[s.start:s.end]
        assert covered == covered.strip()  # no span starts or ends in whitespace
        assert has_content(covered)  # every span holds a word or symbol of the input, not punctuation alone
        # Spans are whole words, so an edge inside a run of letters is an offset that went astray.
        assert not (s.start > 0 and text[s.start - 1].isalnum() and text[s.start].isalnum())
        assert not (s.end < len(text) and text[s.end - 1].isalnum() and text[s.end].isalnum())


def test_a_lone_surrogate_counts_as_one_character(eager):
    """U+FFFD stands in for a lone surrogate, one code point for one, so the spans of a text with
    lone surrogates are those of the same text with U+FFFD in their places, at the same offsets."""
    text = TEXTS["lone_surrogates"]
    replaced = text.replace("\ud800", "\ufffd").replace("\udfff", "\ufffd")
    assert len(replaced) == len(text) and replaced != text
    spans = eager.predict(text)
    assert spans and any(s.start > text.index("\udfff") for s in spans)  # spans after the surrogates too
    assert spans == eager.predict(replaced)


class _FourthTokenInside(OutsideBackend):
    """The 4th token of each window reads as inside label 0; every other token is outside."""

    def mark(self, batch, logits):
        logits[:, 3, 0, 0] = -8.0


def test_ten_megabytes_of_text(detector):
    """Tokenizer, windows, merging and decoding on 10 MB; the stub keeps the network out of it."""
    from framespan.detector import Detector

    stub = _FourthTokenInside(len(detector.schema))
    det = Detector(stub, detector.tokenizer, detector.schema, detector.settings)
    text = ("The regime said the army would win. " * 300_000)[: 10 * 1024 * 1024]
    spans = det.predict(text)
    assert spans and all(0 <= s.start < s.end <= len(text) for s in spans)
