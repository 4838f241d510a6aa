"""Tests for framespan's JSONL corpus format and the lenient SkipReport."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from framespan.corpora.common import SkipReport, clean_meta
from framespan.corpora.formats import read_corpus, write_corpus
from framespan.corpora.jsonl import iter_jsonl, read_jsonl, write_jsonl
from framespan.errors import DataError
from framespan.spans import Document, Span

SMALL = Path(__file__).parent / "fixtures" / "jsonl" / "small.jsonl"
GOOD = {"id": "d1", "text": "A reckless plan.",
        "spans": [{"start": 2, "end": 10, "label": "loaded_language"}]}


def write_lines(path: Path, *records: object) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def with_span(**span: object) -> dict[str, object]:
    return {**GOOD, "spans": [{"start": 2, "end": 10, "label": "loaded_language", **span}]}


def test_reads_fixture():
    docs = read_jsonl(SMALL)
    assert [d.id for d in docs] == ["j1", "j2", "j3"]
    first = docs[0]
    assert [first.text[s.start:s.end] for s in first.spans] == ['"reform"', "reckless gamble", "insiders say"]
    assert docs[0].meta == {"split": "train", "path": str(SMALL), "line": 1}
    assert docs[1].annotated_labels == frozenset({"loaded_language"})


def test_empty_document_and_zero_spans_are_kept():
    docs = read_jsonl(SMALL)
    assert (docs[1].spans, docs[2].text, docs[2].spans) == ([], "", [])


def test_round_trip_keeps_everything_but_provenance(tmp_path):
    docs = read_jsonl(SMALL)
    docs[0].spans[0] = Span(15, 23, "scare_quotes", 0.75)
    write_jsonl(docs, tmp_path / "out.jsonl")
    back = read_jsonl(tmp_path / "out.jsonl")
    assert [(d.id, d.text, d.spans, d.annotated_labels, clean_meta(d.meta)) for d in back] == \
           [(d.id, d.text, d.spans, d.annotated_labels, clean_meta(d.meta)) for d in docs]
    assert back[0].spans[0].score == 0.75


def test_write_is_atomic_and_leaves_no_temp_file(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")
    with pytest.raises(TypeError):  # the second record cannot be serialised: the write fails midway
        write_jsonl([Document("a", "ok"), Document("b", "x", meta={"when": object()})], out)
    assert out.read_text() == "old\n"
    write_jsonl([Document("a", "ok")], out)
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_iter_jsonl_streams_before_reaching_a_bad_line(tmp_path):
    path = write_lines(tmp_path / "c.jsonl", GOOD, "{not json")
    stream = iter_jsonl(path)
    assert next(stream).id == "d1"
    with pytest.raises(DataError, match=r"c\.jsonl:2 \(column 2\): malformed JSON"):
        next(stream)


def test_bom_and_crlf_line_endings(tmp_path):
    path = tmp_path / "c.jsonl"
    second = {**GOOD, "id": "d2", "text": "A reckless\r\nplan."}
    body = json.dumps(GOOD) + "\r\n" + json.dumps(second) + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    docs = read_jsonl(path)
    assert [d.id for d in docs] == ["d1", "d2"]
    assert docs[1].text == "A reckless\r\nplan."  # escaped CR inside the string is kept


def test_blank_lines_are_ignored(tmp_path):
    assert len(read_jsonl(write_lines(tmp_path / "c.jsonl", GOOD, "", "   "))) == 1


@pytest.mark.parametrize("record, problem", [
    (with_span(start=2.0), "start offset must be an integer, got float 2.0"),
    (with_span(end="10"), "end offset must be an integer, got str '10'"),
    (with_span(start=True), "start offset must be an integer, got bool True"),
    (with_span(end=99), "end offset 99 is past the end of the text (length 16)"),
    (with_span(start=-1), "negative offset"),
    (with_span(start=10, end=2), "start >= end"),
    (with_span(label=""), "label must be a non-empty string"),
    (with_span(text="plan"), "span text 'plan' does not match"),
    (with_span(colour="red"), "span has unknown key(s) ['colour']"),
    ({**GOOD, "spans": [{"start": 2, "label": "x"}]}, "span is missing key(s) ['end']"),
    ({**GOOD, "annotated_labels": ["doubt"]}, "not among the document's annotated_labels"),
])
def test_bad_span_names_file_line_and_span(tmp_path, record, problem):
    path = write_lines(tmp_path / "c.jsonl", {**GOOD, "id": "d0"}, record)
    with pytest.raises(DataError) as err:
        read_jsonl(path)
    assert "c.jsonl:2 (spans[0])" in str(err.value)
    assert problem in str(err.value)


@pytest.mark.parametrize("record, problem", [
    ("[1, 2]", "a line must hold a JSON object, got list"),
    ({"id": "d2", "text": "x"}, "missing key(s) ['spans']"),
    ({"text": "x", "spans": []}, "missing key(s) ['id']"),
    ({**GOOD, "id": "d2", "text": 5}, "text must be a string"),
    ({**GOOD, "id": "d2", "source": "web"}, "unknown key(s) ['source']"),
    ({**GOOD, "id": None}, "document id must be a non-empty string"),
    (GOOD, "duplicate document id 'd1'"),
])
def test_bad_document_names_file_and_line(tmp_path, record, problem):
    path = write_lines(tmp_path / "c.jsonl", GOOD, record)
    with pytest.raises(DataError) as err:
        read_jsonl(path)
    assert "c.jsonl:2" in str(err.value)
    assert problem in str(err.value)


def test_unknown_label_with_schema(tmp_path):
    path = write_lines(tmp_path / "c.jsonl", with_span(label="propaganda"))
    with pytest.raises(DataError, match=r"c\.jsonl:1 \(spans\[0\]\): unknown label 'propaganda'"):
        read_jsonl(path, schema="framing")


def test_not_utf8_names_line_and_byte(tmp_path):
    path = tmp_path / "c.jsonl"
    first = json.dumps(GOOD).encode() + b"\n"
    path.write_bytes(first + b'{"id": "\xff"}\n')
    bad_byte = len(first) + len('{"id": "')
    expected = rf"c\.jsonl:2: not valid UTF-8 \(invalid start byte at byte {bad_byte}\)"
    with pytest.raises(DataError, match=expected):
        read_jsonl(path)


def test_duplicate_span_strict_and_lenient(tmp_path):
    span = GOOD["spans"][0]
    path = write_lines(tmp_path / "c.jsonl", {**GOOD, "spans": [span, span]})
    with pytest.raises(DataError, match=r"c\.jsonl:1 \(spans\[1\]\): duplicate span 2-10"):
        read_jsonl(path)
    report = SkipReport()
    assert read_jsonl(path, lenient=True, report=report)[0].spans == [Span(2, 10, "loaded_language")]
    assert report.actions == ["deduplicated"]


def test_lenient_skips_bad_spans_and_documents_and_reports_each(tmp_path):
    path = write_lines(tmp_path / "c.jsonl", with_span(end=99), "{oops",
                       {"id": "d2", "text": "fine", "spans": []},
                       {**GOOD, "id": "d2"})
    report = SkipReport()
    docs = read_jsonl(path, lenient=True, report=report)
    assert [(d.id, d.spans) for d in docs] == [("d1", []), ("d2", [])]
    assert [(e.line, e.where) for e in report] == [(1, "spans[0]"), (2, "column 2"), (4, None)]
    assert len(report) == 3 and "3 problem(s): 3 skipped" in report.summary()


def test_report_writes_jsonl(tmp_path):
    report = SkipReport()
    report.add(DataError("bad", "f.jsonl", 3, "spans[1]"))
    report.add(DataError("dup", "f.jsonl", 4), "deduplicated")
    report.write(tmp_path / "skips.jsonl")
    rows = [json.loads(x) for x in (tmp_path / "skips.jsonl").read_text().splitlines()]
    assert rows == [
        {"action": "skipped", "path": "f.jsonl", "line": 3, "where": "spans[1]", "problem": "bad"},
        {"action": "deduplicated", "path": "f.jsonl", "line": 4, "where": None, "problem": "dup"},
    ]
    assert str(report).startswith("2 problem(s): 1 deduplicated, 1 skipped; first: f.jsonl:3 (spans[1]): bad")


def test_lenient_without_report_warns(tmp_path):
    path = write_lines(tmp_path / "c.jsonl", with_span(end=99))
    with pytest.warns(UserWarning, match="1 problem"):
        read_jsonl(path, lenient=True)


def test_read_corpus_and_write_corpus_use_jsonl_by_suffix(tmp_path):
    docs = read_corpus(SMALL)
    write_corpus(docs, tmp_path / "copy.jsonl")
    assert [d.spans for d in read_corpus(tmp_path / "copy.jsonl", format="jsonl")] == [d.spans for d in docs]


def test_read_corpus_rejects_unknown_suffix(tmp_path):
    (tmp_path / "c.csv").write_text("x")
    with pytest.raises(DataError, match="cannot tell the corpus format"):
        read_corpus(tmp_path / "c.csv")


def test_lone_surrogates_round_trip_through_every_json_writer(tmp_path):
    from framespan.corpora.doccano import read_doccano, write_doccano
    from framespan.corpora.jsonl import read_jsonl, write_jsonl
    from framespan.corpora.labelstudio import read_labelstudio, write_labelstudio
    from framespan.spans import Document, Span

    docs = [Document("1", "a\ud800 b\udfff", [Span(0, 2, "x")])]
    for write, read, name in [(write_jsonl, read_jsonl, "d.jsonl"), (write_doccano, read_doccano, "c.jsonl"),
                              (write_labelstudio, read_labelstudio, "l.json")]:
        write(docs, tmp_path / name)
        (got,) = read(tmp_path / name)
        assert (got.text, got.spans) == (docs[0].text, docs[0].spans), name
