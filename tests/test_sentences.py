"""Which full stops end a sentence, on hand-made news sentences."""

from __future__ import annotations

import pytest

from framespan.boundaries import tidy_spans
from framespan.sentences import full_stop_ends
from framespan.spans import Span


def stop_at(text: str, before: str) -> int:
    """The index of the full stop right after ``before`` in ``text``."""
    i = text.index(before) + len(before)
    assert text[i] == "."
    return i


@pytest.mark.parametrize(("text", "before", "ends"), [
    ("The U.S. regime fell.", "The U.S", False),
    ("Mr. Putin spoke.", "Mr", False),
    ("A 3.5 percent rise.", "A 3", False),
    ("It began on Jan. 7 in the capital.", "Jan", False),
    ("It began on Sept. 11, 2001.", "Sept", False),
    ("The strike came at 5 p.m. local time.", "5 p.m", False),
    ("Shares of Acme Inc. rose.", "Acme Inc", False),
    # a full stop before a capital ends its sentence, after a company or a month too
    ("He resigned. Officials said so.", "He resigned", True),
    ("It was made by Acme Inc. The company denied it.", "Acme Inc", True),
    ("They met in Jan. The talks failed.", "in Jan", True),
    ("The end.", "The end", True),
])
def test_full_stop_ends(text: str, before: str, ends: bool) -> None:
    assert full_stop_ends(text, stop_at(text, before)) is ends


def test_a_source_reaches_its_verb_past_a_date() -> None:
    text = "Officials on Jan. 7 said the deal was off."
    i = text.index("Officials")
    span, = tidy_spans(text, [Span(i, i + len("Officials on Jan"), "anonymous_source", 0.9)])
    assert text[span.start:span.end] == "Officials on Jan. 7 said"


def test_an_appeal_clause_goes_on_past_a_lower_case_abbreviation() -> None:
    text = "By 5 p.m. tomorrow the regime will inevitably fall. Nobody doubts it."
    i = text.index("inevitably")
    span, = tidy_spans(text, [Span(i, i + len("inevitably fall"), "inevitability_appeal", 0.9)])
    assert text[span.start:span.end] == "By 5 p.m. tomorrow the regime will inevitably fall"
