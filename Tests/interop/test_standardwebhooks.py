"""Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>` against the
reference Python library, standardwebhooks 1.1.0: `Webhook(secret).verify(body, headers)`; its
`Webhook(secret).sign(msg_id, timestamp, data)` produces the library-side signatures."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from switchboard_cli import (STALE, STANDARD_NEXT_SECRET, STANDARD_SECRET, event_body, signed_headers,
                             tampered, verify)

SCHEME = "standard-webhooks"


def library_headers(secret: str, body: bytes, message_id: str, timestamp: int) -> dict[str, str]:
    signature = Webhook(secret).sign(message_id, datetime.fromtimestamp(timestamp, tz=timezone.utc), body.decode())
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


def test_switchboard_signature_verifies_with_the_library():
    body = event_body()
    headers = signed_headers(SCHEME, [STANDARD_SECRET], body)
    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert Webhook(STANDARD_SECRET).verify(body, headers)["id"] == "evt_interop_1"
    # The library takes the key with or without the whsec_ prefix; so does switchboard.
    assert Webhook(STANDARD_SECRET.removeprefix("whsec_")).verify(body, headers)["id"] == "evt_interop_1"
    bare = signed_headers(SCHEME, [STANDARD_SECRET.removeprefix("whsec_")], body, message_id="msg_bare")
    Webhook(STANDARD_SECRET).verify(body, bare)


def test_library_signature_verifies_with_switchboard():
    body = event_body()
    headers = library_headers(STANDARD_SECRET, body, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", int(time.time()))
    result = verify(SCHEME, [STANDARD_SECRET], body, headers)
    assert (result.status, result.stdout, result.stderr) == (0, "ok\n", "")


def test_tampered_body_fails_on_both_sides():
    body = event_body()
    headers = signed_headers(SCHEME, [STANDARD_SECRET], body)
    with pytest.raises(WebhookVerificationError, match="No matching signature found"):
        Webhook(STANDARD_SECRET).verify(tampered(body), headers)
    result = verify(SCHEME, [STANDARD_SECRET], tampered(body), headers)
    assert result.status == 1
    assert result.stderr == "switchboard verify: signature mismatch: no signature matches a configured secret\n"


def test_changed_message_id_fails_on_both_sides():
    body = event_body()
    headers = signed_headers(SCHEME, [STANDARD_SECRET], body) | {"webhook-id": "msg_other"}
    with pytest.raises(WebhookVerificationError):
        Webhook(STANDARD_SECRET).verify(body, headers)
    assert verify(SCHEME, [STANDARD_SECRET], body, headers).status == 1


def test_stale_and_future_timestamps_fail_on_both_sides():
    body = event_body()
    now = int(time.time())
    for timestamp, library_message, our_message in (
        (now - STALE, "Message timestamp too old", "stale timestamp"),
        (now + STALE, "Message timestamp too new", "in the future"),
    ):
        ours = signed_headers(SCHEME, [STANDARD_SECRET], body, timestamp=timestamp)
        with pytest.raises(WebhookVerificationError, match=library_message):
            Webhook(STANDARD_SECRET).verify(body, ours)
        theirs = library_headers(STANDARD_SECRET, body, "msg_time", timestamp)
        result = verify(SCHEME, [STANDARD_SECRET], body, theirs)
        assert result.status == 1
        assert our_message in result.stderr
        assert verify(SCHEME, [STANDARD_SECRET], body, theirs, tolerance=0).status == 0


def test_rotation_two_secrets_give_two_signatures_each_accepted_by_the_library():
    body = event_body()
    headers = signed_headers(SCHEME, [STANDARD_SECRET, STANDARD_NEXT_SECRET], body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (STANDARD_SECRET, STANDARD_NEXT_SECRET):
        Webhook(secret).verify(body, headers)
        assert verify(SCHEME, [secret], body, headers).status == 0
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUFBQUFBQUFBQUFBQUFBQQ==").verify(body, headers)


def test_library_signature_lists_verify_with_either_configured_secret():
    body = event_body()
    now = int(time.time())
    first = library_headers(STANDARD_SECRET, body, "msg_rot", now)
    second = library_headers(STANDARD_NEXT_SECRET, body, "msg_rot", now)
    headers = first | {"webhook-signature": f"{first['webhook-signature']} {second['webhook-signature']}"}
    for secrets in ([STANDARD_SECRET], [STANDARD_NEXT_SECRET]):
        assert verify(SCHEME, secrets, body, headers).status == 0
