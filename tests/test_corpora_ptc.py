"""Tests for the PTC / SemEval-2020 Task 11 reader and writers (hand-written fixtures only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from framespan.corpora.common import SkipReport, clean_meta
from framespan.corpora.formats import read_corpus, write_corpus
from framespan.corpora.ptc import read_ptc, write_ptc, write_semeval_predictions
from framespan.errors import DataError
from framespan.spans import Document, Span

FIX = Path(__file__).parent / "fixtures" / "ptc"
ARTICLES = FIX / "articles"
BOM = "\ufeff"


def covered(doc: Document) -> list[tuple[str, str]]:
    return [(s.label, doc.text[s.start:s.end]) for s in doc.spans]


def make_ptc(tmp_path: Path, articles: dict[str, bytes | str], labels: dict[str, str]) -> tuple[Path, Path]:
    """A small PTC folder pair under tmp_path; ``labels`` maps file name to content."""
    adir, ldir = tmp_path / "articles", tmp_path / "labels"
    adir.mkdir()
    ldir.mkdir()
    for doc_id, text in articles.items():
        data = text.encode("utf-8") if isinstance(text, str) else text
        (adir / f"article{doc_id}.txt").write_bytes(data)
    for name, content in labels.items():
        (ldir / name).write_bytes(content.encode("utf-8"))
    return adir, ldir


def test_reads_technique_labels_per_article():
    docs = read_ptc(ARTICLES, FIX / "labels-tc")
    assert [d.id for d in docs] == ["101", "102", "103"]
    assert covered(docs[0]) == [("Loaded_Language", "disgraceful waste"), ("Loaded_Language", "a fool"),
                                ("Name_Calling,Labeling", "a fool")]
    assert docs[0].annotated_labels is None
    assert docs[0].meta["path"] == str(ARTICLES / "article101.txt")


def test_article_with_empty_labels_file_is_kept():
    docs = read_ptc(ARTICLES, FIX / "labels-tc")
    assert docs[1].id == "102" and docs[1].spans == []


def test_si_spans_get_the_propaganda_label():
    docs = read_ptc(ARTICLES, FIX / "labels-si")
    assert docs[0].annotated_labels == frozenset({"propaganda"})
    assert covered(docs[0]) == [("propaganda", "disgraceful waste"), ("propaganda", "a fool")]


def test_combined_labels_file_reads_like_the_folder():
    assert read_ptc(ARTICLES, FIX / "train-task2-TC.labels") == read_ptc(ARTICLES, FIX / "labels-tc")
    assert read_ptc(ARTICLES, FIX / "train-task1-SI.labels") == read_ptc(ARTICLES, FIX / "labels-si")


def test_bom_is_stripped_and_offsets_that_count_it_are_moved():
    doc = read_ptc(ARTICLES, FIX / "labels-tc")[2]
    assert not doc.text.startswith(BOM)
    assert doc.meta["bom"] is True
    assert covered(doc) == [("Appeal_to_fear-prejudice", "Residents fear a catastrophic flood"),
                            ("Exaggeration,Minimisation", "catastrophic flood")]


def test_write_ptc_restores_bom_and_original_offsets(tmp_path):
    docs = read_ptc(ARTICLES, FIX / "labels-tc")
    write_ptc(docs, tmp_path / "a", tmp_path / "l")
    assert (tmp_path / "a" / "article103.txt").read_bytes() == (ARTICLES / "article103.txt").read_bytes()
    written = (tmp_path / "l" / "article103.task2-TC.labels").read_text().splitlines()
    original = (FIX / "labels-tc" / "article103.task2-TC.labels").read_text().splitlines()
    assert sorted(written) == sorted(original)


def test_crlf_article_keeps_its_carriage_returns(tmp_path):
    # Offsets index the file as decoded, with no newline translation: "\r\n" counts two.
    text = "Title\r\n\r\nA shameful deal.\r\n"
    start = text.index("shameful")
    adir, ldir = make_ptc(tmp_path, {"7": text}, {"article7.task2-TC.labels":
                                                  f"7\tLoaded_Language\t{start}\t{start + 8}\n"})
    doc = read_ptc(adir, ldir)[0]
    assert doc.text == text
    assert covered(doc) == [("Loaded_Language", "shameful")]


def test_crlf_labels_file_is_accepted(tmp_path):
    adir, ldir = make_ptc(tmp_path, {"7": "abc def"}, {"article7.task1-SI.labels": "7\t4\t7\r\n"})
    assert covered(read_ptc(adir, ldir)[0]) == [("propaganda", "def")]


def test_empty_article_is_valid(tmp_path):
    adir, ldir = make_ptc(tmp_path, {"5": ""}, {"article5.task2-TC.labels": ""})
    assert read_ptc(adir, ldir) == [Document("5", "", [], None, {"path": str(adir / "article5.txt")})]


def test_without_labels_documents_are_unannotated(tmp_path):
    adir, _ = make_ptc(tmp_path, {"5": "text"}, {})
    doc = read_ptc(adir)[0]
    assert doc.spans == [] and doc.annotated_labels == frozenset()


def test_labels_beside_articles_are_found(tmp_path):
    docs = read_ptc(ARTICLES, FIX / "labels-tc")
    write_ptc(docs, tmp_path, tmp_path)
    assert [d.spans for d in read_ptc(tmp_path)] == [d.spans for d in docs]


@pytest.mark.parametrize("labels", ["dir", "combined.labels"])
@pytest.mark.parametrize("task", ["TC", "SI"])
def test_round_trip(tmp_path, labels, task):
    docs = read_ptc(ARTICLES, FIX / ("labels-tc" if task == "TC" else "labels-si"))
    write_ptc(docs, tmp_path / "a", tmp_path / labels, task=task)
    back = read_ptc(tmp_path / "a", tmp_path / labels)
    assert [(d.id, d.text, d.spans, d.annotated_labels, clean_meta(d.meta)) for d in back] == \
           [(d.id, d.text, d.spans, d.annotated_labels, clean_meta(d.meta)) for d in docs]


def test_write_corpus_and_read_corpus_round_trip_a_ptc_folder(tmp_path):
    docs = read_ptc(ARTICLES, FIX / "labels-tc")
    write_corpus(docs, tmp_path / "out")
    assert [d.spans for d in read_corpus(tmp_path / "out")] == [d.spans for d in docs]


def test_read_corpus_detects_ptc_folder():
    assert read_corpus(ARTICLES, labels=FIX / "labels-tc") == read_ptc(ARTICLES, FIX / "labels-tc")


def test_read_corpus_detects_markup_file():
    docs = read_corpus(FIX.parent / "markup" / "sample.txt")
    assert [d.id for d in docs] == ["m1", "m2"]
    assert covered(docs[0]) == [("loaded_language", "a shameful betrayal")]


def test_read_corpus_detects_markup_folder():
    assert [d.id for d in read_corpus(FIX.parent / "markup")] == ["m1", "m2"]


def test_read_corpus_checks_markup_labels_against_schema():
    with pytest.raises(DataError, match=r"sample\.txt:2 \(document m1\): unknown label 'loaded_language'"):
        read_corpus(FIX.parent / "markup" / "sample.txt", schema="ptc14")


# ---------------------------------------------------------------- submissions

def test_tc_predictions_file(tmp_path):
    out = tmp_path / "pred.txt"
    write_semeval_predictions({"101": [Span(5, 9, "Doubt"), Span(1, 3, "Slogans")]}, out, task="TC")
    assert out.read_text() == "101\tDoubt\t5\t9\n101\tSlogans\t1\t3\n"


def test_si_predictions_merge_spans_sharing_characters_and_keep_touching_ones(tmp_path):
    out = tmp_path / "pred.txt"
    spans = [Span(10, 20, "Doubt"), Span(15, 25, "Slogans"), Span(25, 28, "Doubt"), Span(30, 31, "Doubt")]
    write_semeval_predictions({"9": spans}, out, task="SI")
    # The official scorer keeps touching spans apart too, so the file says what was predicted.
    assert out.read_text() == "9\t10\t25\n9\t25\t28\n9\t30\t31\n"


def test_predictions_count_the_bom_of_the_article(tmp_path):
    docs = read_ptc(ARTICLES, FIX / "labels-tc")
    out = tmp_path / "pred.txt"
    write_semeval_predictions({"103": [Span(0, 4, "Doubt")]}, out, task="TC", docs=docs)
    assert out.read_text() == "103\tDoubt\t1\t5\n"


def test_predictions_reject_unknown_technique(tmp_path):
    with pytest.raises(DataError, match="unknown technique 'loaded_language'"):
        write_semeval_predictions({"1": [Span(0, 1, "loaded_language")]}, tmp_path / "p.txt", task="TC")


def test_write_ptc_rejects_unsafe_ids(tmp_path):
    with pytest.raises(DataError, match="cannot name a PTC file"):
        write_ptc([Document("a/b", "x")], tmp_path, tmp_path, schema=None)


# ---------------------------------------------------------------- validation

def test_labels_file_without_article(tmp_path):
    adir, ldir = make_ptc(tmp_path, {"1": "abc"}, {"article1.task2-TC.labels": "",
                                                   "article2.task2-TC.labels": "2\tDoubt\t0\t1\n"})
    with pytest.raises(DataError, match=r"article2\.task2-TC\.labels: labels file for article 2 but there"):
        read_ptc(adir, ldir)


def test_combined_labels_for_missing_article_name_the_line(tmp_path):
    adir, _ = make_ptc(tmp_path, {"1": "abc"}, {})
    combined = tmp_path / "all.labels"
    combined.write_text("1\tDoubt\t0\t1\n3\tDoubt\t0\t1\n")
    with pytest.raises(DataError, match=r"all\.labels:2: labels for article 3 but there is no"):
        read_ptc(adir, combined)


def test_article_without_labels_file(tmp_path):
    adir, ldir = make_ptc(tmp_path, {"1": "abc", "2": "def"}, {"article1.task2-TC.labels": ""})
    with pytest.raises(DataError, match=r"article2\.txt: article 2 has no labels file"):
        read_ptc(adir, ldir)


def test_article_not_utf8_names_byte_offset(tmp_path):
    adir, ldir = make_ptc(tmp_path, {"1": b"ok \xff bad"}, {"article1.task2-TC.labels": ""})
    with pytest.raises(DataError, match=r"article1\.txt: not valid UTF-8 \(invalid start byte at byte 3\)"):
        read_ptc(adir, ldir)


@pytest.mark.parametrize("line, problem", [
    ("1\tDoubt\t2.5\t4", "start offset must be an integer, got '2.5'"),
    ("1\tDoubt\tzero\t4", "start offset must be an integer, got 'zero'"),
    ("1\tDoubt\t0\t99", "end offset 99 is past the end of the text"),
    ("1\tDoubt\t-1\t2", "negative offset"),
    ("1\tDoubt\t4\t2", "start >= end"),
    ("1\tDoubt\t2\t2", "start >= end"),
    ("1\tWishful_Thinking\t0\t2", "unknown label 'Wishful_Thinking'"),
    ("1\tDoubt\t0", "expected 4 tab-separated fields"),
    ("8\tDoubt\t0\t2", "line names article 8 but the file is for article 1"),
])
def test_bad_label_line_names_file_and_line(tmp_path, line, problem):
    adir, ldir = make_ptc(tmp_path, {"1": "some text"},
                          {"article1.task2-TC.labels": f"1\tDoubt\t0\t4\n{line}\n"})
    with pytest.raises(DataError) as err:
        read_ptc(adir, ldir)
    assert "article1.task2-TC.labels:2" in str(err.value)
    assert problem in str(err.value)


def test_duplicate_span_is_an_error_when_strict(tmp_path):
    adir, ldir = make_ptc(tmp_path, {"1": "some text"},
                          {"article1.task2-TC.labels": "1\tDoubt\t0\t4\n1\tDoubt\t0\t4\n"})
    with pytest.raises(DataError, match=r"labels:2 \(article 1\): duplicate span 0-4 'Doubt'"):
        read_ptc(adir, ldir)


def test_lenient_dedupes_and_skips_with_a_report(tmp_path):
    adir, ldir = make_ptc(tmp_path, {"1": "some text", "2": b"\xc3("},
                          {"article1.task2-TC.labels": "1\tDoubt\t0\t4\n1\tDoubt\t0\t4\n1\tDoubt\t0\t99\n",
                           "article2.task2-TC.labels": ""})
    report = SkipReport()
    docs = read_ptc(adir, ldir, lenient=True, report=report)
    assert [(d.id, d.spans) for d in docs] == [("1", [Span(0, 4, "Doubt")])]
    assert report.actions == ["skipped", "deduplicated", "skipped"]
    assert "past the end" in report[0].problem and "not valid UTF-8" in report[2].problem
    assert report[1].line == 2


def test_non_article_txt_file_is_an_error(tmp_path):
    adir, ldir = make_ptc(tmp_path, {"1": "abc"}, {"article1.task2-TC.labels": ""})
    (adir / "notes.txt").write_text("hello")
    with pytest.raises(DataError, match=r"notes\.txt: not a PTC article file name"):
        read_ptc(adir, ldir)
