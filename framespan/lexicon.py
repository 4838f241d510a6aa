"""Lexical technique classifier: TF-IDF n-grams of a span and its surroundings, a logistic regression,
blended with the span head's probabilities when naming spans."""

from __future__ import annotations

import json
import math
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import RunError
from .layout import LEXICON_JSON, LEXICON_WEIGHTS
from .spans import Document

FILES = (LEXICON_JSON, LEXICON_WEIGHTS)
# 1: three extra numbers per span; 2: also how often its words recur in the text, and before it.
FORMAT = 2

# Word tokens keep quotes and ! ? as tokens of their own: scare quotes mark Loaded_Language and
# Slogans, exclamations Appeal_to_fear and Flag-Waving.
_WORD = re.compile(r"\w+|[\"'!?\u201c\u201d\u2018\u2019]")
_QUOTES = ('"', "\u201c", "\u201d")


@dataclass
class LexiconSettings:
    word_min_df: int = 2
    char_min_df: int = 3
    context_min_df: int = 3
    char_ngrams: tuple[int, int] = (2, 5)
    max_char_features: int = 60000
    context_chars: int = 60
    # The context's words tell less than the span's own, so their block is scaled down.
    context_scale: float = 0.5
    c: float = 10.0
    # Repetition is about recurrence, which no n-gram shows; without these the blend pulled the
    # span head's Repetition answers towards Loaded_Language (span_features.py says more).
    occurrences: bool = True

    @property
    def n_extras(self) -> int:
        return 9 if self.occurrences else 3


def _word_ngrams(text: str) -> list[str]:
    toks = _WORD.findall(text.lower())
    return toks + [f"{a} {b}" for a, b in zip(toks, toks[1:])]


def _char_ngrams(text: str, lo: int, hi: int) -> list[str]:
    # Character n-grams inside word boundaries, each word padded with a space on both sides, so
    # prefixes and suffixes ("anti-", "-ism") are features of their own.
    out = []
    for word in text.lower().split():
        w = f" {word} "
        for n in range(lo, hi + 1):
            if n > len(w):
                break
            out.extend(w[i:i + n] for i in range(len(w) - n + 1))
    return out


def _context_words(text: str, start: int, end: int, chars: int) -> list[str]:
    around = text[max(0, start - chars):start] + " " + text[end:end + chars]
    return _WORD.findall(around.lower())


def _block_terms(settings: LexiconSettings, text: str, start: int, end: int) -> dict[str, list[str]]:
    piece = text[start:end]
    return {"word": _word_ngrams(piece), "char": _char_ngrams(piece, *settings.char_ngrams),
            "context": _context_words(text, start, end, settings.context_chars)}


# The span_features.py columns the lexicon reads: all but the length in words, which it has already.
_SPAN_FEATURE_COLUMNS = [0, 1, 2, 3, 5, 6]


def _extras(text: str, spans: Sequence[tuple[int, int]], occurrences: bool,
            span_feats: np.ndarray | None = None) -> np.ndarray:
    """(spans, 3 or 9): log word count, quoted, all capitals; then, with ``occurrences``, the span
    features of span_features.py that are not about length in words: recurs, log of the other
    occurrences, recurs 3+ times, log length, occurs earlier, log of the earlier occurrences.
    ``span_feats``: ``span_features(text, spans)`` when the caller has it already."""
    basic = np.array([[math.log1p(len(text[s:e].split())), float(any(q in text[s:e] for q in _QUOTES)),
                       float(text[s:e].isupper())] for s, e in spans], dtype=np.float64).reshape(len(spans), 3)
    if not occurrences:
        return basic
    if span_feats is None:
        from .span_features import span_features

        span_feats = span_features(text, spans)
    return np.hstack([basic, span_feats[:, _SPAN_FEATURE_COLUMNS].astype(np.float64)])


class Lexicon:
    """Vocabularies, idf weights and a linear classifier over the labels seen in training."""

    def __init__(self, settings: LexiconSettings, vocab: dict[str, list[str]], idf: dict[str, np.ndarray],
                 labels: list[str], coef: np.ndarray, intercept: np.ndarray) -> None:
        self.settings = settings
        self.vocab = vocab
        self.index = {block: {t: i for i, t in enumerate(terms)} for block, terms in vocab.items()}
        self.idf = idf
        self.labels = labels
        self.coef = coef
        self.intercept = intercept
        offset = 0
        self.offsets: dict[str, int] = {}
        for block in ("word", "char", "context"):
            self.offsets[block] = offset
            offset += len(vocab[block])
        self.n_features = offset + settings.n_extras
        if coef.shape != (len(labels), self.n_features):
            raise RunError(f"lexicon: weights have shape {coef.shape}, expected {(len(labels), self.n_features)}")

    # -- features ----------------------------------------------------------------------------------
    def features(self, text: str, start: int, end: int, extras: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(indices, values) of one span's sparse feature row; ``extras`` is its row of _extras."""
        idx: list[int] = []
        val: list[float] = []
        for block, terms in _block_terms(self.settings, text, start, end).items():
            index, idf = self.index[block], self.idf[block]
            counts = Counter(index[t] for t in terms if t in index)
            if not counts:
                continue
            ids = np.fromiter(counts, dtype=np.int64, count=len(counts))
            # Sublinear tf times idf, each block scaled to unit length.
            w = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[ids]
            w /= np.linalg.norm(w)
            if block == "context":
                w *= self.settings.context_scale
            idx.extend((ids + self.offsets[block]).tolist())
            val.extend(w.tolist())
        base = self.n_features - len(extras)
        idx.extend(range(base, self.n_features))
        val.extend(extras.tolist())
        return np.asarray(idx, dtype=np.int64), np.asarray(val, dtype=np.float64)

    def logits(self, text: str, spans: Sequence[tuple[int, int]],
               span_feats: np.ndarray | None = None) -> np.ndarray:
        """(spans, labels) logits, over ``self.labels``; ``span_feats`` as for _extras."""
        out = np.tile(self.intercept.astype(np.float64), (len(spans), 1))
        extras = _extras(text, spans, self.settings.occurrences, span_feats)
        for r, (start, end) in enumerate(spans):
            idx, val = self.features(text, start, end, extras[r])
            out[r] += self.coef[:, idx].astype(np.float64) @ val
        return out

    def probs(self, text: str, spans: Sequence[tuple[int, int]], names: Sequence[str],
              span_feats: np.ndarray | None = None) -> np.ndarray:
        """(spans, len(names)) probabilities laid out on ``names``; labels never seen in training get 0."""
        logits = self.logits(text, spans, span_feats)
        logits -= logits.max(axis=1, keepdims=True) if len(spans) else 0.0
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        out = np.zeros((len(spans), len(names)))
        where = {n: j for j, n in enumerate(names)}
        for k, label in enumerate(self.labels):
            if label in where:
                out[:, where[label]] = p[:, k]
        return out

    # -- persistence: JSON vocabulary + safetensors arrays, never pickle ---------------------------
    def save(self, folder: Path) -> None:
        from safetensors.numpy import save_file

        folder.mkdir(parents=True, exist_ok=True)
        s = self.settings
        meta = {"format": FORMAT, "labels": self.labels, "vocab": self.vocab,
                "settings": {**s.__dict__, "char_ngrams": list(s.char_ngrams)}}
        (folder / LEXICON_JSON).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        # safetensors writes an array's memory as it lies; sklearn's coef_ is Fortran-ordered.
        arrays = {"coef": self.coef, "intercept": self.intercept, **{f"idf.{b}": v for b, v in self.idf.items()}}
        arrays = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in arrays.items()}
        save_file(arrays, str(folder / LEXICON_WEIGHTS))

    @classmethod
    def load(cls, folder: Path) -> Lexicon:
        from safetensors.numpy import load_file

        path = folder / LEXICON_JSON
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
            if meta.get("format") not in (1, FORMAT):
                raise RunError(f"{path}: lexicon format {meta.get('format')!r}, this framespan reads 1 to {FORMAT}")
            raw = dict(meta["settings"])
            raw.setdefault("occurrences", meta["format"] >= 2)
            raw["char_ngrams"] = tuple(raw["char_ngrams"])
            settings = LexiconSettings(**raw)
            arrays = load_file(str(folder / LEXICON_WEIGHTS))
            idf = {b: arrays[f"idf.{b}"] for b in ("word", "char", "context")}
            return cls(settings, meta["vocab"], idf, list(meta["labels"]), arrays["coef"], arrays["intercept"])
        except (KeyError, TypeError, ValueError) as e:
            raise RunError(f"{path}: not a valid lexicon ({e})") from None


@dataclass
class _Vocab:
    df: Counter[str] = field(default_factory=Counter)
    tf: Counter[str] = field(default_factory=Counter)

    def add(self, terms: list[str]) -> None:
        self.tf.update(terms)
        self.df.update(set(terms))

    def keep(self, min_df: int, cap: int | None = None) -> list[str]:
        terms = [t for t, n in self.df.items() if n >= min_df]
        if cap is not None and len(terms) > cap:
            # The most frequent terms, ties broken by the term, so the vocabulary is reproducible.
            terms = sorted(terms, key=lambda t: (-self.tf[t], t))[:cap]
        return sorted(terms)


def fit_lexicon(docs: Sequence[Document], label_names: Sequence[str],
                settings: LexiconSettings | None = None) -> Lexicon:
    """Fit vocabularies and a multinomial logistic regression on every gold span row of ``docs``
    (a range listed with two techniques is two rows)."""
    try:
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise RunError("training a lexicon needs scikit-learn: pip install 'framespan[train]'") from None
    s = settings or LexiconSettings()
    spans_of = [(d, [sp for sp in d.spans if sp.label in label_names]) for d in docs]
    row_labels = [sp.label for _, mine in spans_of for sp in mine]
    labels = sorted(set(row_labels), key=list(label_names).index)
    if len(labels) < 2:
        raise RunError(f"a lexicon needs spans of at least two labels; the training data has {labels}")
    vocabs = {"word": _Vocab(), "char": _Vocab(), "context": _Vocab()}
    for doc, mine in spans_of:
        for sp in mine:
            for block, terms in _block_terms(s, doc.text, sp.start, sp.end).items():
                vocabs[block].add(terms)
    n = len(row_labels)
    vocab = {"word": vocabs["word"].keep(s.word_min_df),
             "char": vocabs["char"].keep(s.char_min_df, s.max_char_features),
             "context": vocabs["context"].keep(s.context_min_df)}
    # Smoothed idf, as if one extra row held every term: no term gets an infinite weight.
    idf = {b: np.array([math.log((1 + n) / (1 + vocabs[b].df[t])) + 1 for t in terms])
           for b, terms in vocab.items()}
    unfitted = Lexicon(s, vocab, idf, labels,
                       np.zeros((len(labels), sum(map(len, vocab.values())) + s.n_extras)), np.zeros(len(labels)))
    indptr, indices, values = [0], [], []
    for doc, mine in spans_of:
        # Recurrence counts are per text, so the extras are computed a document at a time.
        extras = _extras(doc.text, [(sp.start, sp.end) for sp in mine], s.occurrences)
        for sp, row in zip(mine, extras, strict=True):
            idx, val = unfitted.features(doc.text, sp.start, sp.end, row)
            indices.append(idx)
            values.append(val)
            indptr.append(indptr[-1] + len(idx))
    x = csr_matrix((np.concatenate(values), np.concatenate(indices), np.array(indptr)),
                   shape=(n, unfitted.n_features))
    y = np.array([labels.index(label) for label in row_labels])
    clf = LogisticRegression(C=s.c, max_iter=3000)
    clf.fit(x, y)
    coef, intercept = clf.coef_, clf.intercept_
    if len(labels) == 2:
        # sklearn keeps one row for two classes, the log-odds of the second; as softmax logits
        # that is (0, row).
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.concatenate([np.zeros_like(intercept), intercept])
    return Lexicon(s, vocab, idf, labels, coef, intercept)


# Probabilities are floored before logs: a label one side never saw must not veto the other.
_FLOOR = 1e-9


def blend(head: np.ndarray, lexical: np.ndarray, weight: float) -> np.ndarray:
    """Geometric blend p_head^(1-w) * p_lex^w, renormalised per row. A label the lexicon never saw
    keeps a tiny floor rather than a hard zero, so the head can still choose it when confident."""
    logp = (1 - weight) * np.log(np.clip(head, _FLOOR, 1.0)) + weight * np.log(np.clip(lexical, _FLOOR, 1.0))
    logp -= logp.max(axis=-1, keepdims=True)
    p = np.exp(logp)
    p[head <= 0] = 0.0  # labels the caller ruled out stay out
    total = p.sum(axis=-1, keepdims=True)
    return np.divide(p, total, out=np.zeros_like(p), where=total > 0)


def mean_probs(lexicons: Sequence[Lexicon], text: str, spans: Sequence[tuple[int, int]],
               names: Sequence[str], span_feats: np.ndarray | None = None) -> np.ndarray:
    """Geometric mean of several lexicons' probabilities (an ensemble's members)."""
    logs = [np.log(np.clip(lx.probs(text, spans, names, span_feats), _FLOOR, 1.0)) for lx in lexicons]
    p = np.exp(np.mean(logs, axis=0))
    return p / p.sum(axis=-1, keepdims=True)


def fit_for_run(c: float, train_docs: Sequence[Document], label_names: Sequence[str]
                ) -> tuple[Lexicon, dict[str, Any]]:
    """The lexicon a run fits on its training documents (``c``: the config's model.lexicon_c), and
    a summary for run.json; training and ``framespan lexicon`` both fit through here."""
    started = time.time()
    lexicon = fit_lexicon(train_docs, label_names, LexiconSettings(c=c))
    return lexicon, {**summary(lexicon), "fit_seconds": round(time.time() - started, 1)}


def load_if_present(folder: Path) -> Lexicon | None:
    return Lexicon.load(folder) if (folder / LEXICON_JSON).is_file() else None


def summary(lexicon: Lexicon) -> dict[str, Any]:
    return {"labels": len(lexicon.labels), "features": lexicon.n_features,
            **{f"{b}_terms": len(v) for b, v in lexicon.vocab.items()}}
