"""SemEval-2020 Task 11 submission files (SI spans, TC techniques) from a trained run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import FramespanError
from .labels import load_schema
from .spans import Span


def to_ptc_names(schema: Any) -> dict[str, str]:
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

    Labels without a PTC counterpart (framespan's own devices) are left out of both files, so
    the scores are comparable with the task's.
    """
    from .corpora.ptc import read_ptc, write_semeval_predictions
    from .evaluation import classify_rows, predict_documents
    from .inference import Detector

    det = Detector.load(run, device=device, precision=precision)
    names = to_ptc_names(det.schema)
    if not names:
        raise FramespanError(f"the run's labels ({det.schema.name}) share no technique with PTC")
    # TC spans may come from an SI file (label "propaganda"): only their offsets are used.
    docs = read_ptc(articles, tc_spans, schema=None) if tc_spans else read_ptc(articles, None, schema=None)
    if ids_file:
        wanted = {line.strip() for line in Path(ids_file).read_text(encoding="utf-8").splitlines() if line.strip()}
        docs = [d for d in docs if d.id in wanted]
    counts: dict[str, int] = {"articles": len(docs)}
    if si_out:
        pred = predict_documents(det, docs, progress=progress)
        si = {k: [s for s in v if s.label in names] for k, v in pred.items()}
        write_semeval_predictions(si, si_out, task="SI", docs=docs)
        counts["si_spans"] = sum(len(v) for v in si.values())
    if tc_out:
        allowed = [n for n in det.schema.names if n in names]
        out = {doc.id: [Span(s.start, s.end, names[s.label], s.score) for s in classify_rows(det, doc, allowed)]
               for doc in docs}
        write_semeval_predictions(out, tc_out, task="TC", docs=docs)
        counts["tc_spans"] = sum(len(v) for v in out.values())
    return counts
