"""``framespan export RUN --out DIR``: an ONNX model folder that predicts without torch."""

from __future__ import annotations

import argparse

from ..errors import RunError

OPSET = 17


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export a run to an ONNX model folder (runs without torch)")
    p.add_argument("run", help="run or model folder")
    p.add_argument("--out", "-o", required=True, help="folder to write (Detector.load and predict take it)")
    p.add_argument("--int8", action="store_true", help="dynamic int8 quantization (about 4x smaller)")
    p.add_argument("--opset", type=int, default=OPSET, help=f"ONNX opset (default {OPSET}, at least 17)")
    p.add_argument("--no-fuse", action="store_true", help="skip onnxruntime's transformer graph fusions")
    p.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    p.add_argument("--tune-on", choices=["auto", "dev", "none"], default="auto",
                   help="re-tune the exported model's decision thresholds on the run's dev split: auto "
                        "(default) does it for --int8 when the run has a readable dev split, and says so "
                        "when it cannot; dev insists; none keeps the run's thresholds")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..export import export_onnx, int8_tune_set
    from ..rundir import RunDir

    if args.opset < 17:
        raise RunError("--opset must be at least 17")
    tune = None
    if args.tune_on == "dev":
        tune = RunDir(args.run).tune_set("dev")
    elif args.tune_on == "auto" and args.int8:
        tune = int8_tune_set(args.run)
    info = export_onnx(args.run, args.out, int8=args.int8, opset=args.opset, optimize=not args.no_fuse,
                       overwrite=args.overwrite, tune=tune, progress=not args.quiet)
    mb = info["folder_bytes"] / 1e6
    print(f"wrote {info['folder']} ({mb:.1f} MB, {'int8' if info['int8'] else 'fp32'}, "
          f"max tag-probability difference to torch {info['max_tag_prob_diff']:.2g})")
    if "thresholds_tuned" in info:
        tuned = info["thresholds_tuned"]
        print(f"thresholds re-tuned on the {tuned['source']}: {tuned['before']} -> {tuned['after']}")
    return 0
