"""Error types that point at the exact file, line and problem."""

from __future__ import annotations

from pathlib import Path


class FramespanError(Exception):
    """Base class for every error framespan raises on purpose."""


class DataError(FramespanError, ValueError):
    """A corpus record is invalid; the message names file, line (or JSON path) and problem."""

    def __init__(self, problem: str, path: str | Path | None = None, line: int | None = None,
                 where: str | None = None) -> None:
        self.problem = problem
        self.path = str(path) if path is not None else None
        self.line = line
        self.where = where
        loc = self.path or "<input>"
        if line is not None:
            loc += f":{line}"
        if where:
            loc += f" ({where})"
        super().__init__(f"{loc}: {problem}")

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "where": self.where, "problem": self.problem}


class ConfigError(FramespanError, ValueError):
    """A training config is invalid; raised before any model is loaded."""


class RunError(FramespanError):
    """A run folder is missing, incomplete, truncated or tampered with."""
