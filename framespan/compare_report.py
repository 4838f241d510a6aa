"""A comparison's outputs: Markdown and JSON report, PNG charts, and an HTML page of disagreements."""

from __future__ import annotations

import html
import io
import math
from pathlib import Path
from typing import Any

import numpy as np

from .atomic import atomic_write_bytes, atomic_write_json, atomic_write_text
from .compare import Comparison
from .render import highlight, legend, page

FILES = {"markdown": "compare.md", "json": "compare.json", "per_label_png": "per_label_f1.png",
         "pr_png": "precision_recall.png", "html": "disagreements.html"}


def _f(x: float | None, digits: int = 3) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _signed(x: float) -> str:
    return f"{x:+.3f}"


def _md_cell(text: Any) -> str:
    return str(text if text is not None else "?").replace("|", "\\|").replace("\n", " ")


def comparison_markdown(report: dict[str, Any]) -> str:
    """The comparison as Markdown tables (runs, per label, bootstrap, left-out labels, notes)."""
    names = [r["name"] for r in report["runs"]]
    data = report["data"]
    lines = [f"# framespan compare: {' vs '.join(names)}", "",
             f"Gold data: {data['description'] or 'given documents'} — {data['n_docs']} documents, "
             f"{data['n_gold_spans']} gold spans of the compared labels. Labels compared: "
             f"{len(report['labels']['shared'])} (schema {report['labels']['schema']})."]
    lines += _runs_table(report) + _per_label_table(report, names) + _bootstrap_table(report)
    lines += _left_out(report)
    notes = list(report.get("notes", [])) + [f"{r['name']}: {n}" for r in report["runs"] for n in r["notes"]]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    if report.get("files"):
        lines += ["", "## Files", ""] + [f"- {k}: {v}" for k, v in report["files"].items()]
    return "\n".join(lines) + "\n"


def _runs_table(report: dict[str, Any]) -> list[str]:
    lines = ["", "## Runs", "",
             "| run | SI P | SI R | SI F1 | TC micro-F1 | labeled F1 | exact F1 | docs/s | size MB "
             "| base model | epochs | training data |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|"]
    for r in report["runs"]:
        s, c = r["scores"], r["config"]
        lines.append(f"| {_md_cell(r['name'])} | {_f(s['si_precision'])} | {_f(s['si_recall'])} "
                     f"| {_f(s['si_f1'])} | {_f(s['tc_f1'])} | {_f(s['labeled_f1'])} | {_f(s['exact_f1'])} "
                     f"| {_f(r['docs_per_second'], 1)} | {r['size_mb']:.1f} "
                     f"| {_md_cell(c.get('base_model'))} | {_md_cell(c.get('epochs'))} "
                     f"| {_md_cell(c.get('train_data'))} |")
    return lines + ["", "Speed: documents per second while predicting on this machine "
                    f"(batch size {report['settings']['batch_size']}), one warm-up document excluded. "
                    "Size: the model folder on disk."]


def _per_label_table(report: dict[str, Any], names: list[str]) -> list[str]:
    head = " | ".join(f"{_md_cell(n)} F1" if i == 0 else f"{_md_cell(n)} F1 (Δ)" for i, n in enumerate(names))
    preds = " | ".join(f"pred {_md_cell(n)}" for n in names)
    lines = ["", f"## Per label (labeled-span F1; Δ against {_md_cell(names[0])})", "",
             f"| label | gold | {head} | {preds} |", "|---|---:|" + "---:|" * (2 * len(names))]
    for label, row in report["per_label"].items():
        cells = [_f(row["f1"][0])] + [f"{_f(f)} ({_signed(d)})"
                                      for f, d in zip(row["f1"][1:], row["delta"][1:], strict=True)]
        lines.append(f"| {label} | {row['support_gold']} | " + " | ".join(cells) + " | "
                     + " | ".join(str(n) for n in row["support_pred"]) + " |")
    return lines


def _bootstrap_table(report: dict[str, Any]) -> list[str]:
    st = report["settings"]
    lines = ["", f"## Paired bootstrap over documents ({st['n_resamples']} resamples, seed {st['seed']})",
             "", "Δ = F1(B) − F1(A) on the same resampled documents; corpus F1 is recomputed from "
             "per-document counts in each resample. Flips: share of resamples whose Δ does not have the "
             "observed sign.", "",
             "| A | B | metric | F1 A | F1 B | Δ | 95% CI | flips |", "|---|---|---|---:|---:|---:|---|---:|"]
    for b in report["bootstrap"]:
        lines.append(f"| {_md_cell(b['a'])} | {_md_cell(b['b'])} | {b['title']} | {_f(b['f1_a'])} "
                     f"| {_f(b['f1_b'])} | {_signed(b['delta'])} "
                     f"| [{_signed(b['ci_low'])}, {_signed(b['ci_high'])}] | {b['flip_share']:.3f} |")
    return lines


def _left_out(report: dict[str, Any]) -> list[str]:
    left = report["labels"]["left_out"]
    if not left:
        return []
    by_reason: dict[str, list[str]] = {}
    for x in left:
        by_reason.setdefault(x["reason"], []).append(f"{x['label']} ({x['schema']})")
    lines = ["", "## Labels left out", "", "| labels | why |", "|---|---|"]
    return lines + [f"| {_md_cell(', '.join(labels))} | {_md_cell(reason)} |" for reason, labels in by_reason.items()]


def _figure(width: float, height: float) -> Any:
    # The object API with an Agg canvas: no pyplot global state, no display needed.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(fig)
    return fig


def _png_bytes(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


def plot_per_label_f1(report: dict[str, Any]) -> bytes:
    """PNG bytes: grouped bars of labeled-span F1 per label, one bar per run."""
    labels = list(report["per_label"])
    names = [r["name"] for r in report["runs"]]
    fig = _figure(max(6.0, 0.6 * len(labels) * max(1, len(names)) / 2 + 2), 4.2)
    ax = fig.add_subplot(1, 1, 1)
    x = np.arange(len(labels))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        values = [report["per_label"][lab]["f1"][i] for lab in labels]
        ax.bar(x + (i - (len(names) - 1) / 2) * width, values, width, label=name)
    ax.set_xticks(x)
    ax.set_xticklabels([f"{lab}\n(n={report['per_label'][lab]['support_gold']})" for lab in labels],
                       rotation=45, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("labeled-span F1")
    ax.set_title("Per-label F1")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    return _png_bytes(fig)


def plot_precision_recall(report: dict[str, Any]) -> bytes:
    """PNG bytes: precision against recall per run (SI and labeled), over iso-F1 curves."""
    fig = _figure(5.5, 5.0)
    ax = fig.add_subplot(1, 1, 1)
    grid = np.linspace(0.01, 1, 200)
    for f in (0.2, 0.4, 0.6, 0.8):
        with np.errstate(divide="ignore", invalid="ignore"):
            p = f * grid / (2 * grid - f)
        ok = (p > 0) & (p <= 1)
        ax.plot(grid[ok], p[ok], color="#cccccc", lw=0.8)
        ax.annotate(f"F1={f}", (0.99, p[ok][-1]), fontsize=7, color="#999999", ha="right", va="bottom")
    colors = [f"C{i % 10}" for i in range(len(report["runs"]))]
    for run, color in zip(report["runs"], colors, strict=True):
        s = run["scores"]
        ax.scatter([s["si_recall"]], [s["si_precision"]], color=color, marker="o", s=50,
                   label=f"{run['name']} SI")
        ax.scatter([s["labeled_recall"]], [s["labeled_precision"]], color=color, marker="s", s=50,
                   label=f"{run['name']} labeled")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title("Precision / recall per run")
    ax.legend(fontsize=7, loc="lower left")
    return _png_bytes(fig)


def disagreement_html(comparison: Comparison) -> str:
    """HTML: for the documents where the runs disagree most, gold and each run's spans side by side."""
    report = comparison.report
    colors = comparison.plan.target.colors()
    by_id = {d.id: (k, d) for k, d in enumerate(comparison.docs)}
    names = [r.name for r in comparison.runs]
    shared = set(comparison.plan.shared)
    intro = (f"<p>{len(report['disagreements'])} documents where the runs' predictions differ most "
             f"(mean 1 − labeled overlap F1 between runs), compared on {len(shared)} labels. "
             "Hover over a highlight for its label and score.</p>")
    parts, used = [], set()
    for item in report["disagreements"]:
        k, doc = by_id[item["id"]]
        gold = [s for s in doc.spans if s.label in shared and
                (doc.annotated_labels is None or s.label in doc.annotated_labels)]
        cols = [("gold", gold, "")]
        for name, res, f1 in zip(names, comparison.results, item["labeled_f1"], strict=True):
            cols.append((name, res.predictions[doc.id], f" — labeled F1 {f1:.2f}"))
        cells = []
        for title, spans, extra in cols:
            used.update(s.label for s in spans)
            none = "" if spans else '<div class="none">no spans</div>'
            cells.append(f"<div><h2>{html.escape(title)}{html.escape(extra)}</h2>"
                         f"{highlight(doc.text, spans, colors)}{none}</div>")
        parts.append(f'<div class="doc"><h2>{html.escape(doc.id)} (disagreement '
                     f'{item["disagreement"]:.2f})</h2><div class="cols">{"".join(cells)}</div></div>')
    if not parts:
        parts.append('<p class="none">The runs predict the same spans on every document.</p>')
    return page(f"framespan compare: {' vs '.join(names)}", intro + legend(colors, used) + "".join(parts))


def write_outputs(comparison: Comparison, out_dir: str | Path) -> dict[str, Path]:
    """Write Markdown, JSON, two PNG charts and the HTML page into ``out_dir``; return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {k: out / v for k, v in FILES.items()}
    comparison.report["files"] = {k: v.name for k, v in paths.items()}
    atomic_write_bytes(paths["per_label_png"], plot_per_label_f1(comparison.report))
    atomic_write_bytes(paths["pr_png"], plot_precision_recall(comparison.report))
    atomic_write_text(paths["html"], disagreement_html(comparison))
    atomic_write_json(paths["json"], comparison.report)
    atomic_write_text(paths["markdown"], comparison_markdown(comparison.report))
    return paths


