"""SemEval-2020 Task 11 submission files (SI spans, TC techniques) from a trained run."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from .corpora.ptc import read_ptc, read_tc_template, write_semeval_predictions
from .detector import Detector
from .errors import FramespanError
from .evaluation import predict_documents, tc_answers
from .labels import LabelSchema, load_schema
from .spans import Document, Span


def to_ptc_names(schema: LabelSchema) -> dict[str, str]:
    """Map the run's label names onto the PTC technique names SemEval scorers expect."""
    ptc = load_schema("ptc14")
    if schema.name == ptc.name:
        return {n: n for n in schema.names}
    inverse = {ours: theirs for theirs, ours in schema.mapping_from(ptc).items()}
    return {n: inverse[n] for n in schema.names if n in inverse}


def export_semeval(run: str | Path, articles: str | Path, si_out: str | Path | None = None,
                   tc_out: str | Path | None = None, tc_spans: str | Path | None = None,
                   ids_file: str | Path | None = None, progress: bool = True,
                   precision: str = "fp32", device: str = "auto") -> dict[str, int]:
    """Write SI predictions (``id start end``) and TC predictions (``id technique start end``).

    ``tc_spans`` is the task's TC template (``ID ? START END``, a span listed once per technique it
    carries), or any SI/TC labels file or folder: the TC file has one line per template line, in
    the template's order, and a span listed k times gets the model's k most likely techniques.
    Labels without a PTC counterpart (framespan's own devices) are left out of both files, so
    the scores are comparable with the task's.
    """
    det = Detector.load(run, device=device, precision=precision)
    names = to_ptc_names(det.schema)
    if not names:
        raise FramespanError(f"the run's labels ({det.schema.name}) share no technique with PTC")
    docs = read_ptc(articles, None, schema=None)
    rows = read_tc_template(tc_spans, docs) if tc_spans else []
    if ids_file:
        wanted = {line.strip() for line in Path(ids_file).read_text(encoding="utf-8").splitlines() if line.strip()}
        docs = [d for d in docs if d.id in wanted]
        rows = [r for r in rows if r[0] in wanted]
    counts: dict[str, int] = {"articles": len(docs)}
    if si_out:
        pred = predict_documents(det, docs, progress=progress)
        si = {k: [s for s in v if s.label in names] for k, v in pred.items()}
        write_semeval_predictions(si, si_out, task="SI", docs=docs)
        counts["si_spans"] = sum(len(v) for v in si.values())
    if tc_out:
        answers = answer_template(det, docs, rows, [n for n in det.schema.names if n in names])
        write_semeval_predictions([(doc_id, Span(s.start, s.end, names[s.label], s.score))
                                   for doc_id, s in answers], tc_out, task="TC", docs=docs)
        counts["tc_spans"] = len(answers)
    return counts


def answer_template(det: Detector, docs: list[Document], rows: list[tuple[str, int, int, int]],
                    allowed: list[str]) -> list[tuple[str, Span]]:
    """One technique per template row, in the rows' order; the k rows of one span get the model's
    k most likely techniques, most likely first."""
    by_id = {d.id: d for d in docs}
    queues: dict[tuple[str, int, int], list[Span]] = {}
    for doc_id in dict.fromkeys(r[0] for r in rows):
        counts = Counter((start, end) for d, start, end, _ in rows if d == doc_id)
        if max(counts.values()) > len(allowed):
            raise FramespanError(f"article {doc_id}: a span is listed {max(counts.values())} times, more than "
                                 f"the {len(allowed)} techniques the run can name")
        probs = det.span_probs(by_id[doc_id].text, sorted(counts), allowed)
        for span in tc_answers(counts, probs, det.schema.names):
            queues.setdefault((doc_id, span.start, span.end), []).append(span)
    return [(doc_id, queues[(doc_id, start, end)].pop(0)) for doc_id, start, end, _ in rows]
