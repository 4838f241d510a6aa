"""Write a benchmark's table into its marked section of a Markdown file (docs/benchmarks.md)."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

from framespan.atomic import atomic_write_text


def write_section(path: Path, start: str, end: str, text: str) -> None:
    """Replace what lies between the ``start`` and ``end`` markers (``text`` holds both), or append
    ``text`` when the file has no such section yet; the file is replaced atomically."""
    doc = path.read_text(encoding="utf-8")
    if start in doc:
        doc = doc[:doc.index(start)] + text + doc[doc.index(end) + len(end):]
    else:
        doc = doc.rstrip("\n") + "\n\n" + text + "\n"
    atomic_write_text(path, doc)


def machine() -> dict[str, Any]:
    """The CPU's model name, its core count and memory, and Python's version, for a benchmark's header."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            mem = f"{int(f.readline().split()[1]) / 1024 ** 2:.0f} GiB"
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem, "python": platform.python_version(),
            "load_avg_start": os.getloadavg()}


def machine_line() -> str:
    """One line naming the machine: "AMD EPYC, 2 cores, 24 GiB"."""
    m = machine()
    return ", ".join(str(x) for x in (m["cpu"], f"{m['cores']} cores", m["memory"]) if x)
