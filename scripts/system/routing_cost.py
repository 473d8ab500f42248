"""Routing cost independent of endpoint count (issue 13 §3): part of `make test-system`.

The release `switchboard serve` with the shipped defaults (loopback delivery allowed for the sink), one
Salpre source and one CallingBox endpoint subscribed to everything (a local sink answers 200). Ingest p50
is measured over SAMPLES sequential events; then NOISE endpoints that do not want those events (CallingBox
endpoints subscribed to `call.busy` only, a tenth of them OneInbox webhooks subscribed to
`call.recording.available` only) are created through the management API, and p50 is measured again in
the same run. Before issue 13 every endpoint was encoded for before the filter (p50 1.2–1.6 ms with 1
endpoint, 39–43 ms with 5,000). It prints both p50s and their ratio and fails at a ratio of 2 or more,
or when an event is not delivered to the subscribed endpoint.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import pathlib
import statistics
import sys
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
os.environ.setdefault("SWITCHBOARD_BIN", str(ROOT / ".build" / "release" / "switchboard"))
sys.path.insert(0, str(ROOT / "Tests" / "interop"))
from gateway_process import Gateway, Sink, salpre_call_initiated, send  # noqa: E402

NOISE = int(os.environ.get("NOISE_ENDPOINTS", "5000"))
SAMPLES = int(os.environ.get("SAMPLES", "300"))
WARMUP = 50
TOKEN = "routing-token"
API_KEY = "sk_routing_test"


def api(gateway: Gateway, path: str, body: dict) -> dict:
    request = urllib.request.Request(gateway.url(path), data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"})
    status, _, reply = send(request)
    if status != 201:
        raise SystemExit(f"FAIL: POST {path} answered {status}: {reply[:300]!r}")
    return json.loads(reply)


def ingest_p50(gateway: Gateway, first_call: int) -> float:
    """p50 in ms of SAMPLES sequential ingests of new calls (after WARMUP unmeasured ones)."""
    timings = []
    for index in range(WARMUP + SAMPLES):
        request = urllib.request.Request(gateway.url("/v1/ingest/salpre"), data=salpre_call_initiated(first_call + index),
                                         method="POST", headers={"X-Salpre-Token": TOKEN})
        started = time.perf_counter()
        status, _, reply = send(request)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 202 or json.loads(reply).get("deliveries") != 1:
            raise SystemExit(f"FAIL: ingest answered {status} {reply[:300]!r}, expected 202 with one delivery")
        if index >= WARMUP:
            timings.append(elapsed)
    return statistics.median(timings)


def main() -> int:
    sink = Sink()
    gateway = Gateway({"api_keys": [API_KEY], "delivery": {"allow_private_networks": True},
                       "sources": [{"name": "salpre", "format": "salpre",
                                    "auth": {"scheme": "header-token", "header": "X-Salpre-Token", "value": TOKEN}}]})
    try:
        api(gateway, "/v1/webhook_endpoints", {"url": sink.url("/subscribed"), "enabled_events": ["*"]})
        alone = ingest_p50(gateway, 1_000_000)

        started = time.monotonic()

        def create(index: int) -> None:
            if index % 10 == 0:
                api(gateway, "/v1/webhooks", {"name": f"noise {index}", "url": sink.url(f"/noise/{index}"),
                                              "events": ["call.recording.available"]})
            else:
                api(gateway, "/v1/webhook_endpoints", {"url": sink.url(f"/noise/{index}"), "enabled_events": ["call.busy"]})

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(create, range(NOISE)))
        created_in = time.monotonic() - started
        crowded = ingest_p50(gateway, 2_000_000)

        delivered = len(sink.wait_for("/subscribed", 2 * (WARMUP + SAMPLES), seconds=30))
        noise = [path for (path, _, _) in list(sink.received) if path.startswith("/noise/")]
        ratio = crowded / alone
        print(f"routing cost: ingest p50 {alone:.2f} ms with 1 endpoint, {crowded:.2f} ms with {NOISE} more that do not "
              f"match (created in {created_in:.1f} s); ratio {ratio:.2f} (limit < 2); "
              f"{delivered} deliveries to the subscribed endpoint, {len(noise)} to the others")
        if delivered < 2 * (WARMUP + SAMPLES) or noise:
            print("FAIL: the subscribed endpoint must get every event and the others none")
            return 1
        if ratio >= 2:
            print(f"FAIL: {NOISE} non-matching endpoints change ingest p50 by {ratio:.2f}x (must be < 2x)")
            return 1
        print("PASS")
        return 0
    finally:
        gateway.close()
        sink.close()


if __name__ == "__main__":
    sys.exit(main())
