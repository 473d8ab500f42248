"""A voice provider's whole call, end to end (issue 16, "Independent checks"): for every file in
`provider_calls/*.json`, the real `switchboard serve` gets a source for that provider, a CallingBox
endpoint (created with the official `callingbox` SDK) and a OneInbox webhook on one sink; each event is
signed with `switchboard sign --scheme <scheme>` and posted to `/v1/ingest/<provider>`; the CallingBox
endpoint must then receive `callingbox_types` in that order, each verified by
`Callingbox.webhooks.construct_event`, and the OneInbox webhook `oneinbox_types`, each verified by
`standardwebhooks.Webhook.verify`.

The data contract of `provider_calls/<provider>.json` (also in `provider_calls/README.md`):

    {"provider": "twilio",            # the source's name (the ingest path), and the file's name
     "format": "twilio",              # the mapping file (mappings/<format>.json); no file: skipped
     "scheme": "twilio",              # the source's auth scheme, as `switchboard sign --scheme` names it
     "content_type": "application/x-www-form-urlencoded",   # sent with every event
     "description": "…",              # what the call is, and where its bodies come from
     "events": [{…} or {"form": "<urlencoded body>"}],      # in order: a JSON body object (sent as
                                                            # compact JSON), or a form body's raw text
     "callingbox_types": ["call.queued", …],               # what the CallingBox endpoint gets, in order
     "oneinbox_types": ["call.started", …]}                # what the OneInbox webhook gets, in order

Credentials are made here: a random secret per shared-secret scheme, an Ed25519 key pair for telnyx
(the seed signs, the public key is the source's `public_key`), and for twilio a `public_url` that is
the gateway's own ingest URL (what the sender requests, so what it signs). Every post must be answered
2xx (an event the mapping ignores gets 200).
"""

from __future__ import annotations

import base64
import json
import pathlib
import secrets
import time
import urllib.parse
import urllib.request
import uuid

import pytest
from callingbox import Callingbox
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from standardwebhooks import Webhook

from gateway_process import Gateway, Sink, free_port, send
from switchboard_cli import ROOT, _run

CALLS = sorted((pathlib.Path(__file__).parent / "provider_calls").glob("*.json"))
API_KEY = "sk_test_provider_calls"
ONEINBOX_EVENTS = ["call.started", "call.ended", "call.analyzed", "call.failed", "call.recording.available",
                   "transcript.partial", "transcript.final"]
REQUIRED = {"provider", "format", "scheme", "content_type", "events", "callingbox_types", "oneinbox_types"}


def load(path: pathlib.Path) -> dict:
    call = json.loads(path.read_text())
    missing = REQUIRED - call.keys()
    assert not missing, f"{path.name}: missing {sorted(missing)}"
    assert path.stem == call["provider"], f"{path.name}: the file is named after its provider"
    return call


def raw_body(event: dict) -> bytes:
    """The bytes to post: a form body's text as written, a JSON body compactly."""
    if set(event) == {"form"}:
        return event["form"].encode()
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


class Credentials:
    """What the source is configured with, and the `switchboard sign` options that match it."""

    def __init__(self, scheme: str, public_url: str) -> None:
        self.scheme = scheme
        self.public_url = public_url
        if scheme == "telnyx":
            key = Ed25519PrivateKey.generate()
            seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
            public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
            self.auth = {"scheme": scheme, "public_key": base64.b64encode(public).decode()}
            self.sign_options = ["--private-key", base64.b64encode(seed).decode()]
        else:
            secret = "sb_" + secrets.token_hex(16)
            self.auth = {"scheme": scheme, "secret": secret}
            self.sign_options = ["--secret", secret]
        if scheme == "twilio":
            self.sign_options += ["--url", public_url]

    def headers(self, body: bytes) -> dict[str, str]:
        options = list(self.sign_options)
        if self.scheme == "vonage":
            options += ["--id", str(uuid.uuid4())]
        result = _run(["sign", "--scheme", self.scheme, *options], body)
        assert result.status == 0, result.stderr
        return result.headers


def source_config(call: dict, credentials: Credentials) -> dict:
    source = {"name": call["provider"], "format": call["format"], "auth": credentials.auth}
    if call["scheme"] == "twilio":
        source["public_url"] = credentials.public_url
    return source


@pytest.fixture(params=CALLS, ids=[path.stem for path in CALLS])
def provider_call(request):
    """The call of one file, skipped when its mapping file is not in this tree yet."""
    call = load(request.param)
    if not (ROOT / "mappings" / f"{call['format']}.json").exists():
        pytest.skip(f"mappings/{call['format']}.json is not in this tree (its mapping file lands with its own branch)")
    return call


def test_the_contract_files_are_well_formed():
    assert any(path.stem == "twilio" for path in CALLS)
    for path in CALLS:
        call = load(path)
        assert call["events"], path.name
        for event in call["events"]:
            assert isinstance(event, dict), path.name
            if "form" in event:
                assert set(event) == {"form"} and isinstance(event["form"], str), path.name


def test_a_full_call_reaches_callingbox_and_oneinbox_in_order(provider_call):
    call = provider_call
    port = free_port()
    name = call["provider"]
    credentials = Credentials(call["scheme"], f"http://127.0.0.1:{port}/v1/ingest/{name}")
    sink = Sink()
    gateway = Gateway({"listen": {"host": "127.0.0.1", "port": port}, "api_keys": [API_KEY],
                       "delivery": {"allow_private_networks": True, "retry_schedule_seconds": [0, 1, 1], "jitter": 0},
                       "sources": [source_config(call, credentials)]})
    try:
        with Callingbox(api_key=API_KEY, base_url=gateway.url("")) as client:
            endpoint = client.webhooks.create_endpoint(sink.url("/callingbox"), enabled_events=["*"])
        status, _, answer = send(urllib.request.Request(
            gateway.url("/v1/webhooks"), method="POST",
            data=json.dumps({"name": f"{name}-crm", "url": sink.url("/oneinbox"), "events": ONEINBOX_EVENTS}).encode(),
            headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}))
        assert status == 201, answer
        webhook_secret = json.loads(answer)["secret"]
        for index, event in enumerate(call["events"]):
            body = raw_body(event)
            headers = {**credentials.headers(body), "Content-Type": call["content_type"]}
            status, _, answer = send(urllib.request.Request(gateway.url(f"/v1/ingest/{name}"), data=body,
                                                            headers=headers, method="POST"))
            assert status in (200, 202), f"event #{index + 1}: {status} {answer!r}"
        callingbox = sink.wait_for("/callingbox", len(call["callingbox_types"]))
        oneinbox = sink.wait_for("/oneinbox", len(call["oneinbox_types"]))
        time.sleep(0.5)  # anything beyond the expected deliveries would have arrived by now
        callingbox, oneinbox = sink.on("/callingbox"), sink.on("/oneinbox")
    finally:
        gateway.close()
        sink.close()

    verifier = Callingbox(api_key="sk_test_interop", base_url="http://127.0.0.1:9")
    types = []
    for headers, body in callingbox:
        verifier.webhooks.construct_event(body, headers["CallingBox-Signature"], endpoint.signing_secret)
        parsed = json.loads(body)
        assert headers["CallingBox-Event-Type"] == parsed["type"]
        types.append(parsed["type"])
    verifier._http.close()
    assert types == call["callingbox_types"]
    # One call: every CallingBox body names the same call.
    assert len({json.loads(body)["data"]["call"]["id"] for _, body in callingbox}) <= 1

    events = [Webhook(webhook_secret).verify(body, {k.lower(): v for k, v in headers.items()})["event"]
              for headers, body in oneinbox]
    assert events == call["oneinbox_types"]


def test_twilio_requests_signed_by_request_validator_are_accepted_and_tampered_ones_refused():
    """The gateway itself, not only `switchboard verify`, takes what twilio's RequestValidator signs over
    the configured public URL, and refuses a changed field with a 401 naming that URL."""
    from twilio.request_validator import RequestValidator

    call = load(pathlib.Path(__file__).parent / "provider_calls" / "twilio.json")
    public_url = "https://hooks.example.com/v1/ingest/twilio"
    token = secrets.token_hex(16)
    gateway = Gateway({"sources": [{"name": "twilio", "format": "twilio", "public_url": public_url,
                                    "auth": {"scheme": "twilio", "secret": token}}]})
    try:
        form = call["events"][1]["form"]
        params = dict(urllib.parse.parse_qsl(form, keep_blank_values=True))
        signature = RequestValidator(token).compute_signature(public_url, params)
        def post(body: str) -> tuple[int, bytes]:
            status, _, answer = send(urllib.request.Request(
                gateway.url("/v1/ingest/twilio"), data=body.encode(), method="POST",
                headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}))
            return status, answer
        status, answer = post(form)
        assert status == 202, answer
        status, answer = post(form.replace("CallStatus=ringing", "CallStatus=busy"))
        assert status == 401
        assert json.loads(answer)["error"]["message"] == \
            f"signature mismatch: no X-Twilio-Signature over {public_url} matches a configured auth token"
    finally:
        gateway.close()
