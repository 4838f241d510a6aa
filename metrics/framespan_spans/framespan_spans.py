"""An ``evaluate`` metric wrapping framespan.metrics: SemEval-2020 SI, SemEval-2019 FLC and exact-match F1."""

from __future__ import annotations

from typing import Any

import datasets
import evaluate

from framespan.metrics import evaluate_spans
from framespan.spans import Document, Span

_CITATION = """\
@inproceedings{da-san-martino-etal-2020-semeval,
  title = {{S}em{E}val-2020 Task 11: Detection of Propaganda Techniques in News Articles},
  author = {Da San Martino, Giovanni and Barr{\\'o}n-Cede{\\~n}o, Alberto and Wachsmuth, Henning and
            Petrov, Rostislav and Nakov, Preslav},
  booktitle = {Proceedings of the Fourteenth Workshop on Semantic Evaluation},
  year = {2020},
  pages = {1377--1414},
}
@inproceedings{da-san-martino-etal-2019-fine,
  title = {Fine-Grained Analysis of Propaganda in News Articles},
  author = {Da San Martino, Giovanni and Yu, Seunghak and Barr{\\'o}n-Cede{\\~n}o, Alberto and
            Petrov, Rostislav and Nakov, Preslav},
  booktitle = {Proceedings of EMNLP-IJCNLP 2019},
  year = {2019},
  pages = {5636--5646},
}
"""

_DESCRIPTION = """\
Character-offset span metrics for framing and propaganda devices. si_*: the SemEval-2020 Task 11 span
identification score (partial credit |s & t| / |s| for precision and / |t| for recall, overlapping spans
merged per document, labels ignored). labeled_*: the same credit counted only between spans with the same
label, micro-averaged over labels (SemEval-2019 FLC). exact_*: a span counts only when start, end and label
all match. One example is one document.
"""

_KWARGS_DESCRIPTION = """
Args:
    predictions: one list per document of spans {"start": int, "end": int, "label": str}
        (end exclusive, character offsets).
    references: the gold spans, in the same layout and document order.
    labels: optional list of labels; only spans with these labels are scored and the per-label
        table lists them in this order.
    merge_pred: merge overlapping predicted spans (default True, the official scorer's -m);
        False raises an error on overlapping predictions instead.
Returns:
    si_precision, si_recall, si_f1, labeled_precision, labeled_recall, labeled_f1, labeled_macro_f1,
    exact_precision, exact_recall, exact_f1, n_docs, and per_label: {label: {precision, recall, f1,
    exact_precision, exact_recall, exact_f1, support_gold, support_pred}}.
Examples:
    >>> metric = evaluate.load("metrics/framespan_spans")
    >>> out = metric.compute(predictions=[[{"start": 15, "end": 25, "label": "A"}]],
    ...                      references=[[{"start": 10, "end": 20, "label": "A"}]])
    >>> round(out["si_f1"], 2)
    0.5
"""

_SPAN = {"start": datasets.Value("int64"), "end": datasets.Value("int64"), "label": datasets.Value("string")}


def _to_spans(items: Any) -> list[Span]:
    return [Span(int(s["start"]), int(s["end"]), str(s["label"])) for s in items]


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class FramespanSpans(evaluate.Metric):
    """SI / labeled / exact span F1 over documents given as lists of character-offset spans."""

    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features({"predictions": datasets.List(_SPAN),
                                        "references": datasets.List(_SPAN)}),
            reference_urls=["https://aclanthology.org/2020.semeval-1.186/",
                            "https://aclanthology.org/D19-1565/"],
        )

    def _compute(self, predictions: Any, references: Any, labels: list[str] | None = None,
                 merge_pred: bool = True) -> dict[str, Any]:
        docs, pred = [], {}
        for i, (p_items, r_items) in enumerate(zip(predictions, references, strict=True)):
            p_spans, r_spans = _to_spans(p_items), _to_spans(r_items)
            # Only offsets matter; a blank text as long as the furthest span satisfies Document's checks.
            width = max((s.end for s in (*p_spans, *r_spans)), default=0)
            docs.append(Document(str(i), " " * width, r_spans))
            pred[str(i)] = p_spans
        report = evaluate_spans(docs, pred, labels, merge_pred=merge_pred)
        out: dict[str, Any] = {"n_docs": report["n_docs"]}
        for section in ("si", "labeled", "exact"):
            for key in ("precision", "recall", "f1"):
                out[f"{section}_{key}"] = report[section][key]
        out["labeled_macro_f1"] = report["labeled"]["macro_f1"]
        out["per_label"] = report["per_label"]
        return out
