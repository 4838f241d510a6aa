"""Detector: the small inference wrapper (load a model folder, predict spans, stream many texts)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .boundaries import tidy_spans
from .decoding import DocumentScores, WindowMerger, classify_by_tags, decode_spans, detect_scores
from .encoding import DETECT, LineBreaks, token_spans, tokenize_windows
from .errors import RunError
from .labels import LabelSchema, load_schema
from .lexicon import Lexicon, blend, load_if_present, mean_probs
from .spans import Span

INFERENCE_CONFIG = "inference.json"
_SURROGATE = re.compile("[\ud800-\udfff]")
ONNX_FILE = "model.onnx"
LABELS_FILE = "labels.yaml"


@dataclass
class InferenceConfig:
    max_length: int = 256
    stride: int = 64
    threshold: float = 0.5
    thresholds: dict[str, float] = field(default_factory=dict)
    snap_to_words: bool = True
    min_chars: int = 1
    # Labels the training data annotated; the others' outputs were never trained and are unused.
    active_labels: list[str] | None = None
    continue_ratio: float = 1.0
    # The model has the label-agnostic "any device" tag column (after the labels' columns).
    detect_column: bool = False
    # "labels": each label's column finds its own spans. "detect": the any-device column finds
    # spans, the span head names each (SemEval's SI then TC pipeline).
    strategy: str = "labels"
    detect_threshold: float = 0.5
    # Line breaks shown to the model as this separator token id (None: dropped, as tokenizers do),
    # written over a one-character placeholder where the tokenizer would drop them (LineBreaks).
    line_break_id: int | None = None
    line_break_placeholder: str = ""
    # Weight of the folder's lexicon (lexicon.py) when naming spans; unused without one.
    lexicon_weight: float = 0.0
    # Detect strategy: weight of the label columns' noisy-or in the any-device probability
    # (decoding.detect_scores), and the weights that threshold tuning may choose from.
    detect_label_weight: float = 0.0
    detect_label_weights: list[float] = field(default_factory=list)

    @property
    def line_breaks(self) -> LineBreaks | None:
        return None if self.line_break_id is None else LineBreaks(self.line_break_id, self.line_break_placeholder)

    def threshold_list(self, labels: Sequence[str]) -> list[float]:
        return [self.thresholds.get(name, self.threshold) for name in labels]

    def save(self, folder: Path) -> None:
        from .runs import atomic_write_text

        # Atomic, and a new file rather than an overwrite, so a hard-linked copy of the folder
        # (``retune_run``'s staging) never changes the original.
        atomic_write_text(folder / INFERENCE_CONFIG, json.dumps(self.__dict__, indent=2))

    @classmethod
    def load(cls, folder: Path) -> InferenceConfig:
        data = json.loads((folder / INFERENCE_CONFIG).read_text(encoding="utf-8"))
        return cls(**data)


class Backend(Protocol):
    """Runs the network on a padded batch; returns tag logits (batch, seq, labels, 3)."""

    def tag_logits(self, batch: dict[str, np.ndarray]) -> np.ndarray: ...


PRECISIONS = ("fp32", "bf16")


def resolve_device(device: str) -> str:
    """The torch device to predict on: ``auto`` is the GPU when torch sees one, else the CPU; a named
    device (cpu, cuda, cuda:1, mps) is checked, so a missing GPU is an error rather than a slow run."""
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        kind = torch.device(device).type
    except (RuntimeError, TypeError):
        raise RunError(f"unknown device {device!r} (auto, cpu, cuda, cuda:N, mps)") from None
    if kind == "cpu":
        return "cpu"  # safetensors refuses "cpu:0", which Trainer reports under torchrun
    if kind == "cuda" and not torch.cuda.is_available():
        raise RunError(f"device {device!r}: torch {torch.__version__} sees no CUDA GPU here; "
                       "use device 'auto' or 'cpu'")
    if kind == "mps" and not torch.backends.mps.is_available():
        raise RunError(f"device {device!r}: torch sees no Apple GPU (MPS) here; use device 'auto' or 'cpu'")
    return device


class TorchBackend:
    def __init__(self, folder: Path | None = None, device: str = "cpu", model: Any = None,
                 precision: str = "fp32") -> None:
        import torch

        from .model import FramespanModel

        if precision not in PRECISIONS:
            raise ValueError(f"unknown precision {precision!r} ({', '.join(PRECISIONS)})")
        self.torch = torch
        self.device = device
        self.precision = precision
        self.model = model if model is not None else FramespanModel.load(folder, device)

    @property
    def has_span_head(self) -> bool:
        return self.model.span_classifier is not None

    def _autocast(self) -> Any:
        # Weights stay fp32; matrix products run in bf16, about 2.5x faster for a base-size encoder
        # on a CPU with AVX512-BF16 or AMX (docs/benchmarks.md).
        torch = self.torch
        kind = torch.device(self.device).type
        return torch.autocast(kind, dtype=torch.bfloat16, enabled=self.precision == "bf16")

    def tag_logits(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        torch = self.torch
        with torch.inference_mode(), self._autocast():
            inputs = {k: torch.from_numpy(v).to(self.device) for k, v in batch.items()}
            return self.model(**inputs)["logits"].float().cpu().numpy()

    def _hidden(self, inputs: dict[str, Any]) -> Any:
        kw = {"token_type_ids": inputs["token_type_ids"]} if "token_type_ids" in inputs else {}
        return self.model.encoder(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"],
                                  **kw).last_hidden_state

    def tag_logits_and_hidden(self, batch: dict[str, np.ndarray]) -> tuple[np.ndarray, Any]:
        """Tag logits and the encoder's hidden states (a tensor), so that a span head can name the
        spans found without running the encoder a second time."""
        torch = self.torch
        with torch.inference_mode(), self._autocast():
            hidden = self._hidden({k: torch.from_numpy(v).to(self.device) for k, v in batch.items()})
            return self.model.tag(hidden).float().cpu().numpy(), hidden

    def span_logits(self, batch: dict[str, np.ndarray], bounds: np.ndarray,
                    feats: np.ndarray | None = None) -> np.ndarray | None:
        if self.model.span_classifier is None:
            return None
        torch = self.torch
        with torch.inference_mode(), self._autocast():
            inputs = {k: torch.from_numpy(v).to(self.device) for k, v in batch.items()}
            return self._classify(self._hidden(inputs), inputs["attention_mask"], bounds, feats)

    def span_logits_from_hidden(self, hidden: Sequence[Any], bounds: np.ndarray,
                                feats: np.ndarray | None = None) -> np.ndarray | None:
        """``span_logits`` for windows whose hidden states (one (tokens, size) tensor each, from
        ``tag_logits_and_hidden``) are already known."""
        if self.model.span_classifier is None:
            return None
        torch = self.torch
        n = max(h.shape[0] for h in hidden)
        with torch.inference_mode(), self._autocast():
            padded = hidden[0].new_zeros((len(hidden), n, hidden[0].shape[-1]))
            mask = torch.zeros((len(hidden), n), dtype=torch.long, device=padded.device)
            for i, h in enumerate(hidden):
                padded[i, : h.shape[0]] = h
                mask[i, : h.shape[0]] = 1
            return self._classify(padded, mask, bounds, feats)

    def _classify(self, hidden: Any, mask: Any, bounds: np.ndarray, feats: np.ndarray | None) -> np.ndarray:
        torch = self.torch
        span_feats = None
        if self.model.span_features:
            span_feats = torch.from_numpy(np.asarray(feats, dtype=np.float32)).to(self.device)
        logits = self.model.classify_spans(hidden, torch.from_numpy(bounds).to(self.device), span_feats, mask)
        return logits.float().cpu().numpy()


@dataclass
class WindowState:
    """A window of a text being predicted, with its hidden states from the tagging pass."""

    index: int  # the window's position in the chunk's windows (document order)
    window: Any
    hidden: Any  # (tokens, size) tensor


def _softmax(x: np.ndarray) -> np.ndarray:
    x = x - x.max(axis=-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def model_folder(path: str | Path) -> Path:
    """The model folder of a run directory, or the folder itself if it holds a model."""
    path = Path(path)
    if not path.exists():
        raise RunError(f"no such run or model folder: {path}")
    if (path / "model" / INFERENCE_CONFIG).is_file():
        return path / "model"
    if (path / INFERENCE_CONFIG).is_file():
        return path
    raise RunError(f"{path} is not a framespan run or model folder (no {INFERENCE_CONFIG}; "
                   "was training finished?)")


class Detector:
    """Finds framing devices in text. ``Detector.load(run_dir)`` then ``predict(text)``."""

    def __init__(self, backend: Backend, tokenizer: Any, schema: LabelSchema, config: InferenceConfig,
                 folder: Path | None = None, lexicons: Sequence[Lexicon] = ()) -> None:
        self.backend = backend
        # An ensemble has one lexicon per member; their probabilities are averaged.
        self.lexicons = list(lexicons)
        self.tokenizer = tokenizer
        self.schema = schema
        self.config = config
        self.folder = folder
        self.pad_id = tokenizer.pad_token_id or 0
        # Prediction keeps the tagging pass's hidden states for naming spans (detect strategy) when a
        # chunk has at most this many windows: 256 windows of 256 tokens are 200 MB for a 768-wide
        # encoder in fp32. Longer chunks run the encoder again instead.
        self.state_cache_windows = 256
        active = set(config.active_labels or schema.names)
        self.active_labels = [n for n in schema.names if n in active]
        if config.strategy not in ("labels", "detect"):
            raise RunError(f"inference.json: unknown strategy {config.strategy!r} (labels, detect)")
        if config.strategy == "detect" and not config.detect_column:
            raise RunError("inference.json: strategy 'detect' needs a model with the any-device column")
        self.n_columns = len(schema) + int(config.detect_column)

    @classmethod
    def load(cls, path: str | Path, backend: str = "auto", device: str = "auto",
             threads: int | None = None, precision: str = "fp32") -> Detector:
        """Load a run directory or model folder. ``backend``: auto | torch | onnx. ``device``
        (torch backend): auto (the GPU when torch sees one, else the CPU), cpu, cuda, cuda:N or mps.

        ``auto`` runs ``model.onnx`` with onnxruntime when the folder has one (an exported folder,
        see ``framespan export``), else the torch weights. The ONNX path imports neither torch nor
        transformers. ``threads`` caps the CPU threads the backend uses (default: its own choice).
        ``precision``: fp32, or bf16 (torch backend: bf16 autocast, for CPUs with AVX512-BF16/AMX
        and GPUs; slower than fp32 on CPUs without bf16 instructions).
        """
        if precision not in PRECISIONS:
            raise RunError(f"unknown precision {precision!r} ({', '.join(PRECISIONS)})")
        folder = model_folder(path)
        from .runs import verify_model_folder

        verify_model_folder(folder)
        schema = load_schema(folder / LABELS_FILE)
        config = InferenceConfig.load(folder)
        from .ensemble import ENSEMBLE_FILE

        if (folder / ENSEMBLE_FILE).is_file():
            from .ensemble import EnsembleBackend, member_folders

            members = [cls.load(m, backend, device, threads, precision) for m in member_folders(folder)]
            return cls(EnsembleBackend([m.backend for m in members]), members[0].tokenizer, schema, config,
                       folder, [lx for m in members for lx in m.lexicons])
        has_onnx = (folder / ONNX_FILE).is_file()
        if backend == "auto":
            backend = "onnx" if has_onnx else "torch"
        if backend == "onnx":
            from .fast_tokenizer import WindowTokenizer

            if device not in ("auto", "cpu"):
                raise RunError(f"device {device!r} is for the torch backend; an ONNX folder runs on the CPU")
            if precision != "fp32":
                raise RunError(f"precision {precision!r} is for the torch backend; an ONNX folder runs in "
                               "its own precision (`framespan export --int8` for a smaller, faster one)")
            from .onnx_backend import OnnxBackend

            if not has_onnx:
                raise RunError(f"{folder} has no {ONNX_FILE}; make one with "
                               f"`framespan export {path} --out DIR`")
            onnx = OnnxBackend(folder, threads=threads)
            tokenizer: Any = WindowTokenizer.from_folder(folder, token_type_ids=onnx.uses_token_type_ids)
            impl: Backend = onnx
        elif backend == "torch":
            if not (folder / "model.safetensors").is_file():
                raise RunError(f"{folder} has no model.safetensors (an ONNX export?); use backend='onnx'")
            try:
                import torch
            except ImportError:
                raise RunError("the torch backend needs torch installed; export the run to ONNX "
                               "(`framespan export`) to predict without it") from None
            if threads:
                torch.set_num_threads(threads)
            impl = TorchBackend(folder, resolve_device(device), precision=precision)
            tokenizer = _load_tokenizer(folder)
        else:
            raise ValueError(f"unknown backend {backend!r} (auto, torch, onnx)")
        lexicon = load_if_present(folder)
        return cls(impl, tokenizer, schema, config, folder, [lexicon] if lexicon else [])

    # -- prediction -------------------------------------------------------------------------------
    def predict(self, text: str) -> list[Span]:
        return next(self.predict_many([text]))

    def predict_many(self, texts: Iterable[str], batch_size: int = 32) -> Iterator[list[Span]]:
        """Spans for each text, in order; reads ``texts`` lazily, so memory stays bounded."""
        chunk: list[str] = []
        for text in texts:
            chunk.append(text)
            if len(chunk) >= batch_size:
                yield from self._predict_chunk(chunk, batch_size)
                chunk = []
        if chunk:
            yield from self._predict_chunk(chunk, batch_size)

    def scores(self, texts: Sequence[str], batch_size: int = 32) -> list[Any]:
        """Merged per-token probabilities for each text (DocumentScores)."""
        return self.scores_and_states(list(texts), batch_size)[0]

    def scores_and_states(self, texts: list[str], batch_size: int = 32, keep_states: bool = False
                          ) -> tuple[list[DocumentScores], list[list[WindowState]] | None]:
        """Merged token scores of each text and, with ``keep_states`` (when the backend can, and the
        texts have at most ``state_cache_windows`` windows), each text's windows with their hidden
        states in window order, so the span head can read them without a second encoder pass."""
        windows = self._windows(texts)
        mergers = [WindowMerger(self.n_columns) for _ in texts]
        keep = (keep_states and len(windows) <= self.state_cache_windows
                and callable(getattr(self.backend, "tag_logits_and_hidden", None))
                and getattr(self.backend, "has_span_head", False))
        states: list[list[WindowState]] | None = [[] for _ in texts] if keep else None
        batch_size = min(batch_size, getattr(self.backend, "max_batch", None) or batch_size)
        # Windows of similar length batch together, so little compute goes to padding.
        order = sorted(range(len(windows)), key=lambda i: len(windows[i].input_ids))
        for i in range(0, len(order), batch_size):
            group = [windows[j] for j in order[i:i + batch_size]]
            if states is not None:
                logits, hidden = self.backend.tag_logits_and_hidden(self._pad(group))  # type: ignore[attr-defined]
                for r, j in enumerate(order[i:i + batch_size]):
                    w = windows[j]
                    states[w.doc_index].append(WindowState(j, w, hidden[r, : len(w.input_ids)]))
            else:
                logits = self.backend.tag_logits(self._pad(group))
            probs = _softmax(logits)
            for w, p in zip(group, probs, strict=True):
                mergers[w.doc_index].add(w.offsets, p[: len(w.offsets)])
        if states is not None:
            for doc_states in states:
                doc_states.sort(key=lambda st: st.index)
        return [m.result() for m in mergers], states

    def _windows(self, texts: list[str]) -> list[Any]:
        # The light tokenizer of ONNX folders cuts windows itself; a transformers one goes through
        # encoding.tokenize_windows. Both give the same windows (tests/test_export_onnx.py).
        # Lone surrogates (from broken decoders) cannot reach the Rust tokenizer; U+FFFD stands in,
        # one code point for one, so offsets still index the caller's string.
        texts = [_SURROGATE.sub("\ufffd", t) for t in texts]
        windows = getattr(self.tokenizer, "windows", None)
        if callable(windows):
            return windows(texts, self.config.max_length, self.config.stride, self.config.line_breaks)
        return tokenize_windows(self.tokenizer, texts, self.config.max_length, self.config.stride,
                                self.config.line_breaks)

    def _predict_chunk(self, texts: list[str], batch_size: int) -> Iterator[list[Span]]:
        scores, states = self.scores_and_states(texts, batch_size, keep_states=self.config.strategy == "detect")
        for i, (text, sc) in enumerate(zip(texts, scores, strict=True)):
            yield self.decode(text, sc, states[i] if states is not None else None)
            if states is not None:
                states[i] = []  # a text's hidden states are not needed once its spans are named

    def decode(self, text: str, scores: DocumentScores, states: Sequence[WindowState] | None = None) -> list[Span]:
        """Spans from a text's merged token scores, as the model folder's strategy says (``states``:
        its windows' hidden states from ``scores_and_states``, if kept)."""
        cfg = self.config
        if cfg.strategy == "detect":
            found = decode_spans(text, self.detect_scores(scores), [DETECT], [cfg.detect_threshold],
                                 cfg.snap_to_words, cfg.min_chars, cfg.continue_ratio)
            return self.name_spans(text, found, states, scores)
        return decode_spans(text, DocumentScores(scores.offsets, scores.probs[:, self.active_columns, :]),
                            self.active_labels,
                            cfg.threshold_list(self.active_labels), cfg.snap_to_words, cfg.min_chars,
                            cfg.continue_ratio)

    def detect_scores(self, scores: DocumentScores, label_weight: float | None = None) -> DocumentScores:
        """A text's any-device column (tokens, 1, 3), blended with the active labels' columns at
        ``label_weight`` (default: the folder's ``detect_label_weight``)."""
        weight = self.config.detect_label_weight if label_weight is None else label_weight
        return detect_scores(scores, len(self.schema), self.active_columns, weight)

    @property
    def active_columns(self) -> list[int]:
        """The tag columns of the active labels, in schema order."""
        return [self.schema.index(n) for n in self.active_labels]

    def name_spans(self, text: str, found: Sequence[Span], states: Sequence[WindowState] | None = None,
                   scores: DocumentScores | None = None) -> list[Span]:
        """Give each unlabelled span found by the any-device column its most likely device; the
        score is P(device) x the span's detection score. ``states`` and ``scores``: the text's, if
        already computed (as in ``span_probs``)."""
        ranges = [(s.start, s.end) for s in found]
        out = []
        for s, p in zip(found, self.span_probs(text, ranges, states=states, scores=scores), strict=True):
            j = int(np.argmax(p))
            out.append(Span(s.start, s.end, self.schema.names[j], float(p[j]) * float(s.score or 1.0)))
        # Named, a span may now be a scare quote, which holds its quotation marks.
        return tidy_spans(text, out) if self.config.snap_to_words else sorted(out)

    def _pad(self, windows: Sequence[Any]) -> dict[str, np.ndarray]:
        n = max(len(w.input_ids) for w in windows)
        ids = np.full((len(windows), n), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(windows), n), dtype=np.int64)
        tt = np.zeros((len(windows), n), dtype=np.int64)
        for i, w in enumerate(windows):
            ids[i, : len(w.input_ids)] = w.input_ids
            mask[i, : len(w.input_ids)] = w.attention_mask
            if w.token_type_ids is not None:
                tt[i, : len(w.input_ids)] = w.token_type_ids
        batch = {"input_ids": ids, "attention_mask": mask}
        if windows[0].token_type_ids is not None:
            batch["token_type_ids"] = tt
        return batch

    # -- technique classification of given spans (SemEval TC) -------------------------------------
    def span_probs(self, text: str, spans: Sequence[tuple[int, int]],
                   allowed: Sequence[str] | None = None, states: Sequence[WindowState] | None = None,
                   scores: DocumentScores | None = None) -> np.ndarray:
        """(spans, labels) probabilities of each device for given char ranges, zero outside
        ``allowed`` (default: the labels the model was trained on). ``states`` (the text's windows
        with hidden states) and ``scores`` (its merged token scores), if already computed, spare
        the encoder passes that would compute them again."""
        from .span_features import span_features

        probs: list[np.ndarray | None] = [None] * len(spans)
        head = bool(spans) and getattr(self.backend, "span_logits", None) is not None
        weight = self.config.lexicon_weight
        lexicon = bool(spans) and bool(self.lexicons) and weight > 0
        # Both the span head and the lexicon read these; one scan of the text serves both.
        feats = span_features(text, spans) if head or lexicon else None
        if head:
            probs = self._classify_with_head(text, spans, feats, states)
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
        names = set(allowed if allowed is not None else self.active_labels)
        keep = np.array([n in names for n in self.schema.names], dtype=float)
        out = np.zeros((len(spans), len(self.schema)))
        for i, p in enumerate(probs):
            row = keep if p is None else np.asarray(p, dtype=float) * keep  # no token: uniform
            out[i] = row / row.sum() if row.sum() > 0 else keep / keep.sum()
        return out

    def classify(self, text: str, spans: Sequence[tuple[int, int]], allowed: Sequence[str] | None = None,
                 k: int = 1) -> list[Span]:
        """Label each given char range with its ``k`` most likely devices (span head, else tag scores)."""
        out = []
        for (start, end), p in zip(spans, self.span_probs(text, spans, allowed), strict=True):
            for j in np.argsort(-p, kind="stable")[:k]:
                out.append(Span(start, end, self.schema.names[int(j)], float(p[j])))
        return out

    def _classify_with_head(self, text: str, spans: Sequence[tuple[int, int]], feats: np.ndarray,
                            states: Sequence[WindowState] | None = None) -> list[np.ndarray | None]:
        windows = [st.window for st in states] if states else self._windows([text])
        # Each span is classified once, in the window where it has the most context on both sides.
        best: dict[int, tuple[int, int, tuple[int, int]]] = {}  # span -> (margin, window, token range)
        for j, w in enumerate(windows):
            real = [t for t, (a, b) in enumerate(w.offsets) if b > a]
            if not real:
                continue
            lo, hi = w.offsets[real[0]][0], w.offsets[real[-1]][1]
            for i, (s, e) in enumerate(spans):
                if s >= lo and e <= hi:
                    rng = token_spans(w.offsets, s, e)
                    if rng is not None:
                        margin = min(rng[0] - real[0], real[-1] - rng[1])
                        if i not in best or margin > best[i][0]:
                            best[i] = (margin, j, rng)
        by_window: dict[int, list[tuple[int, tuple[int, int]]]] = {}
        for i, (_, j, rng) in sorted(best.items()):
            by_window.setdefault(j, []).append((i, rng))
        result: list[np.ndarray | None] = [None] * len(spans)
        if not by_window:
            return result
        order = sorted(by_window)
        step = getattr(self.backend, "max_batch", None) or 16
        for g in range(0, len(order), step):
            group = order[g:g + step]
            k = max(len(by_window[j]) for j in group)
            # Rows past a window's own spans point at its first token; their logits are dropped.
            bounds = np.zeros((len(group), k, 2), dtype=np.int64)
            rows = np.zeros((len(group), k, feats.shape[1]), dtype=np.float32)
            for r, j in enumerate(group):
                for q, (i, rng) in enumerate(by_window[j]):
                    bounds[r, q] = rng
                    rows[r, q] = feats[i]
            if states:
                logits = self.backend.span_logits_from_hidden(  # type: ignore[attr-defined]
                    [states[j].hidden for j in group], bounds, rows)
            else:
                logits = self.backend.span_logits(self._pad([windows[j] for j in group]), bounds, rows)
            if logits is None:
                return result
            probs = _softmax(logits)
            for r, j in enumerate(group):
                for q, (i, _) in enumerate(by_window[j]):
                    result[i] = probs[r, q]
        return result


def _load_tokenizer(folder: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(folder), use_fast=True, trust_remote_code=False)
