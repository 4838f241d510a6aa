"""Span/Document invariants and label-schema mapping."""

import pytest

from framespan.errors import ConfigError, DataError
from framespan.labels import LabelSchema, check_labels, load_schema, map_documents
from framespan.spans import Document, Span, dedupe, union_spans


def test_span_rejects_reversed_and_negative_offsets():
    with pytest.raises(ValueError):
        Span(5, 5, "x")
    with pytest.raises(ValueError):
        Span(-1, 3, "x")
    with pytest.raises(TypeError):
        Span(1.0, 3, "x")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Span(True, 3, "x")  # type: ignore[arg-type]


def test_document_rejects_span_past_text():
    with pytest.raises(ValueError, match="ends past the text"):
        Document("d", "abc", [Span(1, 4, "x")])


def test_overlapping_spans_are_kept_and_deduped_only_when_identical():
    spans = [Span(0, 5, "a"), Span(0, 5, "a", 0.9), Span(2, 8, "a"), Span(0, 5, "b")]
    out = dedupe(spans)
    assert [(s.start, s.end, s.label) for s in out] == [(0, 5, "a"), (0, 5, "b"), (2, 8, "a")]
    assert out[0].score == 0.9


def test_union_unites_chains_of_shared_characters_but_not_touching_spans():
    merged = union_spans([Span(0, 3, "a"), Span(2, 6, "b"), Span(6, 8, "a"), Span(10, 12, "a")], label="x")
    assert [(s.start, s.end, s.label) for s in merged] == [(0, 6, "x"), (6, 8, "x"), (10, 12, "x")]


def test_bundled_schemas_load_and_map_ptc_to_framing():
    ptc, framing = load_schema("ptc14"), load_schema("framing")
    assert len(ptc) == 14
    mapping = framing.mapping_from(ptc)
    assert mapping["Name_Calling,Labeling"] == "loaded_label"
    assert len(mapping) == 14  # every PTC technique has a framing counterpart
    assert "anonymous_source" not in mapping.values()


@pytest.mark.parametrize("name", ["framing", "ptc14"])
def test_bundled_schema_gives_every_label_its_own_colour(name):
    colors = load_schema(name).colors()  # highlights and legends tell labels apart by colour alone
    assert len(set(c.lower() for c in colors.values())) == len(colors)


def test_map_documents_marks_only_mapped_labels_as_annotated():
    ptc, framing = load_schema("ptc14"), load_schema("framing")
    doc = Document("1", "They are thugs.", [Span(9, 14, "Name_Calling,Labeling")])
    (out,) = map_documents([doc], ptc, framing)
    assert out.spans == [Span(9, 14, "loaded_label")]
    assert "loaded_label" in out.annotated_labels
    assert "scare_quotes" not in out.annotated_labels  # never annotated in PTC: masked, not negative


def test_map_documents_strict_rejects_unmappable_label():
    small = LabelSchema.from_dict({"name": "s", "labels": ["a"]})
    other = LabelSchema.from_dict({"name": "o", "labels": ["b"]})
    with pytest.raises(DataError, match="no counterpart"):
        map_documents([Document("d", "xyz", [Span(0, 1, "b")])], other, small)


def test_check_labels_names_document_and_label():
    schema = load_schema("framing")
    doc = Document("doc7", "abc", [Span(0, 1, "nonsense")], meta={"path": "f.jsonl", "line": 3})
    with pytest.raises(DataError, match=r"f\.jsonl:3 .*doc7.*nonsense"):
        check_labels([doc], schema)


def test_schema_rejects_duplicate_and_unknown_keys():
    with pytest.raises(ConfigError, match="twice"):
        LabelSchema.from_dict({"name": "s", "labels": ["a", "a"]})
    with pytest.raises(ConfigError, match="unknown keys"):
        LabelSchema.from_dict({"name": "s", "labels": [{"name": "a", "colour": "red"}]})
    with pytest.raises(ConfigError, match="unknown label schema"):
        load_schema("no-such-schema")
