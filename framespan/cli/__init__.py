"""The ``framespan`` command line. Each command lives in a module of this package and registers itself
here, explicitly; commands import torch and transformers only when they run, so ``predict`` works on
the light (ONNX) install."""

from __future__ import annotations

import argparse
import logging
import sys

from ..errors import FramespanError
from . import compare, convert, ensemble, evaluate, export, lexicon, predict, semeval, train, tune

COMMANDS = (train, evaluate, tune, predict, export, semeval, compare, ensemble, lexicon, convert)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="framespan", description="Find framing and propaganda devices as spans.")
    sub = p.add_subparsers(dest="command")
    for command in COMMANDS:
        command.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except FramespanError as e:
        print(f"framespan: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("framespan: interrupted", file=sys.stderr)
        return 130
