"""Inkbox's synchronous incoming_call through the running gateway: a request signed as Inkbox signs it
(the test signer checked by the official `inkbox` SDK's `verify_webhook`) is answered, and the decision
request the gateway sends is verified by the receiving side's own SDK: `Callingbox.webhooks.construct_event`
(callingbox format), `standardwebhooks.Webhook.verify` (oneinbox format), `inkbox.verify_webhook` (inkbox
format, an Inkbox handler behind the gateway unchanged)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid

import pytest
from callingbox import Callingbox
from inkbox import verify_webhook
from standardwebhooks import Webhook

from gateway_process import Gateway, Sink, send
from switchboard_cli import CALLINGBOX_SECRET, INKBOX_NEXT_SECRET, INKBOX_SECRET, STANDARD_SECRET
from test_inkbox import documented_headers

ANSWER = {"action": "answer", "client_websocket_url": "wss://agent.example/ws/7"}
FORMATS = {"cb": ("callingbox", CALLINGBOX_SECRET), "oi": ("oneinbox", STANDARD_SECRET), "ib": ("inkbox", INKBOX_NEXT_SECRET)}


def incoming_call(call_id: str) -> bytes:
    """The SDK fixture's shape (`PhoneIncomingCallWebhookPayload`)."""
    return json.dumps({
        "id": call_id, "local_phone_number": "+14155550100", "remote_phone_number": "+14155550123",
        "direction": "inbound", "status": "initiated", "client_websocket_url": None, "use_inkbox_tts": None,
        "use_inkbox_stt": None, "hangup_reason": None, "started_at": None, "ended_at": None,
        "created_at": "2026-04-16T12:00:00Z", "updated_at": "2026-04-16T12:00:00Z",
        "contacts": [{"id": "c7d8e9f0-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "name": "Ada Lovelace", "memories": []}],
        "agent_identities": [{"id": "a1b2c3d4-0000-4000-8000-000000000001", "agent_handle": "front-desk",
                              "display_name": "Front Desk"}],
    }).encode()


@pytest.fixture(scope="module")
def bridge():
    sink = Sink(answer=lambda path: (500, b"{}") if path == "/broken" else (200, json.dumps(ANSWER).encode()))
    sources = [{"name": f"inkbox-{name}", "format": "inkbox", "auth": {"scheme": "inkbox", "secret": INKBOX_SECRET},
                "incoming_call": {"decision": {"url": sink.url(f"/{name}"), "format": fmt, "secret": secret,
                                               "timeout_ms": 3000},
                                  "fallback": {"action": "reject"}}}
               for name, (fmt, secret) in FORMATS.items()]
    sources.append({"name": "inkbox-broken", "format": "inkbox", "auth": {"scheme": "inkbox", "secret": INKBOX_SECRET},
                    "incoming_call": {"decision": {"url": sink.url("/broken"), "format": "callingbox",
                                                   "secret": CALLINGBOX_SECRET, "timeout_ms": 3000},
                                      "fallback": {"action": "reject"}}})
    gateway = Gateway({"delivery": {"allow_private_networks": True}, "sources": sources})
    try:
        yield gateway, sink
    finally:
        gateway.close()
        sink.close()


def post_signed(gateway: Gateway, source: str, body: bytes) -> tuple[int, dict]:
    headers = documented_headers(INKBOX_SECRET, body, f"req_{uuid.uuid4().hex}", int(time.time()))
    # The test signer is what Inkbox does: the official SDK accepts it.
    assert verify_webhook(payload=body, headers=headers, secret=INKBOX_SECRET) is True
    request = urllib.request.Request(gateway.url(f"/v1/ingest/{source}"), data=body,
                                     headers={**headers, "Content-Type": "application/json"})
    status, _, answer = send(request)
    return status, json.loads(answer)


def test_callingbox_decision_request_verifies_with_the_callingbox_sdk(bridge):
    gateway, sink = bridge
    assert post_signed(gateway, "inkbox-cb", incoming_call(str(uuid.uuid4()))) == (200, ANSWER)
    [(headers, body)] = sink.on("/cb")
    with Callingbox(api_key="sk_test_interop", base_url="http://127.0.0.1:9") as client:
        event = client.webhooks.construct_event(body, headers["CallingBox-Signature"], CALLINGBOX_SECRET)
    parsed = json.loads(body)
    assert getattr(event, "type", parsed["type"]) == "call.incoming"
    assert headers["CallingBox-Event-Id"] == parsed["id"]
    assert parsed["data"]["agent_identities"][0]["agent_handle"] == "front-desk"


def test_oneinbox_decision_request_verifies_with_standardwebhooks(bridge):
    gateway, sink = bridge
    assert post_signed(gateway, "inkbox-oi", incoming_call(str(uuid.uuid4()))) == (200, ANSWER)
    [(headers, body)] = sink.on("/oi")
    payload = Webhook(STANDARD_SECRET).verify(body, {name.lower(): value for name, value in headers.items()})
    assert headers["webhook-id"] == payload["id"]


def test_inkbox_decision_request_verifies_with_the_inkbox_sdk(bridge):
    gateway, sink = bridge
    call_id = str(uuid.uuid4())
    assert post_signed(gateway, "inkbox-ib", incoming_call(call_id)) == (200, ANSWER)
    [(headers, body)] = sink.on("/ib")
    assert verify_webhook(payload=body, headers=headers, secret=INKBOX_NEXT_SECRET) is True
    assert json.loads(body)["id"] == call_id


def test_a_failing_endpoint_gives_the_fallback_and_bad_signatures_are_refused(bridge):
    gateway, _ = bridge
    body = incoming_call(str(uuid.uuid4()))
    assert post_signed(gateway, "inkbox-broken", body) == (200, {"action": "reject"})
    headers = documented_headers(INKBOX_NEXT_SECRET, body, "req_wrong_key", int(time.time()))
    request = urllib.request.Request(gateway.url("/v1/ingest/inkbox-cb"), data=body, headers=headers)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401
