"""Store fault (issue 6, item 3): another process holds the store's write lock for longer than the
gateway's busy timeout. The real gateway answers ingest 503 with Retry-After, acknowledges nothing it did
not commit, reports it on /healthz, and accepts events again by itself once the lock is released."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
import urllib.request

from gateway_process import Gateway, salpre_call_initiated, send

TOKEN = "lock-token"

# Run in a separate Python process: takes the write lock, says so, holds it until told to let go.
LOCK_HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
"""


def post(gateway: Gateway, call_id: int) -> tuple[int, dict[str, str], dict]:
    request = urllib.request.Request(gateway.url("/v1/ingest/salpre"), data=salpre_call_initiated(call_id),
                                     headers={"X-Salpre-Token": TOKEN, "Content-Type": "application/json"})
    status, headers, body = send(request)
    return status, headers, json.loads(body)


def health(gateway: Gateway) -> int:
    return send(gateway.url("/healthz"))[0]


def stored_events(gateway: Gateway) -> int:
    with sqlite3.connect(f"file:{gateway.store_path}?mode=ro", uri=True) as connection:
        return connection.execute("SELECT count(*) FROM events").fetchone()[0]


def test_a_write_lock_held_by_another_process_is_503_and_clears_by_itself():
    gateway = Gateway({
        "store": {"busy_timeout_ms": 200},
        "sources": [{"name": "salpre", "format": "salpre",
                     "auth": {"scheme": "header-token", "header": "X-Salpre-Token", "value": TOKEN}}],
    })
    holder = None
    try:
        assert post(gateway, 1)[0] == 202

        holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(gateway.store_path)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "locked"
        for call_id in (2, 3, 4):
            status, headers, body = post(gateway, call_id)
            assert status == 503, body
            assert headers.get("Retry-After") == "1"
            assert body["error"]["type"] == "store_unavailable"
        assert health(gateway) == 503

        holder.stdin.write("release\n")
        holder.stdin.flush()
        assert holder.wait(timeout=10) == 0

        # Nothing answered 503 was kept; the refused events are new when sent again.
        assert stored_events(gateway) == 1
        for call_id in (2, 3, 4):
            status, _, body = post(gateway, call_id)
            assert status == 202 and "duplicate" not in body, body
        assert stored_events(gateway) == 4
        deadline = time.monotonic() + 5
        while health(gateway) != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert health(gateway) == 200
    finally:
        if holder is not None and holder.poll() is None:
            holder.kill()
        gateway.close()
