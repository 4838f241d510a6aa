"""Tests for the Label Studio JSON export reader and writer, emoji offsets included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framespan.corpora.common import SkipReport, clean_meta
from framespan.corpora.formats import read_corpus
from framespan.corpora.labelstudio import (
    codepoints_to_utf16,
    read_labelstudio,
    utf16_to_codepoints,
    write_labelstudio,
)
from framespan.errors import DataError
from framespan.spans import Document, Span

EXPORT = Path(__file__).parent / "fixtures" / "labelstudio" / "export.json"


def covered(doc: Document) -> list[tuple[str, str]]:
    return [(s.label, doc.text[s.start:s.end]) for s in doc.spans]


def span_result(start: object, end: object, labels: object = ("doubt",), text: str | None = None) -> dict:
    value = {"start": start, "end": end, "labels": list(labels) if isinstance(labels, tuple) else labels}
    if text is not None:
        value["text"] = text
    return {"type": "labels", "from_name": "label", "to_name": "text", "value": value}


def task(text: str, *results: dict, doc_id: str = "t") -> dict:
    return {"data": {"text": text, "doc_id": doc_id}, "annotations": [{"result": list(results)}]}


def dump(path: Path, tasks: object) -> Path:
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return path


def test_first_non_cancelled_annotation_is_used():
    doc = read_labelstudio(EXPORT, report=SkipReport())[0]
    assert doc.id == "ls-a"
    assert covered(doc) == [("anonymous_source", "Sources say"),
                            ("exaggeration_minimisation", "reckless gamble"),
                            ("loaded_language", "reckless gamble")]
    assert doc.meta == {"outlet": "Daily Ledger", "path": str(EXPORT)}


def test_task_without_annotation_is_kept_unannotated():
    doc = read_labelstudio(EXPORT, report=SkipReport())[1]
    assert (doc.id, doc.spans, doc.annotated_labels) == ("12", [], frozenset())


def test_older_completions_key_is_read():
    doc = read_labelstudio(EXPORT, report=SkipReport())[3]
    assert covered(doc) == [("bandwagon_reductio", "Everyone knows")]


def test_emoji_code_point_offsets_are_used_as_they_are(tmp_path):
    text = "Go 🚀 now, a bold move"
    start = text.index("bold")
    report = SkipReport()
    path = dump(tmp_path / "e.json", [task(text, span_result(start, start + 4, text="bold"))])
    doc = read_labelstudio(path, report=report)[0]
    assert covered(doc) == [("doubt", "bold")]
    assert len(report) == 0


def test_legacy_utf16_offsets_are_converted_and_reported():
    report = SkipReport()
    doc = read_labelstudio(EXPORT, report=report)[2]
    assert covered(doc) == [("scare_quotes", '"victory"')]
    assert report.actions == ["converted"]
    assert report[0].where == "[2]" and "UTF-16" in report[0].problem


def test_conversion_warns_when_no_report_is_given():
    with pytest.warns(UserWarning, match="1 converted"):
        read_labelstudio(EXPORT)


def test_forced_utf16_reading_without_value_text(tmp_path):
    text = "😀😀 word"
    doc = read_labelstudio(dump(tmp_path / "e.json", [task(text, span_result(5, 9))]), offsets="utf16")[0]
    assert covered(doc) == [("doubt", "word")]


def test_utf16_helpers_agree():
    text = "a😀b🎉c"
    table = utf16_to_codepoints(text)
    assert all(table[codepoints_to_utf16(text, i)] == i for i in range(len(text) + 1))
    assert 2 not in table  # the middle of a surrogate pair is no character boundary


def test_offsets_index_the_exact_string_so_crlf_counts_two(tmp_path):
    text = "one\r\ntwo"
    doc = read_labelstudio(dump(tmp_path / "c.json", [task(text, span_result(5, 8, text="two"))]))[0]
    assert covered(doc) == [("doubt", "two")]


def test_round_trip(tmp_path):
    docs = read_labelstudio(EXPORT, report=SkipReport())
    docs.append(Document("empty", "", [], None, {}))
    write_labelstudio(docs, tmp_path / "out.json")
    back = read_labelstudio(tmp_path / "out.json")
    assert [(d.id, d.text, d.spans, d.annotated_labels, clean_meta(d.meta)) for d in back] == \
           [(d.id, d.text, d.spans, d.annotated_labels, clean_meta(d.meta)) for d in docs]


def test_written_file_stores_code_points_and_covered_text(tmp_path):
    write_labelstudio([Document("x", "🚀 up", [Span(2, 4, "doubt")])], tmp_path / "out.json")
    value = json.loads((tmp_path / "out.json").read_text())[0]["annotations"][0]["result"][0]["value"]
    assert value == {"start": 2, "end": 4, "text": "up", "labels": ["doubt"]}


def test_read_corpus_detects_json_as_labelstudio(tmp_path):
    assert read_corpus(EXPORT, report=SkipReport()) == read_labelstudio(EXPORT, report=SkipReport())


@pytest.mark.parametrize("result, problem", [
    (span_result(1.0, 3), "start offset must be an integer, got float"),
    (span_result(1, "3"), "end offset must be an integer, got str"),
    (span_result(False, 3), "start offset must be an integer, got bool"),
    (span_result(1, 30), "end offset 30 is past the end of the text (length 9)"),
    (span_result(-2, 3), "negative offset"),
    (span_result(3, 1), "start >= end"),
    (span_result(0, 3, text="xyz"), "span text 'xyz' does not match text[0:3] = 'som'"),
    (span_result(0, 3, labels=[]), "value.labels must be a non-empty list"),
    (span_result(0, 3, labels=["nope"]), "unknown label 'nope'"),
    ({"type": "labels", "value": {"start": 0, "labels": ["doubt"]}}, "value is missing key(s) ['end']"),
])
def test_bad_result_names_file_and_json_path(tmp_path, result, problem):
    tasks = [task("fine text"), task("some text", span_result(0, 4), result, doc_id="u")]
    path = dump(tmp_path / "e.json", tasks)
    with pytest.raises(DataError) as err:
        read_labelstudio(path, schema="framing")
    assert "e.json (" + "[1].annotations[0].result[1]" + ")" in str(err.value)
    assert problem in str(err.value)


@pytest.mark.parametrize("tasks, where, problem", [
    ([{"annotations": []}], "[0]", "task is missing its 'data' object"),
    ([{"data": {"body": "x"}}], "[0].data", "data has no key 'text'"),
    ([task("a", doc_id="same"), task("b", doc_id="same")], "[1]", "duplicate document id 'same'"),
    ([{"data": {"text": "a"}, "annotations": [{"lead_time": 3}]}], "[0].annotations[0]",
     "annotation is missing its 'result'"),
])
def test_bad_task_names_json_path(tmp_path, tasks, where, problem):
    with pytest.raises(DataError) as err:
        read_labelstudio(dump(tmp_path / "e.json", tasks))
    assert f"e.json ({where}): {problem}" in str(err.value)


def test_malformed_json_names_line(tmp_path):
    path = tmp_path / "e.json"
    path.write_text('[\n {"data": {"text": "x"}},\n oops\n]')
    with pytest.raises(DataError, match=r"e\.json:3 \(column 2\): malformed JSON"):
        read_labelstudio(path)


def test_top_level_must_be_a_list(tmp_path):
    with pytest.raises(DataError, match="expected a JSON list of tasks, got dict"):
        read_labelstudio(dump(tmp_path / "e.json", {"data": {}}))


def test_bom_is_ignored(tmp_path):
    path = tmp_path / "e.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps([task("abc", span_result(0, 1))]).encode())
    assert read_labelstudio(path)[0].spans == [Span(0, 1, "doubt")]


def test_duplicate_result_strict_and_lenient(tmp_path):
    path = dump(tmp_path / "e.json", [task("abc", span_result(0, 1), span_result(0, 1))])
    with pytest.raises(DataError, match=r"\(\[0\]\.annotations\[0\]\.result\[1\]\): duplicate span 0-1"):
        read_labelstudio(path)
    report = SkipReport()
    assert read_labelstudio(path, lenient=True, report=report)[0].spans == [Span(0, 1, "doubt")]
    assert report.actions == ["deduplicated"]


def test_lenient_skips_bad_result_but_keeps_task(tmp_path):
    path = dump(tmp_path / "e.json", [task("abc", span_result(0, 1), span_result(0, 9)), {"data": 3}])
    report = SkipReport()
    docs = read_labelstudio(path, lenient=True, report=report)
    assert [(d.id, d.spans) for d in docs] == [("t", [Span(0, 1, "doubt")])]
    assert [e.where for e in report] == ["[0].annotations[0].result[1]", "[1]"]
