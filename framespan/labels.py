"""Label schemas (data/labels/*.yaml): names, colours, descriptions and cross-schema mappings."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError, DataError
from .spans import Document, Span

# Where schemas live: the repo's data/labels in a checkout, or the copy packaged as
# framespan/_labels in a wheel (pyproject maps one onto the other).
_REPO_LABELS = Path(__file__).resolve().parent.parent / "data" / "labels"


@dataclass(frozen=True)
class Label:
    name: str
    color: str = "#cccccc"
    description: str = ""
    sources: dict[str, str] = field(default_factory=dict)  # schema name -> that schema's label


@dataclass(frozen=True)
class LabelSchema:
    """An ordered set of labels; the order fixes the model's output layout."""

    name: str
    labels: tuple[Label, ...]
    description: str = ""

    @property
    def names(self) -> list[str]:
        return [lab.name for lab in self.labels]

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def unknown(self, names: Iterable[str]) -> list[str]:
        """Those of ``names`` that are no label of this schema, sorted: a misspelt name in a setting
        must be refused, not quietly select nothing."""
        return sorted(set(names) - set(self.names))

    def __len__(self) -> int:
        return len(self.labels)

    def index(self, name: str) -> int:
        return self.names.index(name)

    def get(self, name: str) -> Label:
        for lab in self.labels:
            if lab.name == name:
                return lab
        raise KeyError(name)

    def colors(self) -> dict[str, str]:
        return {lab.name: lab.color for lab in self.labels}

    def mapping_from(self, other: LabelSchema) -> dict[str, str]:
        """Map ``other``'s label names onto ours (identity for names both schemas share)."""
        if other.name == self.name:
            return {n: n for n in self.names}
        out: dict[str, str] = {}
        for lab in self.labels:
            if other.name in lab.sources:
                out[lab.sources[other.name]] = lab.name
            elif lab.name in other:
                out[lab.name] = lab.name
        return out

    def to_dict(self) -> dict[str, Any]:
        labels = []
        for lab in self.labels:
            item: dict[str, Any] = {"name": lab.name, "color": lab.color, "description": lab.description}
            if lab.sources:
                item["from"] = dict(lab.sources)
            labels.append(item)
        return {"name": self.name, "description": self.description, "labels": labels}

    def save(self, path: str | Path) -> None:
        Path(path).write_text(yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True),
                              encoding="utf-8")

    @classmethod
    def from_dict(cls, data: Any, source: str = "<schema>") -> LabelSchema:
        if not isinstance(data, dict) or "name" not in data or not isinstance(data.get("labels"), list):
            raise ConfigError(f"{source}: a label schema needs 'name' and a list 'labels'")
        labels = []
        seen: set[str] = set()
        for i, item in enumerate(data["labels"]):
            if isinstance(item, str):
                item = {"name": item}
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise ConfigError(f"{source}: labels[{i}] needs a string 'name'")
            if item["name"] in seen:
                raise ConfigError(f"{source}: label {item['name']!r} is listed twice")
            seen.add(item["name"])
            unknown = set(item) - {"name", "color", "description", "from"}
            if unknown:
                raise ConfigError(f"{source}: labels[{i}] has unknown keys {sorted(unknown)}")
            labels.append(Label(item["name"], item.get("color", "#cccccc"),
                                item.get("description", ""), dict(item.get("from") or {})))
        if not labels:
            raise ConfigError(f"{source}: a label schema needs at least one label")
        return cls(str(data["name"]), tuple(labels), str(data.get("description", "")))


def schema_dir() -> Path:
    if _REPO_LABELS.is_dir():
        return _REPO_LABELS
    return Path(str(resources.files("framespan") / "_labels"))


def available_schemas() -> list[str]:
    return sorted(p.stem for p in schema_dir().glob("*.yaml"))


def load_schema(name_or_path: str | Path) -> LabelSchema:
    """A bundled schema by name (``framing``, ``ptc14``) or a YAML file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = schema_dir() / f"{name_or_path}.yaml"
        if not path.is_file():
            raise ConfigError(f"unknown label schema {name_or_path!r}; bundled: {available_schemas()}")
    if not path.is_file():
        raise ConfigError(f"label schema file not found: {path}")
    return LabelSchema.from_dict(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))


def map_documents(docs: Iterable[Document], source: LabelSchema, target: LabelSchema,
                  strict: bool = True) -> list[Document]:
    """Relabel documents annotated with ``source`` into ``target``.

    Labels of ``source`` with no counterpart raise (``strict``) or are dropped and the document's
    ``annotated_labels`` shrinks to what ``source`` can speak for, so the missing labels are
    masked rather than learned as absent.
    """
    mapping = target.mapping_from(source)
    covered = frozenset(mapping.values())
    out = []
    for doc in docs:
        spans = []
        for s in doc.spans:
            if s.label not in mapping:
                if strict:
                    raise DataError(f"label {s.label!r} of schema {source.name!r} has no counterpart "
                                    f"in schema {target.name!r}", where=f"document {doc.id}")
                continue
            spans.append(Span(s.start, s.end, mapping[s.label], s.score))
        annotated = covered
        if doc.annotated_labels is not None:
            annotated = frozenset(mapping[n] for n in doc.annotated_labels if n in mapping)
        out.append(Document(doc.id, doc.text, spans, annotated, dict(doc.meta)))
    return out


def check_labels(docs: Iterable[Document], schema: LabelSchema, source: str = "<corpus>") -> None:
    """Raise a DataError naming the first document whose spans use labels outside ``schema``."""
    names = set(schema.names)
    for doc in docs:
        for s in doc.spans:
            if s.label not in names:
                raise DataError(f"unknown label {s.label!r} (schema {schema.name!r} has {sorted(names)})",
                                path=doc.meta.get("path", source), line=doc.meta.get("line"),
                                where=f"document {doc.id}")
