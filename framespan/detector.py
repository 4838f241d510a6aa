"""Detector: load a model folder, then predict spans in texts (preprocess, forward, postprocess)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from .backends import Backend, load_backend, member_folders, softmax
from .boundaries import PAIRED_LABELS, quoted_terms, tidy_spans
from .decoding import CANDIDATE_FLOOR, DocumentScores, WindowMerger, candidate_runs, classify_by_tags
from .encoding import LineBreaks, pad_windows, tokenize_windows
from .errors import RunError
from .labels import LabelSchema, load_schema
from .layout import ENSEMBLE, LABELS, model_folder
from .lexicon import Lexicon, blend, load_if_present, mean_probs
from .manifest import verify_model_folder
from .naming import WindowState, head_probs
from .settings import DecodeSettings, FolderSettings
from .span_features import span_features
from .spans import Span
from .strategies import STRATEGIES, Columns, any_device_scores

_SURROGATE = re.compile("[\ud800-\udfff]")


class Detector:
    """Finds framing devices in text: ``Detector.load(run_dir)``, then ``predict(text)``.

    Decode settings come from the model folder; any of them can be changed for one call
    (``predict(text, threshold=0.3)``) or for the detector (``detector.settings``).
    """

    def __init__(self, backend: Backend, tokenizer: Any, schema: LabelSchema, settings: FolderSettings,
                 folder: Path | None = None, lexicons: Sequence[Lexicon] = ()) -> None:
        self.backend = backend
        # An ensemble has one lexicon per member; their probabilities are averaged.
        self.lexicons = list(lexicons)
        self.tokenizer = tokenizer
        self.schema = schema
        self.settings = settings
        self.folder = folder
        self.pad_id = tokenizer.pad_token_id or 0
        # Prediction keeps the tagging pass's hidden states for naming spans when a chunk has at most
        # this many windows: 256 windows of 256 tokens are 200 MB for a 768-wide encoder in fp32.
        # Longer chunks run the encoder again instead.
        self.state_cache_windows = 256
        active = set(settings.active_labels or schema.names)
        self.columns = Columns(schema.names, [n for n in schema.names if n in active], settings.any_device_column)

    @classmethod
    def load(cls, path: str | Path, backend: str = "auto", device: str = "auto",
             threads: int | None = None, precision: str = "fp32") -> Detector:
        """Load a run directory or model folder. ``backend``: auto | torch | onnx (auto: the folder's
        ONNX model when it has one). ``device`` (torch): auto (the GPU when torch sees one), cpu,
        cuda, cuda:N or mps. ``threads`` caps the CPU threads. ``precision``: fp32, or bf16 autocast
        (torch; for CPUs with AVX512-BF16/AMX and GPUs)."""
        folder = model_folder(path)
        verify_model_folder(folder)
        impl, tokenizer = load_backend(folder, backend, device, threads, precision)
        lexicons = [lx for lx in (load_if_present(m) for m in _lexicon_folders(folder)) if lx is not None]
        return cls(impl, tokenizer, load_schema(folder / LABELS), FolderSettings.load(folder), folder, lexicons)

    @property
    def decode_settings(self) -> DecodeSettings:
        return self.settings.decode

    def configure(self, **changes: Any) -> Detector:
        """Change decode settings for every later call (``configure(threshold=0.3)``); returns self."""
        self.settings = replace(self.settings, decode=self.settings.decode.override(**changes))
        return self

    @property
    def active_labels(self) -> list[str]:
        return self.columns.active

    # -- prediction -------------------------------------------------------------------------------
    def predict(self, text: str, **overrides: Any) -> list[Span]:
        """Spans in ``text``; ``overrides`` change decode settings for this call (threshold=0.3)."""
        return next(self.predict_many([text], **overrides))

    def predict_many(self, texts: Iterable[str], batch_size: int = 32, **overrides: Any) -> Iterator[list[Span]]:
        """Spans for each text, in order; reads ``texts`` lazily, so memory stays bounded."""
        settings = self.settings.decode.override(**overrides)
        chunk: list[str] = []
        for text in texts:
            chunk.append(text)
            if len(chunk) >= batch_size:
                yield from self._predict_chunk(chunk, batch_size, settings)
                chunk = []
        if chunk:
            yield from self._predict_chunk(chunk, batch_size, settings)

    def _predict_chunk(self, texts: list[str], batch_size: int, settings: DecodeSettings) -> Iterator[list[Span]]:
        keep = STRATEGIES[settings.strategy].names_spans
        scores, states = self.scores_and_states(texts, batch_size, keep_states=keep, settings=settings)
        for i, (text, sc) in enumerate(zip(texts, scores, strict=True)):
            yield self.decode(text, sc, states[i] if states is not None else None, settings)
            if states is not None:
                states[i] = []  # a text's hidden states are not needed once its spans are named

    def decode(self, text: str, scores: DocumentScores, states: Sequence[WindowState] | None = None,
               settings: DecodeSettings | None = None) -> list[Span]:
        """Spans from a text's merged token scores, as the decode settings' strategy says (``states``:
        its windows' hidden states from ``scores_and_states``, if kept)."""
        settings = settings or self.settings.decode
        strategy = STRATEGIES[settings.strategy]
        found = strategy.decode(text, scores, self.columns, settings)
        return self.name_spans(text, found, states, scores, settings) if strategy.names_spans else found

    def any_device_scores(self, scores: DocumentScores, label_weight: float | None = None) -> DocumentScores:
        """A text's any-device column, blended with the label columns at ``label_weight``
        (default: the folder's)."""
        weight = self.settings.decode.label_weight if label_weight is None else label_weight
        return any_device_scores(scores, self.columns, weight)

    def name_spans(self, text: str, found: Sequence[Span], states: Sequence[WindowState] | None = None,
                   scores: DocumentScores | None = None, settings: DecodeSettings | None = None) -> list[Span]:
        """Give each unlabelled span its most likely device; the score is P(device) x the span's
        detection score."""
        ranges = [(s.start, s.end) for s in found]
        probs = self.span_probs(text, ranges, states=states, scores=scores, settings=settings)
        out = []
        for s, p in zip(found, probs, strict=True):
            j = int(np.argmax(p))
            out.append(Span(s.start, s.end, self.schema.names[j], float(p[j]) * float(s.score or 1.0)))
        # Named, a span may now be a scare quote, which holds its quotation marks.
        return tidy_spans(text, out)

    # -- the network ------------------------------------------------------------------------------
    def scores(self, texts: Sequence[str], batch_size: int = 32) -> list[DocumentScores]:
        """Merged per-token probabilities for each text."""
        return self.scores_and_states(list(texts), batch_size)[0]

    def scores_and_states(self, texts: list[str], batch_size: int = 32, keep_states: bool = False,
                          settings: DecodeSettings | None = None
                          ) -> tuple[list[DocumentScores], list[list[WindowState]] | None]:
        """Merged token scores of each text and, with ``keep_states`` (when the backend can, and the
        texts have at most ``state_cache_windows`` windows), each text's windows with their hidden
        states in window order, so the span head can read them without a second encoder pass.
        The labels ``settings.head_weighed`` names (default: the folder's settings) have their
        candidates weighed by the span head (:meth:`weigh_by_head`)."""
        settings = settings or self.settings.decode
        weigh = self.head_weighed(settings)
        windows = self.windows(texts)
        mergers = [WindowMerger(self.columns.count) for _ in texts]
        keep = ((keep_states or bool(weigh)) and len(windows) <= self.state_cache_windows and self.backend.keeps_hidden
                and self.backend.has_span_head)
        states: list[list[WindowState]] | None = [[] for _ in texts] if keep else None
        batch_size = min(batch_size, self.backend.max_batch or batch_size)
        # Windows of similar length batch together, so little compute goes to padding.
        order = sorted(range(len(windows)), key=lambda i: len(windows[i].input_ids))
        for i in range(0, len(order), batch_size):
            group = [windows[j] for j in order[i:i + batch_size]]
            if states is not None:
                logits, hidden = self.backend.tag_logits_and_hidden(self.pad(group))
                for r, j in enumerate(order[i:i + batch_size]):
                    w = windows[j]
                    states[w.doc_index].append(WindowState(j, w, hidden[r, : len(w.input_ids)]))
            else:
                logits = self.backend.tag_logits(self.pad(group))
            for w, p in zip(group, softmax(logits), strict=True):
                mergers[w.doc_index].add(w.offsets, p[: len(w.offsets)])
        if states is not None:
            for doc_states in states:
                doc_states.sort(key=lambda st: st.index)
        scores = [m.result() for m in mergers]
        if weigh:
            scores = [self.weigh_by_head(t, sc, weigh, states[i] if states else None, settings)
                      for i, (t, sc) in enumerate(zip(texts, scores, strict=True))]
        return scores, states if keep_states else None

    def head_weighed(self, settings: DecodeSettings) -> list[str]:
        """The active labels whose candidates the span head weighs under ``settings`` (none without
        a span head); a name that is no label of this model is an error, not ignored."""
        unknown = self.schema.unknown(settings.head_weighed)
        if unknown:
            raise RunError(f"decode setting head_weighed names {unknown}, not labels of this model "
                           f"({', '.join(self.schema.names)})")
        if not self.backend.has_span_head:
            return []
        return [n for n in settings.head_weighed if n in self.columns.active]

    def weigh_by_head(self, text: str, scores: DocumentScores, labels: Sequence[str],
                      states: Sequence[WindowState] | None = None, settings: DecodeSettings | None = None
                      ) -> DocumentScores:
        """``scores`` with each candidate's tokens in the column of each of ``labels`` weighed by the
        span head's probability of that label for the candidate, so decoding, which reads a
        candidate's tokens, ranks it by the product. A quotation-delimited label's candidates are
        the quotations. Another label's are its spans decoded at ``CANDIDATE_FLOOR``, tidied as
        decoding tidies them, so the head reads what it was trained on ("terrorists", not the clause
        after it); tokens that tidying let go keep the weight of the whole token run they are in, as
        a higher threshold can decode them. A token in two candidates (one nested in the other)
        keeps the likelier one's weight; a candidate no window holds whole is left as is."""
        settings = settings or self.settings.decode
        cands = {label: self._candidates(text, scores, label, settings) for label in labels}
        ranges = sorted({r for layers in cands.values() for layer in layers for r in layer})
        if not ranges:
            return scores
        windows = [st.window for st in states] if states else self.windows([text])
        raw = head_probs(self.backend, windows, ranges, span_features(text, ranges), self.pad, states)
        probs = _normalise(raw, self.schema.names, set(self.columns.active))
        row = {r: i for i, r in enumerate(ranges)}
        out = scores.probs.copy()
        for label, layers in cands.items():
            c = self.schema.names.index(label)
            weight = np.full(len(scores.offsets), np.nan)  # tokens in no candidate keep their scores
            for layer in layers:  # a later layer's weight overrides an earlier one's
                here = np.full(len(scores.offsets), np.nan)
                for a, b in layer:
                    if raw[row[(a, b)]] is not None:
                        tokens = (scores.offsets[:, 0] < b) & (scores.offsets[:, 1] > a)
                        here[tokens] = np.fmax(here[tokens], probs[row[(a, b)], c])
                weight = np.where(np.isnan(here), weight, here)
            out[:, c, 1:] *= np.nan_to_num(weight, nan=1.0)[:, None]
            out[:, c, 0] = 1.0 - out[:, c, 1:].sum(axis=1)
        return DocumentScores(scores.offsets, out)

    def _candidates(self, text: str, scores: DocumentScores, label: str, settings: DecodeSettings
                    ) -> list[list[tuple[int, int]]]:
        """A label's candidates in layers, the later overriding the earlier where they share tokens."""
        if label in PAIRED_LABELS:
            return [quoted_terms(text)]
        # A threshold set below the floor by hand still finds only weighed spans.
        floor = min(CANDIDATE_FLOOR, settings.threshold_for(label))
        col = self.schema.names.index(label)
        runs = candidate_runs(scores, col, floor, settings.continue_ratio)
        # The spans decode_spans would give at the floor: the same runs, tidied.
        spans = tidy_spans(text, [Span(a, b, label) for a, b in runs if b - a >= settings.min_chars])
        return [runs, [(s.start, s.end) for s in spans]]

    def windows(self, texts: list[str]) -> list[Any]:
        # The light tokenizer of ONNX folders cuts windows itself; a transformers one goes through
        # encoding.tokenize_windows. Both give the same windows (tests/test_export_onnx.py).
        # Lone surrogates (from broken decoders) cannot reach the Rust tokenizer; U+FFFD stands in,
        # one code point for one, so offsets still index the caller's string.
        w = self.settings.window
        texts = [_SURROGATE.sub("\ufffd", t) for t in texts]
        breaks = LineBreaks.of(w)
        cut = getattr(self.tokenizer, "windows", None)
        if callable(cut):
            return cut(texts, w.max_length, w.stride, breaks)
        return tokenize_windows(self.tokenizer, texts, w.max_length, w.stride, breaks)

    def pad(self, windows: Sequence[Any]) -> dict[str, np.ndarray]:
        return pad_windows(windows, self.pad_id)

    # -- naming given spans (SemEval TC) ----------------------------------------------------------
    def span_probs(self, text: str, spans: Sequence[tuple[int, int]], allowed: Sequence[str] | None = None,
                   states: Sequence[WindowState] | None = None, scores: DocumentScores | None = None,
                   settings: DecodeSettings | None = None) -> np.ndarray:
        """(spans, labels) probabilities of each device for given char ranges, zero outside
        ``allowed`` (default: the labels the model was trained on). ``states`` and ``scores``: the
        text's, if already computed, spare the encoder passes that would compute them again."""
        weight = (settings or self.settings.decode).lexicon_weight
        lexicon = bool(spans) and bool(self.lexicons) and weight > 0
        head = bool(spans) and self.backend.has_span_head
        # Both the span head and the lexicon read these; one scan of the text serves both.
        feats = span_features(text, spans) if head or lexicon else None
        probs: list[np.ndarray | None] = [None] * len(spans)
        if head:
            windows = [st.window for st in states] if states else self.windows([text])
            probs = head_probs(self.backend, windows, spans, feats, self.pad, states)
        missing = [i for i, p in enumerate(probs) if p is None]
        if missing:
            sc = scores if scores is not None else self.scores([text])[0]
            for i in missing:
                by_tags = classify_by_tags(sc, *spans[i])
                probs[i] = None if by_tags is None else by_tags[: len(self.schema)]
        if lexicon:
            lexical = mean_probs(self.lexicons, text, spans, self.schema.names, feats)
            # A span with no token (blank, or cut by every window) is named by the lexicon alone.
            probs = [lexical[i] if p is None else blend(np.asarray(p, dtype=float), lexical[i], weight)
                     for i, p in enumerate(probs)]
        return _normalise(probs, self.schema.names, set(allowed if allowed is not None else self.active_labels))

    def classify(self, text: str, spans: Sequence[tuple[int, int]], allowed: Sequence[str] | None = None,
                 k: int = 1) -> list[Span]:
        """Label each given char range with its ``k`` most likely devices."""
        out = []
        for (start, end), p in zip(spans, self.span_probs(text, spans, allowed), strict=True):
            for j in np.argsort(-p, kind="stable")[:k]:
                out.append(Span(start, end, self.schema.names[int(j)], float(p[j])))
        return out


def _normalise(probs: Sequence[np.ndarray | None], names: Sequence[str], allowed: set[str]) -> np.ndarray:
    keep = np.array([n in allowed for n in names], dtype=float)
    out = np.zeros((len(probs), len(names)))
    for i, p in enumerate(probs):
        row = keep if p is None else np.asarray(p, dtype=float) * keep  # no token: uniform
        out[i] = row / row.sum() if row.sum() > 0 else keep / keep.sum()
    return out


def _lexicon_folders(folder: Path) -> list[Path]:
    return member_folders(folder) if (folder / ENSEMBLE).is_file() else [folder]
