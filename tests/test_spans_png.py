"""The spans picture's line wrapping keeps every piece at its offset in the text."""

from __future__ import annotations

from framespan.labels import Label, LabelSchema

from .conftest import load_benchmark

png = load_benchmark("spans_png")


def test_wrapped_pieces_sit_at_their_offsets() -> None:
    text = "Army Says Rebels \u2018Finished\u2019\n\nThe so-called \u201cNational Liberation Front\u201d said so. " * 3
    pieces = png.wrapped_lines(text, 20)
    assert all(len(line) <= 20 for _, line in pieces)
    for off, line in pieces:
        assert text[off:off + len(line)] == line
    assert "".join(line for _, line in pieces) == text.replace("\n", "")


def test_palette_takes_the_bundled_schemas_current_colours_and_keeps_a_custom_schemas_own() -> None:
    old = LabelSchema("framing", (Label("flag_waving", "#3cb44b"), Label("mine", "#123456")))
    assert png.palette(old) == {"flag_waving": "#dcbeff", "mine": "#123456"}
    custom = LabelSchema("my-schema", (Label("x", "#abcdef"),))
    assert png.palette(custom) == {"x": "#abcdef"}


def test_a_band_starts_where_the_rendered_prefix_ends_with_dollars_and_curly_quotes() -> None:
    import matplotlib.pyplot as plt

    fig, ax = png.blank_axes(40, 1)
    measure = png._Measure(fig, ax)
    # A monospace prefix is as many units as characters, within hinting's rounding; "$5m and $3bn"
    # is text, not mathematics.
    for prefix in ("$5m and $3bn", "the so-called \u201cFront\u201d ", "a  "):
        assert abs(measure(prefix) - len(prefix)) < 0.1 * len(prefix)
    assert measure("") == 0.0
    plt.close(fig)
