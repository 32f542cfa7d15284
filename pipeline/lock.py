"""One run at a time per output folder: an advisory `flock` on `<out>/.lock`.

The kernel releases the lock when the holding process exits, however it exits (SIGKILL
included), so a crashed run never leaves a stale lock behind. The file itself stays; it only
records who holds the lock, for the message a second run prints.
"""

from __future__ import annotations

import fcntl
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

LOCK_NAME = ".lock"
POLL_SECONDS = 0.2


class LockBusy(RuntimeError):
    """Another run holds the lock on the output folder."""


def _holder(fd: int, tries: int = 20) -> str:
    """What the lock file says about the current holder (best effort). The holder writes it just after
    taking the lock, so an empty file is read again for a moment before giving up."""
    for _ in range(tries):
        try:
            text = os.pread(fd, 4096, 0).decode("utf-8", errors="replace").strip()
        except OSError:
            return "unknown"
        if text:
            return text
        time.sleep(0.05)
    return "unknown"


@contextmanager
def run_lock(out_dir: Path, wait_seconds: float = 0.0) -> Iterator[Path]:
    """Hold the exclusive lock on `out_dir` for the block.

    Waits up to `wait_seconds` (0: not at all) for another run to finish, then raises LockBusy
    naming the holder. Yields the lock file's path.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        deadline = time.monotonic() + max(wait_seconds, 0.0)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    waited = f" after waiting {wait_seconds:g}s" if wait_seconds > 0 else ""
                    raise LockBusy(
                        f"another run is writing to {out_dir} ({_holder(fd)}){waited}; "
                        "wait for it to finish, or pass --wait SECONDS to queue behind it"
                    ) from None
                time.sleep(POLL_SECONDS)
        started = datetime.now(UTC).isoformat(timespec="seconds")
        holder = " ".join(f"pid {os.getpid()} on {socket.gethostname()}, started {started}: {' '.join(sys.argv)}".split())
        data = holder.encode("utf-8", errors="replace")
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)  # no stale holder line for the next run's waiters to read
    finally:
        os.close(fd)  # closing the descriptor releases the lock
