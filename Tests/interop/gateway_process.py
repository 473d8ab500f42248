"""Starts the real `switchboard serve` for interop tests, and a recording webhook sink."""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from switchboard_cli import BINARY, ROOT


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago (for a server that must be restarted on it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def send(request: urllib.request.Request | str, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of a request, an error status included (urllib raises on 4xx and 5xx)."""
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def management(gateway: "Gateway", api_key: str, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
    """A management API request with Bearer `api_key` (a JSON `body`, or none): its status and raw answer."""
    request = urllib.request.Request(gateway.url(path), method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"})
    status, _, reply = send(request)
    return status, reply


def salpre_call_initiated(call_id: int) -> bytes:
    """Salpre's call_initiated example as a new call: one event per call id."""
    return json.dumps({"event_type": "call_initiated", "timestamp_utc": 1760084505,
                       "payload": {"call_id": call_id, "from": "+905555555555", "to": "+905555555554",
                                   "direction": "outbound", "source": "salprebox:SALPRE_AABBCCDD"},
                       "is_test": False}).encode()


class Sink:
    """An HTTP server on 127.0.0.1 that records every POST (path, headers, raw body) and answers 200 with
    an empty body, or what `answer(path)` returns: (status, JSON body bytes). `port` 0 picks a free one."""

    def __init__(self, answer: Callable[[str], tuple[int, bytes]] | None = None, port: int = 0) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        self._lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with sink._lock:
                    sink.received.append((self.path, {k: v for k, v in self.headers.items()}, body))
                status, reply = answer(self.path) if answer else (200, b"")
                self.send_response(status)
                if reply:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def on(self, path: str) -> list[tuple[dict[str, str], bytes]]:
        with self._lock:
            return [(headers, body) for (p, headers, body) in self.received if p == path]

    def wait_for(self, path: str, count: int, seconds: float = 20) -> list[tuple[dict[str, str], bytes]]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            got = self.on(path)
            if len(got) >= count:
                return got
            time.sleep(0.05)
        return self.on(path)

    def close(self) -> None:
        self._server.shutdown()


class Gateway:
    """`switchboard serve` with a temporary config and store; the port is read from its "listening" log line."""

    def __init__(self, config: dict) -> None:
        self._dir = tempfile.TemporaryDirectory()
        directory = pathlib.Path(self._dir.name)
        self.store_path = directory / "gw.sqlite"
        # A "store" given by the test adds to (or overrides) the temporary store's settings.
        store = {"path": str(self.store_path), **config.pop("store", {})}
        config = {"listen": {"host": "127.0.0.1", "port": 0}, "mappings": str(ROOT / "mappings"), **config,
                  "store": store}
        path = directory / "switchboard.json"
        path.write_text(json.dumps(config))
        self._log = open(directory / "stderr.log", "w+b")
        self.process = subprocess.Popen([str(BINARY), "serve", "--config", str(path)], stderr=self._log,
                                        stdout=subprocess.DEVNULL, cwd=ROOT)
        self.port = self._wait_for_port()

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            self._log.seek(0)
            for line in self._log.read().decode(errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if entry.get("msg") == "listening":
                    return int(entry["port"])
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self._log.seek(0)
        raise RuntimeError(f"switchboard serve did not start: {self._log.read().decode(errors='replace')}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        finally:
            self._log.close()
            self._dir.cleanup()


@contextlib.contextmanager
def salpre_gateway_with_sdk(api_key: str, token: str, delivery: dict, sink: Sink | None = None, **config: object):
    """A sink, a gateway with a Salpre source (header token `token`), Bearer `api_key` and `delivery`
    settings, and the official `callingbox` SDK client pointed at it; all closed on exit."""
    from callingbox import Callingbox  # the interop venv's SDK; imported here so plain helpers need none

    sink = sink or Sink()
    gateway = Gateway({"api_keys": [api_key], "delivery": delivery, **config,
                       "sources": [{"name": "salpre", "format": "salpre",
                                    "auth": {"scheme": "header-token", "header": "X-Salpre-Token", "value": token}}]})
    client = Callingbox(api_key=api_key, base_url=gateway.url(""))
    try:
        yield gateway, sink, client
    finally:
        client.close()
        gateway.close()
        sink.close()
