"""Vapi's HMAC credential (`HMACAuthenticationPlan`, PROVIDERS.md §5.4) against the real gateway: an
`end-of-call-report` body (from provider_calls/vapi.json) is signed here, independently of Switchboard,
with Python's `hmac` module exactly as the plan's fields describe — `signaturePrefix` + hex/base64 of
HMAC(algorithm, key = secret (base64-decoded with `secretIsBase64`), message = `payloadFormat` with
`{timestamp}`, `{body}`, `{method}`, `{url}`, `{svix-id}` substituted) — and posted to
`/v1/ingest/vapi`: accepted with 202; a tampered body, a stale timestamp, a missing signature and the
Bearer credential (replaced by the plan) are 401 with the failure named.

vapi-server-sdk 3.0.0 has the plan's type (`hmac_authentication_plan.py`) but no signer, so the
vector is made here from the field descriptions; Vapi's timestamp unit is undocumented, so both
seconds and milliseconds are posted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import pathlib
import time
import urllib.request

from gateway_process import Gateway, free_port, send
from switchboard_cli import _run

CALL = json.loads((pathlib.Path(__file__).parent / "provider_calls" / "vapi.json").read_text())
REPORT = next(event for event in CALL["events"] if event["message"]["type"] == "end-of-call-report")
BODY = json.dumps(REPORT, separators=(",", ":")).encode()
SECRET = "vapi-hmac-secret-0123456789"


def payload(form: str, body: bytes, **values: str) -> bytes:
    """`form` with its placeholders substituted in one left-to-right pass (as the plan describes)."""
    out, rest = b"", form
    names = {"{body}": None, **{"{%s}" % name.replace("_", "-"): value for name, value in values.items()}}
    while rest:
        hit = next((name for name in names if rest.startswith(name)), None)
        if hit is None:
            out, rest = out + rest[0].encode(), rest[1:]
        else:
            out += body if hit == "{body}" else names[hit].encode()
            rest = rest[len(hit):]
    return out


def post(gateway: Gateway, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    status, _, answer = send(urllib.request.Request(gateway.url("/v1/ingest/vapi"), data=body, method="POST",
                                                    headers={**headers, "Content-Type": "application/json"}))
    message = json.loads(answer).get("error", {}).get("message", "") if status >= 400 else ""
    return status, message


def test_the_default_plan_accepts_a_signed_report_and_refuses_tampered_and_stale_ones():
    """Defaults: sha256, `x-signature` (hex), `x-timestamp`, `{timestamp}.{body}`."""
    gateway = Gateway({"sources": [{"name": "vapi", "format": "vapi",
                                    "auth": {"scheme": "vapi", "hmac": {"secret": SECRET, "algorithm": "sha256"}}}]})

    def signed(timestamp: str, body: bytes = BODY) -> dict[str, str]:
        code = hmac.new(SECRET.encode(), payload("{timestamp}.{body}", body, timestamp=timestamp), hashlib.sha256)
        return {"x-timestamp": timestamp, "x-signature": code.hexdigest()}

    try:
        now = int(time.time())
        status, message = post(gateway, BODY, signed(str(now)))
        assert status == 202, message
        status, message = post(gateway, BODY.replace(b"customer-ended-call", b"customer-busy"), signed(str(now)))
        assert (status, message) == (401, "signature mismatch: no signature matches a configured secret")
        status, message = post(gateway, BODY, signed(str(now - 3600)))
        assert status == 401 and message.startswith("stale timestamp"), message
        # Milliseconds (Vapi's unit is undocumented): fresh passes, stale does not.
        status, message = post(gateway, BODY, signed(str(now * 1000 + 1)))
        assert status in (200, 202), message
        status, message = post(gateway, BODY, signed(str((now - 3600) * 1000)))
        assert status == 401 and message.startswith("stale timestamp"), message
        status, message = post(gateway, BODY, {"x-timestamp": str(now)})
        assert (status, message) == (401, "missing header x-signature")
        status, message = post(gateway, BODY, {"X-Vapi-Secret": SECRET, "Authorization": f"Bearer {SECRET}"})
        assert (status, message) == (401, "missing header x-signature")
    finally:
        gateway.close()


def test_every_plan_option_as_vapi_describes_it():
    """sha512, base64, a `sha512=` prefix, a base64 secret, custom headers, every placeholder."""
    port = free_port()
    public_url = f"http://127.0.0.1:{port}/v1/ingest/vapi"
    key = b"\x00binary key\xff bytes"
    form = "{method}\n{url}\n{svix-id}\n{timestamp}\n{body}"
    gateway = Gateway({"listen": {"host": "127.0.0.1", "port": port}, "sources": [{
        "name": "vapi", "format": "vapi", "public_url": public_url,
        "auth": {"scheme": "vapi", "tolerance_seconds": 60, "hmac": {
            "secret": base64.b64encode(key).decode(), "secret_is_base64": True, "algorithm": "sha512",
            "signature_header": "x-vapi-hmac", "timestamp_header": "x-vapi-time", "include_timestamp": True,
            "payload_format": form, "signature_prefix": "sha512=", "signature_encoding": "base64",
            "message_id_header": "svix-id"}}}]})

    def signed(timestamp: str, message_id: str, method: str = "POST", url: str = public_url) -> dict[str, str]:
        code = hmac.new(key, payload(form, BODY, method=method, url=url, svix_id=message_id, timestamp=timestamp),
                        hashlib.sha512).digest()
        return {"x-vapi-time": timestamp, "svix-id": message_id,
                "x-vapi-hmac": "sha512=" + base64.b64encode(code).decode()}

    try:
        now = str(int(time.time()))
        status, message = post(gateway, BODY, signed(now, "msg_1"))
        assert status == 202, message
        status, message = post(gateway, BODY, signed(now, "msg_2", url="https://elsewhere.example.com/v1/ingest/vapi"))
        assert (status, message) == (401, "signature mismatch: no signature matches a configured secret")
        status, message = post(gateway, BODY, signed(now, "msg_3", method="PUT"))
        assert (status, message) == (401, "signature mismatch: no signature matches a configured secret")
        headers = signed(now, "msg_4")
        headers["svix-id"] = "msg_5"
        status, message = post(gateway, BODY, headers)
        assert (status, message) == (401, "signature mismatch: no signature matches a configured secret")
        status, message = post(gateway, BODY, signed(str(int(now) - 61), "msg_6"))
        assert status == 401 and message.startswith("stale timestamp"), message
    finally:
        gateway.close()


def test_switchboard_sign_and_verify_with_a_plan_file_agree_with_python(tmp_path):
    """`switchboard sign --hmac-plan` writes what Python's hmac computes (and the gateway accepts);
    `switchboard verify --hmac-plan` accepts Python's signature and refuses a tampered body."""
    plan = {"algorithm": "sha1", "signature_prefix": "v1=", "signature_encoding": "base64",
            "payload_format": "{timestamp}:{method}:{body}"}
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan))
    now = int(time.time())
    result = _run(["sign", "--scheme", "vapi", "--secret", SECRET, "--hmac-plan", str(plan_file),
                   "--timestamp", str(now)], BODY)
    assert result.status == 0, result.stderr
    expected = "v1=" + base64.b64encode(hmac.new(SECRET.encode(), payload(plan["payload_format"], BODY, timestamp=str(now),
                                                                          method="POST"), hashlib.sha1).digest()).decode()
    assert result.headers == {"x-timestamp": str(now), "x-signature": expected}
    gateway = Gateway({"sources": [{"name": "vapi", "format": "vapi",
                                    "auth": {"scheme": "vapi", "hmac": {"secret": SECRET, **plan}}}]})
    try:
        status, message = post(gateway, BODY, result.headers)
        assert status == 202, message
    finally:
        gateway.close()
    verify = ["verify", "--scheme", "vapi", "--secret", SECRET, "--hmac-plan", str(plan_file),
              "--header", f"x-timestamp: {now}", "--header", f"x-signature: {expected}"]
    assert _run(verify, BODY).status == 0
    tampered = _run(verify, BODY + b" ")
    assert (tampered.status, tampered.stderr.strip()) == (1, "switchboard verify: signature mismatch: no signature matches a configured secret")
