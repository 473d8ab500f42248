"""CallingBox: `CallingBox-Signature: t=<unix>,v1=<hex>` against the official SDK, callingbox 0.1.0,
whose verifier is `Callingbox(...).webhooks.construct_event(payload, sig_header, secret, tolerance=300)`."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest
from callingbox import BadRequestError, Callingbox

from switchboard_cli import (CALLINGBOX_NEXT_SECRET, CALLINGBOX_SECRET, STALE, event_body, sign,
                             signed_headers, tampered, verify)

SCHEME = "callingbox"
HEADER = "CallingBox-Signature"


@pytest.fixture(scope="module")
def webhooks():
    # No request is made: construct_event is pure. The key and URL only satisfy the constructor.
    client = Callingbox(api_key="sk_test_interop", base_url="http://127.0.0.1:9")
    yield client.webhooks
    client._http.close()


def sdk_style_header(secret: str, body: bytes, timestamp: int) -> str:
    """Signs as CallingBox documents it (and the SDK's tests do): HMAC-SHA256 keyed with the whole
    secret string, `whsec_` included, over `"<t>." + raw body`, lowercase hex."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def test_switchboard_signature_verifies_with_the_sdk(webhooks):
    body = event_body()
    header = signed_headers(SCHEME, [CALLINGBOX_SECRET], body)[HEADER]
    event = webhooks.construct_event(body, header, CALLINGBOX_SECRET)
    assert (event.id, event.type, event.api_version) == ("evt_interop_1", "call.completed", "2026-04")


def test_sdk_style_signature_verifies_with_switchboard():
    body = event_body()
    header = sdk_style_header(CALLINGBOX_SECRET, body, int(time.time()))
    result = verify(SCHEME, [CALLINGBOX_SECRET], body, {HEADER: header})
    assert (result.status, result.stdout, result.stderr) == (0, "ok\n", "")


def test_tampered_body_fails_on_both_sides(webhooks):
    body = event_body()
    header = signed_headers(SCHEME, [CALLINGBOX_SECRET], body)[HEADER]
    with pytest.raises(BadRequestError, match="signature mismatch"):
        webhooks.construct_event(tampered(body), header, CALLINGBOX_SECRET)
    result = verify(SCHEME, [CALLINGBOX_SECRET], tampered(body), {HEADER: header})
    assert result.status == 1
    assert result.stderr == "switchboard verify: signature mismatch: no signature matches a configured secret\n"


def test_stale_timestamp_fails_on_both_sides(webhooks):
    body = event_body()
    stale = int(time.time()) - STALE
    ours = signed_headers(SCHEME, [CALLINGBOX_SECRET], body, timestamp=stale)[HEADER]
    with pytest.raises(BadRequestError, match="exceeds tolerance 300s"):
        webhooks.construct_event(body, ours, CALLINGBOX_SECRET)
    theirs = sdk_style_header(CALLINGBOX_SECRET, body, stale)
    result = verify(SCHEME, [CALLINGBOX_SECRET], body, {HEADER: theirs})
    assert result.status == 1
    assert result.stderr.startswith("switchboard verify: stale timestamp: signed 6")
    # Both sides accept the same stale signature once the window is disabled.
    webhooks.construct_event(body, ours, CALLINGBOX_SECRET, tolerance=0)
    assert verify(SCHEME, [CALLINGBOX_SECRET], body, {HEADER: theirs}, tolerance=0).status == 0


def test_future_timestamp_fails_on_both_sides(webhooks):
    body = event_body()
    ahead = int(time.time()) + STALE
    header = signed_headers(SCHEME, [CALLINGBOX_SECRET], body, timestamp=ahead)[HEADER]
    with pytest.raises(BadRequestError, match="exceeds tolerance"):
        webhooks.construct_event(body, header, CALLINGBOX_SECRET)
    result = verify(SCHEME, [CALLINGBOX_SECRET], body, {HEADER: header})
    assert result.status == 1
    assert "in the future" in result.stderr


def test_rotation_two_secrets_give_two_signatures_each_accepted_by_the_sdk(webhooks):
    body = event_body()
    header = signed_headers(SCHEME, [CALLINGBOX_SECRET, CALLINGBOX_NEXT_SECRET], body)[HEADER]
    assert header.count(",v1=") == 2
    for secret in (CALLINGBOX_SECRET, CALLINGBOX_NEXT_SECRET):
        assert webhooks.construct_event(body, header, secret).id == "evt_interop_1"
        assert verify(SCHEME, [secret], body, {HEADER: header}).status == 0
    with pytest.raises(BadRequestError, match="signature mismatch"):
        webhooks.construct_event(body, header, "whsec_unrelated")


def test_sdk_style_rotation_header_verifies_with_either_configured_secret():
    body = event_body()
    now = int(time.time())
    old = sdk_style_header(CALLINGBOX_SECRET, body, now)
    new = sdk_style_header(CALLINGBOX_NEXT_SECRET, body, now).split(",", 1)[1]
    header = f"{old},{new}"
    for secrets in ([CALLINGBOX_SECRET], [CALLINGBOX_NEXT_SECRET], ["whsec_other", CALLINGBOX_NEXT_SECRET]):
        assert verify(SCHEME, secrets, body, {HEADER: header}).status == 0


def test_whsec_prefix_is_part_of_the_key(webhooks):
    # The SDK keys the HMAC with the whole secret: stripping the prefix (the Inkbox rule) fails.
    body = event_body()
    header = signed_headers(SCHEME, [CALLINGBOX_SECRET], body)[HEADER]
    with pytest.raises(BadRequestError):
        webhooks.construct_event(body, header, CALLINGBOX_SECRET.removeprefix("whsec_"))
    assert sign(SCHEME, [CALLINGBOX_SECRET], body, message_id="x").status == 2  # no id in this scheme
