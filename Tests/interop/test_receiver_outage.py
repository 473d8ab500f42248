"""Receiver outage (issue 6, item 2): the subscribed sink is down while events arrive; the real gateway
keeps retrying on a short schedule from its config, idles between attempts (its CPU time over the
outage is measured from /proc), and delivers everything once the sink is back, each event under one
stable delivery id."""

from __future__ import annotations

import json
import os
import time
import urllib.request

from gateway_process import Gateway, Sink, free_port, salpre_call_initiated

TOKEN = "outage-token"
EVENTS = 100
OUTAGE_SECONDS = 4.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (fields 14 and 15 of /proc/<pid>/stat, in clock ticks)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_sink_that_was_down_gets_everything_once_it_is_back_and_the_gateway_idles_meanwhile():
    port = free_port()
    gateway = Gateway({
        "org_default_secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        # Attempts at 0, 1, 2, … s: every delivery is retried about once a second during the outage.
        "delivery": {"allow_private_networks": True, "retry_schedule_seconds": [0] + [1] * 30, "jitter": 0,
                     "timeout_ms": 1000},
        "sources": [{"name": "salpre", "format": "salpre",
                     "auth": {"scheme": "header-token", "header": "X-Salpre-Token", "value": TOKEN},
                     "webhook_url": f"http://127.0.0.1:{port}/hook", "webhook_format": "callingbox"}],
    })
    sink = None
    try:
        for call_id in range(1, EVENTS + 1):
            request = urllib.request.Request(gateway.url("/v1/ingest/salpre"), data=salpre_call_initiated(call_id),
                                             headers={"X-Salpre-Token": TOKEN, "Content-Type": "application/json"})
            with urllib.request.urlopen(request) as response:
                assert response.status == 202

        # The outage: nothing listens on the port; every attempt is refused and rescheduled.
        before = cpu_seconds(gateway.process.pid)
        time.sleep(OUTAGE_SECONDS)
        outage_cpu = cpu_seconds(gateway.process.pid) - before

        sink = Sink(port=port)
        received = sink.wait_for("/hook", EVENTS, seconds=30)
        bodies = [json.loads(body) for _, body in received]
        ids_by_call: dict[str, set[str]] = {}
        for body in bodies:
            ids_by_call.setdefault(body["data"]["call"]["id"], set()).add(body["id"])

        # Everything delivered: the gateway has nothing left to do and must cost next to nothing.
        time.sleep(1.0)
        before = cpu_seconds(gateway.process.pid)
        time.sleep(2.0)
        idle_cpu = cpu_seconds(gateway.process.pid) - before

        print(f"\noutage {OUTAGE_SECONDS:.0f} s, {EVENTS} deliveries retried about once a second (~{EVENTS * OUTAGE_SECONDS:.0f} "
              f"refused attempts): gateway CPU {outage_cpu:.3f} s ({100 * outage_cpu / OUTAGE_SECONDS:.1f}% of one core); "
              f"sink back: {len(received)} requests for {len(ids_by_call)} calls; then idle 2 s: CPU {idle_cpu:.3f} s")
        assert len(ids_by_call) == EVENTS, "every event reaches the sink once it is back"
        assert all(len(ids) == 1 for ids in ids_by_call.values()), "a duplicate carries the same delivery id"
        # A busy loop would burn the whole outage (4 s); the refused attempts cost far less.
        assert outage_cpu < 0.25 * OUTAGE_SECONDS, f"the gateway used {outage_cpu:.2f} s of CPU while waiting"
        assert idle_cpu < 0.1, f"the gateway used {idle_cpu:.2f} s of CPU with nothing to do"
    finally:
        gateway.close()
        if sink:
            sink.close()
