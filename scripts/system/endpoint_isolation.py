"""System test: one slow endpoint never slows another (issue 13 §2), part of `make test-system`.

The release `switchboard serve` runs with the shipped delivery defaults (10 s attempt timeout, 32 attempts
in flight per endpoint, CallingBox's retry schedule); only `allow_private_networks` is set, since every
sink is on 127.0.0.1. EVENTS (500) Salpre events with unique call ids are posted by 8 senders.

  1. alone: one healthy endpoint (a sink answering 200); the time from the first post until the sink
     has received all EVENTS deliveries;
  2. beside hanging ones: a fresh gateway and store with HANGING (9) endpoints whose sinks accept the
     connection and never answer, created before the healthy one; the same measure;
  3. behind a backlog: on that gateway, EVENTS more events, whose healthy deliveries queue behind the
     hanging endpoints' thousands of older pending rows.

It prints the three times and the ratios to the first, and fails when either ratio is above 3.
Everything goes to 127.0.0.1; each wait is bounded (DEADLINE seconds, default 60).
"""

from __future__ import annotations

import os
import pathlib
import socket
import sys
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
os.environ.setdefault("SWITCHBOARD_BIN", str(ROOT / ".build" / "release" / "switchboard"))
sys.path.insert(0, str(ROOT / "Tests" / "interop"))
from gateway_process import Gateway, Sink, salpre_call_initiated  # noqa: E402

from callingbox import Callingbox  # noqa: E402

EVENTS = int(os.environ.get("EVENTS", "500"))
HANGING = int(os.environ.get("HANGING", "9"))
DEADLINE = float(os.environ.get("DEADLINE", "60"))
MAX_RATIO = 3.0
SENDERS = 8
TOKEN = "isolation-token"
API_KEY = "sk_isolation_test"


class HangingSink:
    """Accepts every connection on 127.0.0.1 and never answers; keeps the sockets open until closed."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
        self.port = self._listener.getsockname()[1]
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self._connections.append(connection)

    @property
    def accepted(self) -> int:
        with self._lock:
            return len(self._connections)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self._listener.close()
        with self._lock:
            for connection in self._connections:
                connection.close()


def post_events(gateway: Gateway, first_call_id: int, count: int) -> None:
    """Posts `count` events (call ids from `first_call_id`) with SENDERS threads; each must be accepted."""
    call_ids = iter(range(first_call_id, first_call_id + count))
    lock = threading.Lock()
    failures: list[str] = []

    def sender() -> None:
        while True:
            with lock:
                call_id = next(call_ids, None)
            if call_id is None:
                return
            request = urllib.request.Request(gateway.url("/v1/ingest/salpre"), data=salpre_call_initiated(call_id),
                                             headers={"X-Salpre-Token": TOKEN, "Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=10) as response:
                if response.status // 100 != 2:
                    failures.append(f"event {call_id}: HTTP {response.status}")

    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"ingest refused events: {failures[:3]}")


def timed_delivery(gateway: Gateway, healthy: Sink, first_call_id: int) -> float | None:
    """Seconds from the first post of EVENTS events until `healthy` has all of them (None past DEADLINE)."""
    path = "/healthy"
    before = len(healthy.on(path))
    started = time.monotonic()
    post_events(gateway, first_call_id, EVENTS)
    got = healthy.wait_for(path, before + EVENTS, seconds=DEADLINE)
    return time.monotonic() - started if len(got) >= before + EVENTS else None


def start_gateway() -> tuple[Gateway, Callingbox]:
    gateway = Gateway({"api_keys": [API_KEY], "org_default_secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                       "delivery": {"allow_private_networks": True},
                       "sources": [{"name": "salpre", "format": "salpre",
                                    "auth": {"scheme": "header-token", "header": "X-Salpre-Token", "value": TOKEN}}]})
    return gateway, Callingbox(api_key=API_KEY, base_url=gateway.url(""))


def describe(label: str, seconds: float | None, alone: float) -> str:
    if seconds is None:
        return f"{label}: not all {EVENTS} delivered within {DEADLINE:.0f} s (ratio > {DEADLINE / alone:.0f}x)"
    return f"{label}: {seconds:.2f} s ({seconds / alone:.1f}x alone)"


def main() -> int:
    healthy = Sink()
    healthy._server.handle_error = lambda request, address: None  # a gateway stopping mid-request is expected
    gateway, client = start_gateway()
    try:
        client.webhooks.create_endpoint(healthy.url("/healthy"), enabled_events=["*"])
        alone = timed_delivery(gateway, healthy, 1)
    finally:
        client.close()
        gateway.close()
    if alone is None:
        print(f"FAILED: the healthy endpoint alone did not get {EVENTS} deliveries within {DEADLINE:.0f} s")
        return 1
    print(f"healthy endpoint alone: {EVENTS} deliveries in {alone:.2f} s")

    hanging = [HangingSink() for _ in range(HANGING)]
    gateway, client = start_gateway()
    try:
        for sink in hanging:
            client.webhooks.create_endpoint(sink.url("/hang"), enabled_events=["*"])
        client.webhooks.create_endpoint(healthy.url("/healthy"), enabled_events=["*"])
        beside = timed_delivery(gateway, healthy, 100_001)
        behind = timed_delivery(gateway, healthy, 200_001) if beside is not None else None
        held = [sink.accepted for sink in hanging]
    finally:
        client.close()
        gateway.close()
        for sink in hanging:
            sink.close()
        healthy.close()
    print(f"hanging endpoints' open connections (accepted, never answered): {held}")
    print(describe(f"beside {HANGING} hanging endpoints", beside, alone))
    print(describe(f"behind their backlog ({EVENTS * HANGING} older rows)", behind, alone))
    failures = [label for label, seconds in (("beside", beside), ("behind", behind))
                if seconds is None or seconds > MAX_RATIO * alone]
    if not all(held):
        failures.append("a hanging endpoint was never attempted (the test did not test anything)")
    for failure in failures:
        print(f"FAILED: {failure}: slower than {MAX_RATIO:.0f}x the healthy endpoint alone" if failure in ("beside", "behind")
              else f"FAILED: {failure}")
    print("endpoint isolation:", "FAILED" if failures else "passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
