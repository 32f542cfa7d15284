"""Command line: `python -m pipeline <stage>` (DVC stage commands) and `python -m pipeline run`.

Exit codes: 0 ok, 1 a stage failed (one-line reason on stderr), 2 bad usage,
3 another run holds the lock on the output folder.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import socket
import sys
from pathlib import Path

import yaml

from .cache import run_key
from .constants import DEFAULT_PARAMS, ROOT
from .lock import LockBusy, run_lock
from .schema import schema_markdown
from .stages import Context, context_from_params, run_stage
from .steps import REGISTRY, RUN_ORDER
from .tables import atomic_write_bytes, remove_stale_temp

log = logging.getLogger("pipeline")

EXIT_BUSY = 3


class NetworkOff(ConnectionRefusedError):
    """A connection or look-up refused because `runtime.allow_network` is false."""


def is_local(host: object) -> bool:
    """True for this machine's own names and loopback addresses."""
    if host is None:
        return True
    name = host.decode("ascii", errors="replace") if isinstance(host, bytes) else str(host)
    if name.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(name.split("%")[0]).is_loopback
    except ValueError:
        return False


def network_off() -> None:
    """Refuse, for the rest of the process, DNS look-ups and connections to anything but loopback.

    Model hubs are told to stay offline too (HF_HUB_OFFLINE, TRANSFORMERS_OFFLINE), so a missing
    model is a clear error instead of a download.
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    connect, connect_ex, getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def check(sock: socket.socket, address) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not is_local(address[0]):
            raise NetworkOff(f"network access is off (runtime.allow_network: false): refused a connection to {address[0]}")

    def guarded_connect(self: socket.socket, address) -> None:
        check(self, address)
        return connect(self, address)

    def guarded_connect_ex(self: socket.socket, address) -> int:
        check(self, address)
        return connect_ex(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if not is_local(host):
            raise NetworkOff(f"network access is off (runtime.allow_network: false): refused to look up {host!r}")
        return getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = guarded_connect
    socket.socket.connect_ex = guarded_connect_ex
    socket.getaddrinfo = guarded_getaddrinfo


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
    parser.add_argument("--wait", type=float, metavar="SECONDS", default=default(0.0),
                        help="if another run holds the output folder, wait up to SECONDS for it (default: exit at once with code 3)")


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
    run.add_argument("--cache", type=Path, help="folder of the per-document results cache (default: <out>/../.cache)")
    return ap


RUN_KEY_FILE = ".run-key"


def unchanged_since_last_run(ctx: Context, key: str) -> bool:
    """The output folder holds every table of a finished run whose `run_key` was `key`."""
    marker = ctx.out_dir / RUN_KEY_FILE
    tables = [t for name in RUN_ORDER for t in REGISTRY[name].provides]
    return (marker.is_file() and marker.read_text(encoding="utf-8").strip() == key
            and all((ctx.out_dir / f"{t}.parquet").is_file() for t in tables))


def run_locked(ctx: Context, stages: tuple[str, ...], wait_seconds: float, key: str | None = None) -> None:
    """Run stages while holding the output folder's lock, after clearing what a killed run left.

    With `key` (a `run`), the per-document stages are skipped when nothing they depend on changed
    since the last finished run into this folder (`cache.run_key`).
    """
    with run_lock(ctx.out_dir, wait_seconds):
        remove_stale_temp(ctx.out_dir)
        marker = ctx.out_dir / RUN_KEY_FILE
        if key is not None and unchanged_since_last_run(ctx, key):
            log.info("nothing changed since the last run (inputs, params, code, models): its tables stand")
            stages = tuple(s for s in stages if s not in RUN_ORDER)
        else:
            marker.unlink(missing_ok=True)
        for name in stages:
            run_stage(name, ctx)
        if key is not None:
            atomic_write_bytes(marker, lambda tmp: Path(tmp).write_text(key + "\n", encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        params = load_params(args.params)
        level = logging.WARNING if args.quiet else getattr(logging, str(params.get("logging", {}).get("level", "INFO")).upper())
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
        if not params.get("runtime", {}).get("allow_network", False):
            network_off()
        if args.command == "schema-doc":
            payload = (schema_markdown() + "\n").encode("utf-8")
            atomic_write_bytes(ROOT / "docs" / "schema.md", lambda tmp: Path(tmp).write_bytes(payload))
            return 0
        if args.command == "run":
            ctx = context_from_params(params, args.input.resolve(), args.out.resolve(), args.gold,
                                      args.cache.resolve() if args.cache else None)
            run_locked(ctx, RUN_ORDER + (("evaluate",) if args.gold else ()), args.wait, run_key(params, ctx.input_dir))
        else:
            run_locked(context_from_params(params), (args.command,), args.wait)
        return 0
    except LockBusy as exc:
        print(f"pipeline: busy: {exc}", file=sys.stderr)
        return EXIT_BUSY
    except KeyboardInterrupt:
        print("pipeline: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the one-line reason; the traceback goes to the debug log
        log.debug("failure", exc_info=True)
        print(f"pipeline: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
