"""Stand-off label files: hand-made fixtures for the reader, and the shipped PTC device labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from framespan.corpora.ptc import read_ptc
from framespan.corpora.standoff import add_standoff, read_ids
from framespan.errors import DataError
from framespan.labels import load_schema
from framespan.spans import Document, Span

ROOT = Path(__file__).resolve().parents[1]
PTC = ROOT.parent / "shared" / "ptc"
SHIPPED = ROOT / "data" / "ptc-framing"
OWN = ["inevitability_appeal", "anonymous_source", "scare_quotes"]
TEXT = "Sources say the so-called \u201cFront\u201d is doomed."


def _docs() -> list[Document]:
    return [Document("7", TEXT, [Span(16, 33, "loaded_label")], frozenset({"loaded_label"})),
            Document("8", "Nothing here.", [], frozenset({"loaded_label"}))]


def _write(tmp_path: Path, rows: str, ids: str | None = None) -> tuple[Path, Path | None]:
    labels = tmp_path / "labels.tsv"
    labels.write_text(rows, encoding="utf-8")
    if ids is None:
        return labels, None
    listed = tmp_path / "articles.txt"
    listed.write_text(ids, encoding="utf-8")
    return labels, listed


def test_pass_adds_spans_and_its_labels_to_the_documents_it_read(tmp_path):
    labels, listed = _write(tmp_path, "7\tanonymous_source\t0\t11\n7\tscare_quotes\t16\t33\n", "7\n")
    docs = add_standoff(_docs(), labels, OWN, listed, load_schema("framing"))
    assert [(s.label, TEXT[s.start:s.end]) for s in docs[0].spans] == [
        ("anonymous_source", "Sources say"), ("loaded_label", "so-called \u201cFront\u201d"),
        ("scare_quotes", "so-called \u201cFront\u201d")]
    assert docs[0].annotated_labels == frozenset(["loaded_label", *OWN])
    # Not read by the pass: its three labels stay masked, not taught as absent.
    assert docs[1].annotated_labels == frozenset({"loaded_label"})


def test_a_replacing_pass_drops_the_corpus_spans_of_its_labels_where_it_read(tmp_path):
    labels, listed = _write(tmp_path, "7\tloaded_label\t27\t32\n", "7\n8\n")
    docs = add_standoff(_docs(), labels, ["loaded_label"], listed, replace_labels=True)
    assert [TEXT[s.start:s.end] for s in docs[0].spans] == ["Front"]  # the corpus's own span is gone
    assert docs[1].spans == [] and docs[1].annotated_labels == frozenset({"loaded_label"})


def test_a_replacing_pass_leaves_documents_it_did_not_read_alone(tmp_path):
    labels, listed = _write(tmp_path, "8\tloaded_label\t0\t7\n", "8\n")
    docs = add_standoff(_docs(), labels, ["loaded_label"], listed, replace_labels=True)
    assert [(s.start, s.end) for s in docs[0].spans] == [(16, 33)]
    assert [(s.start, s.end) for s in docs[1].spans] == [(0, 7)]


@pytest.mark.parametrize(("rows", "message"), [
    ("7\tscare_quotes\t16\n", r"labels\.tsv:1: expected 4 tab-separated fields"),
    ("7\tscare_quotes\t16\t99\n", r"labels\.tsv:1 \(document 7\): end offset 99 is past the end"),
    ("7\tscare_quotes\t20\t20\n", r"labels\.tsv:1 \(document 7\): start >= end"),
    ("9\tscare_quotes\t0\t3\n", r"labels\.tsv:1: no document '9'"),
    ("7\tscare_quotes\t15\t33\n", r"labels\.tsv:1: span 15-33 starts or ends with white space"),
    ("7\tscare_quotes\t16\t33\n7\tscare_quotes\t16\t33\n", r"labels\.tsv:2: duplicate row"),
    ("7\tslogans\t0\t7\n", r"labels\.tsv: document 7: labels \['slogans'\] are not among"),
    ("7\tscare_quotes\tx\t3\n", r"labels\.tsv:1: offsets must be whole numbers"),
])
def test_bad_rows_name_file_and_line(tmp_path, rows, message):
    labels, _ = _write(tmp_path, rows)
    with pytest.raises(DataError, match=message):
        add_standoff(_docs(), labels, OWN, None, load_schema("framing"))


def test_spans_for_an_article_the_pass_did_not_read_are_refused(tmp_path):
    labels, listed = _write(tmp_path, "8\tscare_quotes\t0\t7\n", "7\n")
    with pytest.raises(DataError, match="leaves out"):
        add_standoff(_docs(), labels, OWN, listed)


@pytest.mark.skipif(not PTC.is_dir(), reason="needs the PTC articles in ../shared/ptc (not redistributable)")
@pytest.mark.parametrize(("labels", "articles", "devices"), [
    ("labels.tsv", "articles.txt", OWN),
    ("second-pass.tsv", "second-pass-articles.txt", OWN),
    ("loaded-label.tsv", "loaded-label-articles.txt", ["loaded_label"]),
    ("loaded-label-first-pass.tsv", "loaded-label-passes-articles.txt", ["loaded_label"]),
    ("loaded-label-second-pass.tsv", "loaded-label-passes-articles.txt", ["loaded_label"]),
])
def test_shipped_standoff_labels_load_over_ptc(labels, articles, devices):
    docs = read_ptc(PTC / "train-articles", None, schema=None)
    listed = read_ids(SHIPPED / articles)
    assert len(set(listed)) == len(listed) and set(listed) <= {d.id for d in docs}
    out = add_standoff(docs, SHIPPED / labels, devices, SHIPPED / articles, load_schema("framing"))
    spans = [(d, s) for d in out for s in d.spans]
    assert spans and {s.label for _, s in spans} == set(devices)
    for doc, s in spans:
        assert 0 <= s.start < s.end <= len(doc.text)
        assert any(c.isalnum() for c in doc.text[s.start:s.end])


@pytest.mark.parametrize(("replace_labels", "expected"), [(False, [(16, 33), (27, 32)]), (True, [(27, 32)])])
def test_a_run_config_passes_replace_to_the_standoff_pass(tmp_path, replace_labels, expected):
    from framespan.config import CorpusSpec
    from framespan.corpora.jsonl import write_jsonl
    from framespan.data import load_spec

    write_jsonl(_docs(), tmp_path / "corpus.jsonl")
    labels, _ = _write(tmp_path, "7\tloaded_label\t27\t32\n")
    spec = CorpusSpec(path=str(tmp_path / "corpus.jsonl"), format="jsonl", standoff=[
        {"labels": str(labels), "annotated": ["loaded_label"], "replace": replace_labels}])
    docs = load_spec(spec, load_schema("framing"))
    assert [(s.start, s.end) for s in docs[0].spans] == expected
