"""Load the corpora a config names, map them onto the run's label schema, and split by document."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from .config import CorpusSpec, PartsSpec, RunConfig
from .corpora.standoff import add_standoff
from .errors import ConfigError
from .labels import LabelSchema, check_labels, load_schema, map_documents
from .spans import Document


@dataclass
class Corpora:
    train: list[Document]
    dev: list[Document]
    test: list[Document]

    def split_ids(self) -> dict[str, list[str]]:
        return {name: [d.id for d in getattr(self, name)] for name in ("train", "dev", "test")}


def load_spec(spec: CorpusSpec, schema: LabelSchema, lenient: bool = False, report: Any = None) -> list[Document]:
    """Read one corpus and express its spans in ``schema``."""
    from .corpora.formats import read_corpus

    source = load_schema(spec.schema_name) if spec.schema_name else schema
    docs = read_corpus(spec.path, format=spec.format, labels=spec.labels, schema=source,
                       lenient=lenient, report=report)
    if source.name != schema.name:
        docs = map_documents(docs, source, schema, strict=not lenient)
    for extra in spec.standoff:
        docs = add_standoff(docs, extra.labels, extra.annotated, extra.articles, schema, extra.replace)
    check_labels(docs, schema, spec.path)
    return docs


def _bucket(doc_id: str, seed: int) -> float:
    # Hash-based assignment: stable across machines and Python versions, and adding documents to a
    # corpus never moves existing ones between splits.
    digest = hashlib.sha256(f"{seed}:{doc_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_documents(docs: list[Document], dev: float, test: float, seed: int) -> Corpora:
    train, dev_docs, test_docs = [], [], []
    for d in docs:
        b = _bucket(d.id, seed)
        if b < test:
            test_docs.append(d)
        elif b < test + dev:
            dev_docs.append(d)
        else:
            train.append(d)
    return Corpora(train, dev_docs, test_docs)


def load_parts(parts: PartsSpec, schema: LabelSchema, lenient: bool, report: Any = None) -> Corpora:
    """A corpus given as train, dev and test files."""
    def load(spec: CorpusSpec | None) -> list[Document]:
        return load_spec(spec, schema, lenient, report) if spec is not None else []

    return Corpora(load(parts.train), load(parts.dev), load(parts.test))


def load_corpora(cfg: RunConfig, schema: LabelSchema, report: Any = None) -> Corpora:
    data = cfg.data
    if data.dev is not None or data.test is not None:
        if data.split.dev or data.split.test:
            raise ConfigError("give data.dev/data.test or data.split, not both")
        corpora = load_parts(PartsSpec(train=data.train, dev=data.dev, test=data.test), schema, data.lenient,
                             report)
    else:
        train = load_spec(data.train, schema, data.lenient, report)
        corpora = split_documents(train, data.split.dev, data.split.test, data.split.seed)
    for parts in data.extra:
        more = load_parts(parts, schema, data.lenient, report)
        corpora = Corpora(corpora.train + more.train, corpora.dev + more.dev, corpora.test + more.test)
    ids = [d.id for part in (corpora.train, corpora.dev, corpora.test) for d in part]
    if len(ids) != len(set(ids)):
        dup = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise ConfigError(f"document ids occur in more than one split: {dup}")
    if not corpora.train:
        raise ConfigError(f"no training documents in {data.train.path}")
    return corpora
