"""Fixtures of the adversarial suite: a folder outside the input, and a loopback web server that records fetches."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .adversarial_inputs import SECRET_MARKER


@pytest.fixture(scope="session")
def outside(tmp_path_factory) -> Path:
    """A folder next to the input folders, holding a secret no output may ever contain."""
    folder = tmp_path_factory.mktemp("outside")
    (folder / "secret.txt").write_text(f"{SECRET_MARKER}\n", encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "inner.txt").write_text(f"inner {SECRET_MARKER}\n", encoding="utf-8")
    return folder


class Trap:
    """A web server on 127.0.0.1 that answers every request and remembers it."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        trap = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                trap.requests.append(self.path)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(SECRET_MARKER.encode())

            do_POST = do_HEAD = do_GET  # noqa: N815

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture(scope="session")
def http_trap() -> Iterator[Trap]:
    trap = Trap()
    thread = threading.Thread(target=trap.server.serve_forever, daemon=True)
    thread.start()
    yield trap
    trap.server.shutdown()
    trap.server.server_close()
