"""The inline markup the bundled corpus is written in."""

import pytest

from framespan.corpora.markup import parse_markup, read_markup
from framespan.errors import DataError


def test_nested_spans_and_escaped_brackets():
    text, spans = parse_markup('the so-called [scare_quotes: "[loaded_label: Front]"] \\[sic\\]')
    assert text == 'the so-called "Front" [sic]'
    got = {(text[s.start:s.end], s.label) for s in spans}
    assert got == {('"Front"', "scare_quotes"), ("Front", "loaded_label")}


def test_unicode_offsets_index_python_string():
    text, spans = parse_markup("Zoë said [loaded_label: señores] 🙂 [scare_quotes: “Plan”]")
    assert [text[s.start:s.end] for s in spans] == ["señores", "“Plan”"]


@pytest.mark.parametrize("marked,problem,line", [
    ("a\nb [x: never closed", "never closed", 2),
    ("a ] b", "closes no open span", 1),
    ("a\n\nb [1bad: c]", "must open a span", 3),
    ("a [x:  padded] b", "whitespace", None),
    ("a [x: ] b", "empty span", 1),
])
def test_markup_errors_name_line_and_problem(marked, problem, line):
    with pytest.raises(DataError, match=problem) as err:
        parse_markup(marked, "src.txt")
    assert err.value.path == "src.txt"
    if line is not None:
        assert err.value.line == line


def test_read_markup_documents_headers_and_duplicates(tmp_path):
    f = tmp_path / "c.txt"
    f.write_text("# note\n=== d1 | split=train | outlet=X\nThe [loaded_label: regime] fell.\n\n"
                 "=== d2 | split=dev\n\n", encoding="utf-8")
    d1, d2 = read_markup(f)
    assert (d1.id, d1.text, d1.meta["split"], d1.meta["outlet"]) == ("d1", "The regime fell.", "train", "X")
    assert d2.text == "" and d2.spans == []  # empty documents are valid and kept
    f.write_text("=== d1\na\n=== d1\nb\n", encoding="utf-8")
    with pytest.raises(DataError, match="duplicate document id") as err:
        read_markup(f)
    assert err.value.line == 3
