"""Command line: `python -m pipeline <stage>` (DVC stage commands) and `python -m pipeline run`.

Exit codes: 0 ok, 1 a stage failed (one-line reason on stderr), 2 bad usage.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import yaml

from .constants import DEFAULT_PARAMS, ROOT
from .schema import schema_markdown
from .stages import context_from_params, run_stage
from .steps import REGISTRY, RUN_ORDER

log = logging.getLogger("pipeline")


def load_params(path: Path) -> dict:
    if not path.is_file():
        raise FileNotFoundError(f"params file {path} not found")
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(params, dict) or "paths" not in params:
        raise ValueError(f"params file {path} has no 'paths' section")
    return params


def _common(parser: argparse.ArgumentParser, default) -> None:
    """Options accepted before or after the command (`default` SUPPRESS keeps the first one)."""
    parser.add_argument("--params", type=Path, default=default(DEFAULT_PARAMS), help="params file (default: params.yaml)")
    parser.add_argument("--quiet", action="store_true", default=default(False), help="log warnings only")


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.split("\n")[0])
    _common(ap, lambda value: value)
    sub = ap.add_subparsers(dest="command", required=True)
    commands = {name: st.doc for name, st in REGISTRY.items()}
    commands.update({"run": "run every stage on a folder, without DVC", "schema-doc": "write docs/schema.md from the schema definitions"})
    parsers = {name: sub.add_parser(name, help=doc) for name, doc in commands.items()}
    for p in parsers.values():
        _common(p, lambda value: argparse.SUPPRESS)
    run = parsers["run"]
    run.add_argument("--input", type=Path, required=True, help="folder of articles")
    run.add_argument("--out", type=Path, required=True, help="folder for the tables")
    run.add_argument("--gold", type=Path, help="gold folder: also run the evaluate stage")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        params = load_params(args.params)
        level = logging.WARNING if args.quiet else getattr(logging, str(params.get("logging", {}).get("level", "INFO")).upper())
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        if args.command == "schema-doc":
            (ROOT / "docs").mkdir(exist_ok=True)
            (ROOT / "docs" / "schema.md").write_text(schema_markdown() + "\n", encoding="utf-8")
            return 0
        if args.command == "run":
            ctx = context_from_params(params, args.input.resolve(), args.out.resolve(), args.gold)
            ctx.out_dir.mkdir(parents=True, exist_ok=True)
            for name in RUN_ORDER + (("evaluate",) if args.gold else ()):
                run_stage(name, ctx)
            return 0
        ctx = context_from_params(params)
        ctx.out_dir.mkdir(parents=True, exist_ok=True)
        run_stage(args.command, ctx)
        return 0
    except KeyboardInterrupt:
        print("pipeline: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the one-line reason; the traceback goes to the debug log
        log.debug("failure", exc_info=True)
        print(f"pipeline: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
