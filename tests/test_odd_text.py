"""Odd text at predict time: spans or a clear error, never a crash, offsets always index the input."""

import pytest

TEXTS = {
    "empty": "",
    "whitespace": " \n\t \u00a0 ",
    "one_long_word": "x" * 100_000,
    "control_chars": "The regime\x00\x07\x1b said \x0c so\u200b-called \x7f",
    "mixed_scripts_emoji": "הממשלה said the regime 🙂 مرحبا 中文 the so-called \"Front\" 👩‍👩‍👧",
    "lone_surrogates": "The regime \ud800 said \udfff the terrorists",
}


@pytest.fixture(scope="module")
def detector(tiny_model_dir):
    import framespan

    return framespan.load(tiny_model_dir, backend="torch")


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_odd_text_gives_valid_offsets(detector, name):
    text = TEXTS[name]
    for s in detector.predict(text):
        assert 0 <= s.start < s.end <= len(text)


class _AllOutside:
    """Stands in for the network: every token confidently outside every device."""

    def tag_logits(self, batch):
        import numpy as np

        ids = batch["input_ids"]
        logits = np.zeros((*ids.shape, self.n_labels, 3), dtype=np.float32)
        logits[..., 0] = 8.0
        logits[:, 3, 0, 0] = -8.0  # the 4th token of each window reads as inside label 0
        return logits


def test_ten_megabytes_of_text(detector):
    """Tokenizer, windows, merging and decoding on 10 MB; the stub keeps the network out of it."""
    from framespan.inference import Detector

    stub = _AllOutside()
    stub.n_labels = len(detector.schema)
    det = Detector(stub, detector.tokenizer, detector.schema, detector.config)
    text = ("The regime said the army would win. " * 300_000)[: 10 * 1024 * 1024]
    spans = det.predict(text)
    assert spans and all(0 <= s.start < s.end <= len(text) for s in spans)
