"""Inkbox: `X-Inkbox-Request-ID`, `X-Inkbox-Timestamp`, `X-Inkbox-Signature: sha256=<hex>` against the
official SDK, inkbox 0.7.20: `verify_webhook(payload=, headers=, secret=) -> bool`."""

from __future__ import annotations

import hashlib
import hmac
import time

from inkbox import verify_webhook

from switchboard_cli import (INKBOX_NEXT_SECRET, INKBOX_SECRET, STALE, event_body, sign, signed_headers,
                             tampered, verify)

SCHEME = "inkbox"


def documented_headers(secret: str, body: bytes, request_id: str, timestamp: int) -> dict[str, str]:
    """Signs as Inkbox documents it: HMAC-SHA256 over `"{request_id}.{timestamp}.{raw_body}"`, keyed
    with the signing key without its `whsec_` prefix, `sha256=` + lowercase hex."""
    message = f"{request_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.removeprefix("whsec_").encode(), message, hashlib.sha256).hexdigest()
    return {"X-Inkbox-Request-ID": request_id, "X-Inkbox-Timestamp": str(timestamp),
            "X-Inkbox-Signature": f"sha256={digest}"}


def test_switchboard_signature_verifies_with_the_sdk():
    body = event_body()
    headers = signed_headers(SCHEME, [INKBOX_SECRET], body)
    assert set(headers) == {"X-Inkbox-Request-ID", "X-Inkbox-Timestamp", "X-Inkbox-Signature"}
    assert verify_webhook(payload=body, headers=headers, secret=INKBOX_SECRET) is True
    # The key works with or without its prefix, on both sides.
    assert verify_webhook(payload=body, headers=headers, secret=INKBOX_SECRET.removeprefix("whsec_")) is True
    assert verify(SCHEME, [INKBOX_SECRET.removeprefix("whsec_")], body, headers).status == 0


def test_documented_signature_verifies_with_switchboard():
    body = event_body()
    headers = documented_headers(INKBOX_SECRET, body, "req_9f8e7d", int(time.time()))
    assert verify_webhook(payload=body, headers=headers, secret=INKBOX_SECRET) is True
    result = verify(SCHEME, [INKBOX_SECRET], body, {k.lower(): v for k, v in headers.items()})
    assert (result.status, result.stdout, result.stderr) == (0, "ok\n", "")


def test_tampered_body_fails_on_both_sides():
    body = event_body()
    headers = signed_headers(SCHEME, [INKBOX_SECRET], body)
    assert verify_webhook(payload=tampered(body), headers=headers, secret=INKBOX_SECRET) is False
    result = verify(SCHEME, [INKBOX_SECRET], tampered(body), headers)
    assert result.status == 1
    assert result.stderr == "switchboard verify: signature mismatch: no signature matches a configured secret\n"


def test_stale_timestamp_is_refused_by_switchboard_although_the_sdk_accepts_it():
    body = event_body()
    stale = int(time.time()) - STALE
    ours = signed_headers(SCHEME, [INKBOX_SECRET], body, timestamp=stale)
    theirs = documented_headers(INKBOX_SECRET, body, "req_stale", stale)
    for headers in (ours, theirs):
        # The SDK does not look at the time: a replayed request passes there.
        assert verify_webhook(payload=body, headers=headers, secret=INKBOX_SECRET) is True
        result = verify(SCHEME, [INKBOX_SECRET], body, headers)
        assert result.status == 1
        assert result.stderr.startswith("switchboard verify: stale timestamp: signed 6")
        assert verify(SCHEME, [INKBOX_SECRET], body, headers, tolerance=0).status == 0
    future = documented_headers(INKBOX_SECRET, body, "req_future", int(time.time()) + STALE)
    assert verify_webhook(payload=body, headers=future, secret=INKBOX_SECRET) is True
    assert "in the future" in verify(SCHEME, [INKBOX_SECRET], body, future).stderr


def test_rotation_one_signature_per_request_any_configured_secret_verifies():
    # The header holds a single `sha256=` value (the SDK compares the whole rest of it), so
    # switchboard refuses to sign with two secrets rather than emit what the SDK cannot accept.
    body = event_body()
    refused = sign(SCHEME, [INKBOX_SECRET, INKBOX_NEXT_SECRET], body)
    assert refused.status == 2
    assert "signs with at most 1 secret" in refused.stderr
    now = int(time.time())
    for secret in (INKBOX_SECRET, INKBOX_NEXT_SECRET):
        ours = signed_headers(SCHEME, [secret], body)
        assert verify_webhook(payload=body, headers=ours, secret=secret) is True
        theirs = documented_headers(secret, body, "req_rot", now)
        assert verify(SCHEME, [INKBOX_SECRET, INKBOX_NEXT_SECRET], body, theirs).status == 0
        assert verify(SCHEME, [INKBOX_SECRET, INKBOX_NEXT_SECRET], body, ours).status == 0


def test_missing_header_the_sdk_treats_as_empty_is_named_by_switchboard():
    body = event_body()
    headers = signed_headers(SCHEME, [INKBOX_SECRET], body)
    del headers["X-Inkbox-Request-ID"]
    assert verify_webhook(payload=body, headers=headers, secret=INKBOX_SECRET) is False
    result = verify(SCHEME, [INKBOX_SECRET], body, headers)
    assert result.stderr == "switchboard verify: missing header X-Inkbox-Request-ID\n"
