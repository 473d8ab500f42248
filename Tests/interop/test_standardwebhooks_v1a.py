"""Standard Webhooks v1a (issue 17): OneInbox webhooks created with `"signature": "v1a"` over real HTTP
against the real `switchboard serve`, their deliveries verified as a receiver would, with Python
`cryptography`'s `Ed25519PublicKey` built from the `whpk_` public key the create (or rotate) answer shows
(and once with PyNaCl's `VerifyKey`).

The receiver follows the spec (PROVIDERS.md §8): the signed content is `"{webhook-id}.{webhook-timestamp}.{body}"`,
`webhook-signature` is a space-separated list of `<version>,<base64>`, any `v1a` entry that verifies under a
trusted key suffices, and the timestamp must lie within 5 minutes. The `standardwebhooks` package (1.1.0 here,
1.3.0 in PROVIDERS.md) implements `v1` only: when a version that knows `v1a` is installed, it verifies too.
During a rotation's grace the gateway signs with both keys, newest first, so a receiver that holds only the
new public key verifies every delivery of the overlap."""

from __future__ import annotations

import base64
import inspect
import json
import pathlib
import time
import urllib.request

import pytest
import standardwebhooks.webhooks
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from gateway_process import Gateway, management, salpre_gateway_with_sdk, send

API_KEY = "sk_test_v1a"
TOKEN = "v1a-token"
SDK_KNOWS_V1A = "v1a" in inspect.getsource(standardwebhooks.webhooks)


@pytest.fixture()
def running():
    with salpre_gateway_with_sdk(API_KEY, TOKEN, {"allow_private_networks": True, "retry_schedule_seconds": [0, 1],
                                                  "jitter": 0, "secret_rotation_overlap_seconds": 3600}) as running:
        yield running


def api(gateway: Gateway, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    status, reply = management(gateway, API_KEY, method, path, body)
    return status, json.loads(reply or b"{}")


def next_delivery(gateway: Gateway, sink, call: int, path: str = "/v1a") -> tuple[dict, bytes]:
    """Ingests a Salpre call_answered (OneInbox's call.started) for `call` and returns the delivery it makes."""
    body = json.dumps({"event_type": "call_answered", "timestamp_utc": 1760084555,
                       "payload": {"call_id": call, "from": "+905555555555", "to": "+905555555554",
                                   "direction": "outbound"}, "is_test": False}).encode()
    request = urllib.request.Request(gateway.url("/v1/ingest/salpre"), data=body, method="POST",
                                     headers={"X-Salpre-Token": TOKEN})
    assert send(request)[0] == 202
    headers, delivered = sink.wait_for(path, call)[-1]
    return {name.lower(): value for name, value in headers.items()}, delivered


def public_key(whpk: str) -> Ed25519PublicKey:
    assert whpk.startswith("whpk_")
    raw = base64.b64decode(whpk[len("whpk_"):], validate=True)
    assert len(raw) == 32
    return Ed25519PublicKey.from_public_bytes(raw)


def verify_v1a(whpk: str, headers: dict, body: bytes, now: float | None = None) -> dict:
    """A receiver's check of a v1a delivery with `cryptography`: raises on any failure, returns the payload."""
    message_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs((now or time.time()) - int(timestamp)) > 300:
        raise ValueError("timestamp outside the 5-minute window")
    signed = f"{message_id}.{timestamp}.".encode() + body
    key = public_key(whpk)
    for item in headers["webhook-signature"].split(" "):
        version, _, signature = item.partition(",")
        if version != "v1a":
            continue
        try:
            key.verify(base64.b64decode(signature, validate=True), signed)
            return json.loads(body)
        except InvalidSignature:
            continue
    raise InvalidSignature("no v1a signature verifies under the key")


def test_a_v1a_webhook_delivers_what_cryptography_verifies(running):
    gateway, sink, _ = running
    status, created = api(gateway, "POST", "/v1/webhooks",
                          {"name": "crm", "url": sink.url("/v1a"), "events": ["call.started"], "signature": "v1a"})
    assert status == 201, created
    assert created["signature"] == "v1a" and "secret" not in created
    whpk = created["public_key"]
    status, fetched = api(gateway, "GET", f"/v1/webhooks/{created['id']}")
    assert status == 200 and fetched["public_key"] == whpk and "secret" not in fetched

    headers, body = next_delivery(gateway, sink, 1)
    signatures = headers["webhook-signature"].split(" ")
    assert len(signatures) == 1 and signatures[0].startswith("v1a,")
    payload = verify_v1a(whpk, headers, body)
    assert payload["event"] == "call.started" and payload["id"] == headers["webhook-id"]
    # Independently, PyNaCl (libsodium) accepts the same signature under the same key.
    from nacl.signing import VerifyKey
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    VerifyKey(base64.b64decode(whpk[len("whpk_"):])).verify(signed, base64.b64decode(signatures[0][len("v1a,"):]))

    # A tampered body, a changed id, another key: refused.
    with pytest.raises(InvalidSignature):
        verify_v1a(whpk, headers, body.replace(b"call.started", b"call.ended__"))
    with pytest.raises(InvalidSignature):
        verify_v1a(whpk, {**headers, "webhook-id": headers["webhook-id"] + "x"}, body)
    status, other = api(gateway, "POST", "/v1/webhooks",
                        {"name": "other", "url": sink.url("/other"), "events": ["call.ended"], "signature": "v1a"})
    assert status == 201 and other["public_key"] != whpk
    with pytest.raises(InvalidSignature):
        verify_v1a(other["public_key"], headers, body)

    # The v1 library: verifies v1a when it knows it; 1.1.0 finds no v1 signature (never a false accept).
    if SDK_KNOWS_V1A:
        assert Webhook(whpk).verify(body, headers)["event"] == "call.started"
    else:
        with pytest.raises(WebhookVerificationError):
            Webhook("whsec_" + base64.b64encode(b"k" * 32).decode()).verify(body, headers)

    # The secret key never leaves the gateway: not in an answer, not in the log.
    status, listed = api(gateway, "GET", "/v1/webhooks")
    assert status == 200 and "whsk_" not in json.dumps(listed)
    logged = (pathlib.Path(gateway._dir.name) / "stderr.log").read_text(errors="replace")
    assert "whsk_" not in logged


def test_rotation_a_receiver_holding_only_the_new_public_key_verifies_the_whole_overlap(running):
    gateway, sink, _ = running
    status, created = api(gateway, "POST", "/v1/webhooks",
                          {"name": "crm", "url": sink.url("/v1a"), "events": ["call.started"], "signature": "v1a"})
    assert status == 201
    first = created["public_key"]
    headers, body = next_delivery(gateway, sink, 1)
    verify_v1a(first, headers, body)

    status, rotated = api(gateway, "POST", f"/v1/webhooks/{created['id']}/rotate_secret", {"grace_period_seconds": 600})
    assert status == 200 and rotated["signature"] == "v1a" and "secret" not in rotated
    second = rotated["public_key"]
    assert second != first
    # The receiver switches to the new key at once; every delivery of the overlap carries both signatures.
    for call in (2, 3, 4):
        headers, body = next_delivery(gateway, sink, call)
        signatures = headers["webhook-signature"].split(" ")
        assert len(signatures) == 2 and all(item.startswith("v1a,") for item in signatures)
        assert verify_v1a(second, headers, body)["event"] == "call.started"
        verify_v1a(first, headers, body)  # a receiver not yet switched verifies too

    status, revoked = api(gateway, "POST", f"/v1/webhooks/{created['id']}/rotate_secret", {"grace_period_seconds": 0})
    assert status == 200
    headers, body = next_delivery(gateway, sink, 5)
    assert len(headers["webhook-signature"].split(" ")) == 1
    verify_v1a(revoked["public_key"], headers, body)
    for old in (first, second):
        with pytest.raises(InvalidSignature):
            verify_v1a(old, headers, body)


def test_v1_stays_the_default_and_the_signature_is_fixed_at_creation(running):
    gateway, sink, _ = running
    status, created = api(gateway, "POST", "/v1/webhooks",
                          {"name": "crm", "url": sink.url("/v1"), "events": ["call.started"]})
    assert status == 201 and created["signature"] == "v1" and "public_key" not in created
    headers, body = next_delivery(gateway, sink, 1, "/v1")
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(created["secret"]).verify(body, headers)["event"] == "call.started"
    status, reply = api(gateway, "PATCH", f"/v1/webhooks/{created['id']}", {"signature": "v1a"})
    assert status == 422 and reply["error"]["type"] == "validation_error"
    assert reply["error"]["message"].startswith("signature: cannot be changed")
    status, reply = api(gateway, "POST", "/v1/webhooks",
                        {"name": "crm", "url": sink.url("/v1"), "events": ["call.started"], "signature": "ed25519"})
    assert status == 422 and reply["error"]["message"] == 'signature: must be "v1" or "v1a", got "ed25519"'
