"""Secret rotation (issue 12 §2) against the vendors' SDKs and the real `switchboard serve`.

A receiver that knows only the newest secret verifies every delivery made after each rotation (the
gateway signs with every live secret, newest first, and both the `callingbox` SDK's `construct_event`
and `standardwebhooks`' `verify` accept when any signature matches); a second rotation within the
grace period drops the oldest secret; `grace_period_seconds: 0` revokes the previous secret for the
very next request. The CallingBox rotation is driven by the official SDK's `rotate_secret` (no body)."""

from __future__ import annotations

import json
import pathlib
import time
import urllib.request

import pytest
from callingbox import BadRequestError
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from gateway_process import Gateway, management, salpre_gateway_with_sdk, send

API_KEY = "sk_test_rotation"
TOKEN = "rotation-token"


@pytest.fixture()
def running():
    with salpre_gateway_with_sdk(API_KEY, TOKEN, {"allow_private_networks": True, "retry_schedule_seconds": [0, 1],
                                                  "jitter": 0, "secret_rotation_overlap_seconds": 3600}) as running:
        yield running


def api(gateway: Gateway, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    status, reply = management(gateway, API_KEY, method, path, body)
    return status, json.loads(reply or b"{}")


def ingest_call(gateway: Gateway, call: int, event_type: str = "call_ringing") -> None:
    body = json.dumps({"event_type": event_type, "timestamp_utc": 1760084555,
                       "payload": {"call_id": call, "from": "+905555555555", "to": "+905555555554",
                                   "direction": "outbound"}, "is_test": False}).encode()
    request = urllib.request.Request(gateway.url("/v1/ingest/salpre"), data=body, method="POST",
                                     headers={"X-Salpre-Token": TOKEN})
    assert send(request)[0] == 202


def log_entries(gateway: Gateway, message: str) -> list[dict]:
    text = (pathlib.Path(gateway._dir.name) / "stderr.log").read_text(errors="replace")
    entries = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return [entry for entry in entries if entry.get("msg") == message]


def wait_for_log(gateway: Gateway, message: str, count: int, seconds: float = 5) -> list[dict]:
    deadline = time.monotonic() + seconds
    while len(log_entries(gateway, message)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return log_entries(gateway, message)


def test_callingbox_rotation_with_the_sdk(running):
    gateway, sink, client = running
    hooks = client.webhooks
    endpoint = hooks.create_endpoint(sink.url("/cb"), enabled_events=["call.ringing"])
    secrets = [endpoint.signing_secret]

    def next_delivery(call: int) -> tuple[str, bytes]:
        ingest_call(gateway, call)
        headers, body = sink.wait_for("/cb", call)[-1]
        return headers["CallingBox-Signature"], body

    signature, body = next_delivery(1)
    hooks.construct_event(body, signature, secrets[-1])
    for call in (2, 3):
        rotated = hooks.rotate_secret(endpoint.id)  # the SDK sends no body: the configured grace applies
        assert rotated.id == endpoint.id and rotated.signing_secret not in secrets
        secrets.append(rotated.signing_secret)
        signature, body = next_delivery(call)
        # The receiver that knows only the newest secret verifies; so does one a rotation behind.
        hooks.construct_event(body, signature, secrets[-1])
        hooks.construct_event(body, signature, secrets[-2])
        assert signature.count("v1=") == 2
        # Two live secrets at most: the oldest was dropped by the second rotation.
        if call == 3:
            with pytest.raises(BadRequestError, match="signature mismatch"):
                hooks.construct_event(body, signature, secrets[0])
    assert hooks.get_endpoint(endpoint.id).signing_secret is None

    status, revoked = api(gateway, "POST", f"/v1/webhook_endpoints/{endpoint.id}/rotate_secret", {"grace_period_seconds": 0})
    assert status == 200 and revoked["signing_secret"] not in secrets
    signature, body = next_delivery(4)
    hooks.construct_event(body, signature, revoked["signing_secret"])
    assert signature.count("v1=") == 1
    with pytest.raises(BadRequestError, match="signature mismatch"):
        hooks.construct_event(body, signature, secrets[-1])

    # The log is written by a background writer: wait for the third line rather than read at once.
    rotations = wait_for_log(gateway, "secret rotated", 3)
    assert [(entry["endpoint"], entry["grace_seconds"]) for entry in rotations] == [
        (endpoint.id, 3600), (endpoint.id, 3600), (endpoint.id, 0)]
    logged = (pathlib.Path(gateway._dir.name) / "stderr.log").read_text(errors="replace")
    assert not any(secret in logged for secret in secrets + [revoked["signing_secret"]])


def test_oneinbox_rotation_with_standardwebhooks(running):
    gateway, sink, _ = running
    status, created = api(gateway, "POST", "/v1/webhooks",
                          {"name": "crm", "url": sink.url("/oi"), "events": ["call.started"]})
    assert status == 201
    webhook_id, first = created["id"], created["secret"]
    assert "secret" not in api(gateway, "GET", f"/v1/webhooks/{webhook_id}")[1]

    def next_delivery(call: int) -> tuple[dict, bytes]:
        ingest_call(gateway, call, "call_answered")  # OneInbox's call.started
        headers, body = sink.wait_for("/oi", call)[-1]
        return {name.lower(): value for name, value in headers.items()}, body

    status, rotated = api(gateway, "POST", f"/v1/webhooks/{webhook_id}/rotate_secret", {"grace_period_seconds": 600})
    assert status == 200 and rotated["id"] == webhook_id and rotated["secret"] != first
    headers, body = next_delivery(1)
    assert Webhook(rotated["secret"]).verify(body, headers)["event"] == "call.started"
    assert Webhook(first).verify(body, headers)["event"] == "call.started"

    status, revoked = api(gateway, "POST", f"/v1/webhooks/{webhook_id}/rotate_secret", {"grace_period_seconds": 0})
    assert status == 200
    headers, body = next_delivery(2)
    assert Webhook(revoked["secret"]).verify(body, headers)["event"] == "call.started"
    for old in (first, rotated["secret"]):
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(body, headers)


def test_grace_period_validation(running):
    gateway, sink, client = running
    endpoint = client.webhooks.create_endpoint(sink.url("/v"))
    for body, reason in [({"grace_period_seconds": -1}, "got -1"), ({"grace_period_seconds": 1.5}, "got 1.5"),
                         ({"grace_period_seconds": "60"}, "got string"),
                         ({"grace_period_seconds": 2592001}, "got 2592001"), ({"grace": 5}, "unknown field")]:
        status, reply = api(gateway, "POST", f"/v1/webhook_endpoints/{endpoint.id}/rotate_secret", body)
        assert status == 422, body
        assert reply["error"]["type"] == "validation_error"
        message = reply["error"]["message"]
        assert message.startswith(next(iter(body)) + ": ") and reason in message, message
