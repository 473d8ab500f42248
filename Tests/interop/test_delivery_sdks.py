"""Deliveries made by the running gateway, verified by the vendors' own SDKs: a Salpre call ingested
through two sources, one delivering CallingBox-style bodies (CallingBox-Signature), one OneInbox-style
bodies (Standard Webhooks headers), each request checked by `Callingbox.webhooks.construct_event` or
`standardwebhooks.Webhook.verify`."""

from __future__ import annotations

import json
import urllib.request

import pytest
from callingbox import Callingbox
from standardwebhooks import Webhook

from gateway_process import Gateway, Sink
from switchboard_cli import STANDARD_SECRET

TOKEN = "interop-token"
CALL = [
    {"event_type": "call_initiated", "timestamp_utc": 1760084505, "payload": {"call_id": 41, "from": "+905555555555", "to": "+905555555554", "direction": "outbound", "source": "salprebox:SALPRE_AABBCCDD"}, "is_test": False},
    {"event_type": "call_ringing", "timestamp_utc": 1760084555, "payload": {"call_id": 41, "from": "+905555555555", "to": "+905555555554", "direction": "outbound"}, "is_test": False},
    {"event_type": "call_answered", "timestamp_utc": 1760084576, "payload": {"call_id": 41}, "is_test": False},
    {"event_type": "transcript", "timestamp_utc": 1760084580, "payload": {"call": {"id": 41}, "type": "customer", "transcript": "Hello", "timestamp_utc": "1760084580"}, "is_test": False},
    {"event_type": "call_ended", "timestamp_utc": 1760084597, "payload": {"call_id": 41, "transcript": [{"type": "ai", "message": "Hi", "utc_timestamp": "1760084578"}]}, "is_test": False},
]


@pytest.fixture(scope="module")
def delivered():
    sink = Sink()
    source = {"format": "salpre", "auth": {"scheme": "header-token", "header": "X-Salpre-Token", "value": TOKEN}}
    gateway = Gateway({
        # A Standard Webhooks secret (whsec_ + base64) is also a valid CallingBox secret (used whole).
        "org_default_secret": STANDARD_SECRET,
        "delivery": {"allow_private_networks": True, "retry_schedule_seconds": [0, 1, 1], "jitter": 0},
        "sources": [
            {"name": "salpre", **source, "webhook_url": sink.url("/callingbox"), "webhook_format": "callingbox"},
            {"name": "salpre-oneinbox", **source, "webhook_url": sink.url("/oneinbox"), "webhook_format": "oneinbox"},
        ],
    })
    try:
        for name in ("salpre", "salpre-oneinbox"):
            for event in CALL:
                request = urllib.request.Request(gateway.url(f"/v1/ingest/{name}"), data=json.dumps(event).encode(),
                                                 headers={"X-Salpre-Token": TOKEN, "Content-Type": "application/json"})
                with urllib.request.urlopen(request) as response:
                    assert response.status == 202
        yield sink.wait_for("/callingbox", 4), sink.wait_for("/oneinbox", 4)
    finally:
        gateway.close()
        sink.close()


def test_callingbox_style_deliveries_verify_with_the_official_sdk(delivered):
    callingbox_requests, _ = delivered
    assert len(callingbox_requests) == 4
    client = Callingbox(api_key="sk_test_interop", base_url="http://127.0.0.1:9")
    types = []
    for headers, body in callingbox_requests:
        event = client.webhooks.construct_event(body, headers["CallingBox-Signature"], STANDARD_SECRET)
        parsed = json.loads(body)
        assert headers["CallingBox-Event-Id"] == parsed["id"]
        assert headers["CallingBox-Event-Type"] == parsed["type"] == headers["X-CallingBox-Event"]
        assert headers["X-CallingBox-Call-Id"] == parsed["data"]["call"]["id"]
        types.append(getattr(event, "type", parsed["type"]))
    client._http.close()
    assert types == ["call.queued", "call.ringing", "call.answered", "call.completed"]


def test_oneinbox_style_deliveries_verify_with_standardwebhooks(delivered):
    _, oneinbox_requests = delivered
    assert len(oneinbox_requests) == 4
    webhook = Webhook(STANDARD_SECRET)
    events = []
    for headers, body in oneinbox_requests:
        payload = webhook.verify(body, {name.lower(): value for name, value in headers.items()})
        assert headers["webhook-id"] == json.loads(body)["id"]
        events.append(payload["event"])
    assert events == ["call.started", "transcript.partial", "call.ended", "transcript.final"]


def test_a_tampered_delivery_fails_both_sdks(delivered):
    callingbox_requests, oneinbox_requests = delivered
    headers, body = callingbox_requests[0]
    client = Callingbox(api_key="sk_test_interop", base_url="http://127.0.0.1:9")
    with pytest.raises(Exception):
        client.webhooks.construct_event(body.replace(b"call.queued", b"call.failed"), headers["CallingBox-Signature"], STANDARD_SECRET)
    client._http.close()
    headers, body = oneinbox_requests[0]
    with pytest.raises(Exception):
        Webhook(STANDARD_SECRET).verify(body + b" ", {name.lower(): value for name, value in headers.items()})
