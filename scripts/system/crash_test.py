"""System test under SIGKILL (issue 6, item 1): `make test-system`.

EVENTS (20,000) Salpre events with unique call ids are posted by 8 concurrent senders to the real
`switchboard serve` (release build, SQLite store), which is killed with SIGKILL at random moments
(every 0.5–2.5 s) and restarted on the same store and port. A sender retries an event until it gets
a 2xx, as a vendor would. Two sinks are subscribed: the source's `webhook_url` (CallingBox-style) and
an endpoint created through the CallingBox API. At the end:
  - every event answered 2xx is in the store and reached each sink at least once;
  - every duplicate a sink received carries the same delivery id as the first;
  - no delivery is left pending.
It prints the counts and exits non-zero when a promise is broken.
"""

from __future__ import annotations

import json
import os
import pathlib
import queue
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Tests" / "interop"))
from gateway_process import Sink, free_port, salpre_call_initiated  # noqa: E402

from callingbox import Callingbox  # noqa: E402

BINARY = pathlib.Path(os.environ.get("SWITCHBOARD_BIN", ROOT / ".build" / "release" / "switchboard"))
EVENTS = int(os.environ.get("EVENTS", "20000"))
SENDERS = 8
TOKEN = "system-token"
API_KEY = "sk_system_test"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class KilledGateway:
    """`switchboard serve` on a fixed port and store, killed with SIGKILL and restarted on demand."""

    def __init__(self, directory: pathlib.Path, config: dict) -> None:
        self.port = config["listen"]["port"]
        self.config_path = directory / "switchboard.json"
        self.config_path.write_text(json.dumps(config))
        self.log = open(directory / "gateway.log", "ab")
        self.process: subprocess.Popen | None = None
        self.kills = 0

    def start(self) -> None:
        self.process = subprocess.Popen([str(BINARY), "serve", "--config", str(self.config_path)],
                                        stdout=subprocess.DEVNULL, stderr=self.log, cwd=ROOT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"switchboard exited with {self.process.returncode}; see {self.log.name}")
            time.sleep(0.05)
        raise RuntimeError("switchboard did not become healthy")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.kills += 1

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def main() -> int:
    directory = pathlib.Path(tempfile.mkdtemp(prefix="switchboard-system-"))
    store = directory / "gw.sqlite"
    source_sink, endpoint_sink = Sink(), Sink()
    for sink in (source_sink, endpoint_sink):
        # A SIGKILL mid-request breaks the sink's pipe; that is expected here, not worth a traceback.
        sink._server.handle_error = lambda request, address: None
    port = free_port()
    gateway = KilledGateway(directory, {
        "listen": {"host": "127.0.0.1", "port": port},
        "store": {"path": str(store)},
        "mappings": str(ROOT / "mappings"),
        "api_keys": [API_KEY],
        "org_default_secret": SECRET,
        "delivery": {"allow_private_networks": True, "retry_schedule_seconds": [0] + [1] * 49, "jitter": 0,
                     "timeout_ms": 5000},
        "sources": [{"name": "salpre", "format": "salpre",
                     "auth": {"scheme": "header-token", "header": "X-Salpre-Token", "value": TOKEN},
                     "webhook_url": source_sink.url("/source"), "webhook_format": "callingbox"}],
    })
    gateway.start()
    with Callingbox(api_key=API_KEY, base_url=f"http://127.0.0.1:{port}") as client:
        client.webhooks.create_endpoint(endpoint_sink.url("/endpoint"), enabled_events=["*"])

    pending: queue.Queue[int] = queue.Queue()
    for call_id in range(1, EVENTS + 1):
        pending.put(call_id)
    acknowledged: set[int] = set()
    lock = threading.Lock()
    refused_attempts = [0]

    def sender() -> None:
        while True:
            try:
                call_id = pending.get_nowait()
            except queue.Empty:
                return
            while True:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/ingest/salpre", data=salpre_call_initiated(call_id),
                                                 headers={"X-Salpre-Token": TOKEN, "Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        if 200 <= response.status < 300:
                            with lock:
                                acknowledged.add(call_id)
                            break
                except (urllib.error.URLError, OSError, ConnectionError):
                    pass
                with lock:
                    refused_attempts[0] += 1
                time.sleep(0.05)

    started = time.monotonic()
    senders = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in senders:
        thread.start()
    # Kill at random moments while the senders run.
    while any(thread.is_alive() for thread in senders):
        time.sleep(random.uniform(0.5, 2.5))
        gateway.kill()
        gateway.start()
    for thread in senders:
        thread.join()
    posted_at = time.monotonic()
    # One more kill with deliveries in flight, then let it drain.
    gateway.kill()
    gateway.start()

    def pending_deliveries() -> int:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as connection:
            return connection.execute("SELECT count(*) FROM deliveries WHERE status = 'pending'").fetchone()[0]

    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and pending_deliveries() > 0:
        time.sleep(0.5)
    drained_at = time.monotonic()
    gateway.stop()

    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as connection:
        stored_events = connection.execute("SELECT count(*) FROM events").fetchone()[0]
        statuses = dict(connection.execute("SELECT status, count(*) FROM deliveries GROUP BY status").fetchall())

    failures = []
    print(f"events posted: {EVENTS}, acknowledged 2xx: {len(acknowledged)}, refused or cut attempts retried: "
          f"{refused_attempts[0]}, SIGKILLs: {gateway.kills}")
    print(f"posting took {posted_at - started:.1f} s, draining {drained_at - posted_at:.1f} s more")
    print(f"store: {stored_events} events, deliveries by status: {statuses}")
    if len(acknowledged) != EVENTS:
        failures.append("not every event was eventually acknowledged")
    if stored_events < len(acknowledged):
        failures.append(f"acknowledged events missing from the store: {len(acknowledged) - stored_events}")
    if statuses.get("pending", 0):
        failures.append(f"{statuses['pending']} deliveries still pending")
    for name, sink in (("source webhook_url", source_sink), ("CallingBox endpoint", endpoint_sink)):
        path = "/source" if sink is source_sink else "/endpoint"
        ids_by_call: dict[str, set[str]] = {}
        received = sink.on(path)
        for _, body in received:
            envelope = json.loads(body)
            ids_by_call.setdefault(envelope["data"]["call"]["id"], set()).add(envelope["id"])
        split = sum(1 for ids in ids_by_call.values() if len(ids) > 1)
        print(f"{name}: {len(received)} requests, {len(ids_by_call)} distinct events, "
              f"{len(received) - len(ids_by_call)} duplicates, {split} events under more than one delivery id")
        if len(ids_by_call) < len(acknowledged):
            failures.append(f"{name}: {len(acknowledged) - len(ids_by_call)} acknowledged events never arrived")
        if split:
            failures.append(f"{name}: {split} events arrived under different delivery ids")
    source_sink.close()
    endpoint_sink.close()
    for failure in failures:
        print(f"FAILED: {failure}")
    print("system test:", "FAILED" if failures else f"passed (logs and store in {directory})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
