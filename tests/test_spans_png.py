"""The spans picture's line wrapping keeps every piece at its offset in the text."""

from __future__ import annotations

from .conftest import load_benchmark

png = load_benchmark("spans_png")


def test_wrapped_pieces_sit_at_their_offsets() -> None:
    text = "Army Says Rebels \u2018Finished\u2019\n\nThe so-called \u201cNational Liberation Front\u201d said so. " * 3
    pieces = png.wrapped_lines(text, 20)
    assert all(len(line) <= 20 for _, line in pieces)
    for off, line in pieces:
        assert text[off:off + len(line)] == line
    assert "".join(line for _, line in pieces) == text.replace("\n", "")
