"""Tests for the doccano JSONL export reader and writer (both span shapes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framespan.corpora.common import SkipReport, clean_meta
from framespan.corpora.doccano import read_doccano, write_doccano
from framespan.corpora.formats import read_corpus, write_corpus
from framespan.errors import DataError
from framespan.spans import Document, Span

FIX = Path(__file__).parent / "fixtures" / "doccano"


def covered(doc: Document) -> list[tuple[str, str]]:
    return [(s.label, doc.text[s.start:s.end]) for s in doc.spans]


def write_lines(path: Path, *records: object) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_reads_older_label_triples():
    docs = read_doccano(FIX / "old.jsonl")
    assert [d.id for d in docs] == ["1", "2"]
    assert covered(docs[0]) == [("scare_quotes", 'so-called "plan"'), ("loaded_language", "total disaster")]
    assert docs[0].meta == {"Comments": [], "path": str(FIX / "old.jsonl"), "line": 1}
    assert docs[1].spans == []


def test_reads_newer_entities():
    doc = read_doccano(FIX / "new.jsonl")[0]
    assert doc.id == "7"
    assert covered(doc) == [("appeal_to_authority", "Experts"),
                            ("appeal_to_fear", "dam could fail at any moment")]


@pytest.mark.parametrize("style", ["label", "entities"])
def test_round_trip(tmp_path, style):
    docs = read_doccano(FIX / "old.jsonl") + read_doccano(FIX / "new.jsonl")
    docs.append(Document("e", "", [], frozenset({"doubt"}), {"note": "empty"}))
    write_doccano(docs, tmp_path / "out.jsonl", style=style)
    back = read_doccano(tmp_path / "out.jsonl")
    assert [(d.id, d.text, d.spans, d.annotated_labels, clean_meta(d.meta)) for d in back] == \
           [(d.id, d.text, d.spans, d.annotated_labels, clean_meta(d.meta)) for d in docs]


def test_entities_style_output_shape(tmp_path):
    write_doccano([Document("a", "abc", [Span(0, 2, "x")])], tmp_path / "o.jsonl", style="entities")
    record = json.loads((tmp_path / "o.jsonl").read_text())
    assert record == {"id": "a", "text": "abc",
                      "entities": [{"id": 1, "label": "x", "start_offset": 0, "end_offset": 2}]}


def test_read_corpus_tells_doccano_from_our_jsonl():
    assert read_corpus(FIX / "old.jsonl") == read_doccano(FIX / "old.jsonl")


def test_write_corpus_doccano(tmp_path):
    docs = read_doccano(FIX / "new.jsonl")
    write_corpus(docs, tmp_path / "d.jsonl", format="doccano")
    assert read_corpus(tmp_path / "d.jsonl")[0].spans == docs[0].spans


@pytest.mark.parametrize("record, where, problem", [
    ({"id": 3, "text": "abc", "label": [[0, 2]]}, "label[0]", "a label must be [start, end, label]"),
    ({"id": 3, "text": "abc", "label": [[0, 9, "x"]]}, "label[0]", "end offset 9 is past the end"),
    ({"id": 3, "text": "abc", "label": [[2, 1, "x"]]}, "label[0]", "start >= end"),
    ({"id": 3, "text": "abc", "label": [[-1, 1, "x"]]}, "label[0]", "negative offset"),
    ({"id": 3, "text": "abc", "label": [[0.5, 1, "x"]]}, "label[0]", "start offset must be an integer"),
    ({"id": 3, "text": "abc", "label": [[0, 1, "x"], [0, 1, "x"]]}, "label[1]", "duplicate span 0-1 'x'"),
    ({"id": 3, "text": "abc", "entities": [{"start_offset": 0, "label": "x"}]}, "entities[0]",
     "entity is missing key(s) ['end_offset']"),
])
def test_bad_span_names_file_line_and_where(tmp_path, record, where, problem):
    path = write_lines(tmp_path / "d.jsonl", {"id": 1, "text": "ok", "label": []}, record)
    with pytest.raises(DataError) as err:
        read_doccano(path)
    assert f"d.jsonl:2 ({where}): {problem}" in str(err.value)


@pytest.mark.parametrize("record, problem", [
    ({"id": 3, "text": "abc"}, "missing key 'label' (or 'entities')"),
    ({"id": 3, "text": "abc", "label": [], "entities": []}, "both 'label' and 'entities' are present"),
    ({"text": "abc", "label": []}, "missing key(s) ['id']"),
    ({"id": 1, "text": "abc", "label": []}, "duplicate document id '1'"),
])
def test_bad_document_names_file_and_line(tmp_path, record, problem):
    path = write_lines(tmp_path / "d.jsonl", {"id": 1, "text": "ok", "label": []}, record)
    with pytest.raises(DataError) as err:
        read_doccano(path)
    assert f"d.jsonl:2: {problem}" in str(err.value)


def test_unknown_label_with_schema(tmp_path):
    path = write_lines(tmp_path / "d.jsonl", {"id": 1, "text": "ok", "label": [[0, 2, "Loaded"]]})
    with pytest.raises(DataError, match=r"d\.jsonl:1 \(label\[0\]\): unknown label 'Loaded'"):
        read_doccano(path, schema="framing")


def test_lenient_skips_and_reports(tmp_path):
    path = write_lines(tmp_path / "d.jsonl", {"id": 1, "text": "ok", "label": [[0, 2, "x"], [0, 5, "x"]]},
                       {"id": 2, "text": "no spans key"})
    report = SkipReport()
    docs = read_doccano(path, lenient=True, report=report)
    assert [(d.id, d.spans) for d in docs] == [("1", [Span(0, 2, "x")])]
    assert [(e.line, e.where) for e in report] == [(1, "label[1]"), (2, None)]
