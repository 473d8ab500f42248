"""Incoming calls of Twilio, Telnyx TeXML and Vonage answered through the running gateway (issue 17,
"Incoming-call sources"): each provider's incoming-call request, signed with `switchboard sign --scheme
twilio|telnyx|vonage`, is answered by a rule, by the decision endpoint (its signed `call.incoming`
verified with the official `callingbox` SDK), or by the fallback when the endpoint is slow or down; a
request with a bad signature is refused before anyone is asked.

The answers are checked against the providers' own SDKs: TwiML/TeXML parsed with `xml.etree` and compared,
tree for tree, with what `twilio`'s `VoiceResponse` renders for the same instructions; NCCO compared with
the `vonage-voice` models (`Connect` with a `WebsocketEndpoint`).
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET

import pytest
from callingbox import Callingbox
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from gateway_process import Gateway, Sink, free_port, send
from switchboard_cli import CALLINGBOX_SECRET, _run

API_KEY = "sk_test_provider_answers"
WS_RULE = "wss://rule.example/media?tenant=t1&lang=\"tr\""
WS_DECIDED = "wss://agent.example/ws/7?a=1&b=2"
RULE_CALLER = "+19995550100"
CALLER = "+14155550123"
SLOW_TIMEOUT_MS = 400
# Passed by the decision endpoint: TwiML <Parameter>s, NCCO websocket headers (escaping checked too).
PARAMETERS = {"tenant": "t1", "note": "a&b \"c\" <d>"}
TWILIO_TOKEN = secrets.token_hex(16)
VONAGE_SECRET = "sb_" + secrets.token_hex(16)
TELNYX_KEY = Ed25519PrivateKey.generate()
PROVIDERS = {"twilio": ("twilio", "twilio"), "texml": ("telnyx-texml", "telnyx"), "vonage": ("vonage", "vonage")}


def public_url(source: str) -> str:
    return f"https://hooks.example.com/v1/ingest/{source}"


def auth(scheme: str) -> dict:
    if scheme == "telnyx":
        public = TELNYX_KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return {"scheme": "telnyx", "public_key": base64.b64encode(public).decode()}
    return {"scheme": scheme, "secret": TWILIO_TOKEN if scheme == "twilio" else VONAGE_SECRET}


def signed_headers(scheme: str, source: str, body: bytes) -> dict[str, str]:
    """What the provider sends, signed by `switchboard sign`."""
    if scheme == "telnyx":
        seed = TELNYX_KEY.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        options = ["--private-key", base64.b64encode(seed).decode()]
    elif scheme == "twilio":
        options = ["--secret", TWILIO_TOKEN, "--url", public_url(source)]
    else:
        options = ["--secret", VONAGE_SECRET, "--id", str(uuid.uuid4())]
    result = _run(["sign", "--scheme", scheme, *options], body)
    assert result.status == 0, result.stderr
    return result.headers


def incoming_body(provider: str, call: str, caller: str = CALLER) -> tuple[bytes, str]:
    """The provider's incoming-call request (PROVIDERS.md §1.1, §2.5, §3.1) and its content type."""
    if provider == "vonage":
        return json.dumps({"to": "442079460000", "from": caller.lstrip("+"), "uuid": call,
                           "conversation_uuid": f"CON-{call}", "region_url": "https://api-eu-1.vonage.com",
                           "endpoint_type": "phone"}, separators=(",", ":")).encode(), "application/json"
    form = {"AccountSid": "AC" + "0" * 32, "ApiVersion": "2010-04-01", "CallSid": call, "CallStatus": "ringing",
            "Direction": "inbound", "From": caller, "To": "+15551234567", "Called": "+15551234567", "Caller": caller}
    return urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"


def status_body(provider: str, call: str) -> tuple[bytes, str]:
    """The same call's completed status callback."""
    if provider == "vonage":
        return json.dumps({"from": CALLER.lstrip("+"), "to": "442079460000", "uuid": call,
                           "conversation_uuid": f"CON-{call}", "status": "completed", "direction": "inbound",
                           "timestamp": "2026-01-01T00:00:40.000Z", "duration": "35"},
                          separators=(",", ":")).encode(), "application/json"
    form = {"AccountSid": "AC" + "0" * 32, "CallSid": call, "CallStatus": "completed", "Direction": "inbound",
            "From": CALLER, "To": "+15551234567", "CallbackSource": "call-progress-events", "SequenceNumber": "3",
            "CallDuration": "31", "Timestamp": "Thu, 01 Jan 2026 00:00:40 +0000"}
    return urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"


def new_call(provider: str) -> str:
    return str(uuid.uuid4()) if provider == "vonage" else "CA" + uuid.uuid4().hex


def answer_for(path: str) -> tuple[int, bytes]:
    if path.startswith("/slow"):
        time.sleep(SLOW_TIMEOUT_MS / 1000 + 1.5)
    if path.startswith("/busy"):
        return 200, json.dumps({"action": "reject", "reason": "busy"}).encode()
    return 200, json.dumps({"action": "answer", "client_websocket_url": WS_DECIDED, "parameters": PARAMETERS}).encode()


@pytest.fixture(scope="module")
def gateway():
    sink = Sink(answer=answer_for)
    down = f"http://127.0.0.1:{free_port()}/down"
    sources = []
    for provider, (fmt, scheme) in PROVIDERS.items():
        for variant, url, timeout in [("", sink.url(f"/answer/{provider}"), 3000),
                                      ("-busy", sink.url(f"/busy/{provider}"), 3000),
                                      ("-slow", sink.url(f"/slow/{provider}"), SLOW_TIMEOUT_MS),
                                      ("-down", down, 3000)]:
            name = provider + variant
            source = {"name": name, "format": fmt, "auth": auth(scheme),
                      "webhook_url": sink.url(f"/events/{name}"),
                      "incoming_call": {
                          "rules": [{"match": {"caller": {"prefix": RULE_CALLER}}, "action": "answer",
                                     "client_websocket_url": WS_RULE}],
                          "decision": {"url": url, "format": "callingbox", "secret": CALLINGBOX_SECRET,
                                       "timeout_ms": timeout},
                          "fallback": {"action": "reject", "reason": "busy"}}}
            if scheme == "twilio":
                source["public_url"] = public_url(name)
            sources.append(source)
    process = Gateway({"api_keys": [API_KEY], "org_default_secret": "whsec_provider_answers",
                       "delivery": {"allow_private_networks": True}, "sources": sources})
    try:
        yield process, sink
    finally:
        process.close()
        sink.close()


def ring(gateway: Gateway, provider: str, source: str, call: str, caller: str = CALLER,
         tamper: bool = False, method: str = "POST") -> tuple[int, dict[str, str], bytes, float]:
    scheme = PROVIDERS[provider][1]
    body, content_type = incoming_body(provider, call, caller)
    headers = signed_headers(scheme, source, body)
    if tamper:
        body = body.replace(b"15551234567", b"15551234568").replace(b"442079460000", b"442079460001")
    target = gateway.url(f"/v1/ingest/{source}")
    if method == "GET":
        query = urllib.parse.urlencode(list(json.loads(body).items()))
        request = urllib.request.Request(f"{target}?{query}", headers=headers, method="GET")
    else:
        request = urllib.request.Request(target, data=body, headers={**headers, "Content-Type": content_type})
    started = time.monotonic()
    status, reply_headers, reply = send(request)
    return status, reply_headers, reply, time.monotonic() - started


def element_tree(element: ET.Element) -> tuple:
    return element.tag, dict(element.attrib), (element.text or "").strip(), [element_tree(child) for child in element]


def twiml(connect_url: str | None = None, reason: str | None = None, parameters: dict | None = None) -> tuple:
    """What twilio's VoiceResponse renders for the same instructions, parsed."""
    from twilio.twiml.voice_response import Connect, VoiceResponse
    response = VoiceResponse()
    if connect_url:
        connect = Connect()
        stream = connect.stream(url=connect_url)
        for name, value in (parameters or {}).items():
            stream.parameter(name=name, value=value)
        response.append(connect)
    else:
        response.reject(reason=reason)
    return element_tree(ET.fromstring(str(response)))


def ncco_connect(url: str, parameters: dict | None = None) -> list:
    """The vonage-voice NCCO model of a websocket connect (its Connect insists on a from; the API does not)."""
    from vonage_voice.models.connect_endpoints import WebsocketEndpoint
    from vonage_voice.models.ncco import Connect
    endpoint = WebsocketEndpoint(uri=url, contentType="audio/l16;rate=16000", headers=parameters or None)
    action = Connect(endpoint=[endpoint], randomFromNumber=True)
    dumped = action.model_dump(by_alias=True, exclude_none=True, mode="json")
    dumped.pop("randomFromNumber")
    return [dumped]


def expect_answer(provider: str, status: int, headers: dict[str, str], body: bytes, url: str | None,
                  reason: str | None = None, parameters: dict | None = None):
    assert status == 200, body
    content_type = {k.lower(): v for k, v in headers.items()}["content-type"]
    if provider == "vonage":
        assert content_type == "application/json"
        ncco = json.loads(body)
        assert ncco == (ncco_connect(url, parameters) if url else [])
    else:
        assert content_type == "text/xml"
        assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        assert element_tree(ET.fromstring(body)) == twiml(url, reason, parameters)


def decisions(gateway: Gateway, source: str) -> list[dict]:
    status, _, body = send(urllib.request.Request(gateway.url(f"/v1/decisions?source={source}"),
                                                  headers={"Authorization": f"Bearer {API_KEY}"}))
    assert status == 200, body
    return json.loads(body)["data"]


def await_decision(gateway: Gateway, source: str, call_key: str) -> dict:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for decision in decisions(gateway, source):
            if decision.get("call_key") == call_key:
                return decision
        time.sleep(0.05)
    raise AssertionError(f"no decision for {call_key} in {decisions(gateway, source)}")


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_a_rule_answers_with_the_rules_websocket(gateway, provider):
    process, sink = gateway
    call = new_call(provider)
    status, headers, body, _ = ring(process, provider, provider, call, caller=RULE_CALLER)
    expect_answer(provider, status, headers, body, WS_RULE)
    decision = await_decision(process, provider, f"CON-{call}" if provider == "vonage" else call)
    assert decision["decided_by"] == "rule"


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_the_decision_endpoint_answers_and_the_status_callback_is_the_same_call(gateway, provider):
    process, sink = gateway
    call = new_call(provider)
    status, headers, body, _ = ring(process, provider, provider, call)
    expect_answer(provider, status, headers, body, WS_DECIDED, parameters=PARAMETERS)
    # The endpoint got a signed call.incoming, verified by the official SDK.
    asked = [(h, b) for h, b in sink.on(f"/answer/{provider}") if call in b.decode()]
    assert len(asked) == 1
    with Callingbox(api_key="sk_test_interop", base_url="http://127.0.0.1:9") as client:
        event = client.webhooks.construct_event(asked[0][1], asked[0][0]["CallingBox-Signature"], CALLINGBOX_SECRET)
    incoming = json.loads(asked[0][1])
    assert getattr(event, "type", incoming["type"]) == "call.incoming"
    call_id = incoming["data"]["call"]["id"]
    decision = await_decision(process, provider, f"CON-{call}" if provider == "vonage" else call)
    assert decision["decided_by"] == "endpoint" and decision["call_id"] == call_id
    # A later status callback of the same provider call is the same Switchboard call.
    body, content_type = status_body(provider, call)
    status, _, answer = send(urllib.request.Request(
        process.url(f"/v1/ingest/{provider}"), data=body,
        headers={**signed_headers(PROVIDERS[provider][1], provider, body), "Content-Type": content_type}))
    assert status == 202, answer
    deadline = time.monotonic() + 10
    mine: list[dict] = []
    while time.monotonic() < deadline:
        mine = [json.loads(b) for _, b in sink.on(f"/events/{provider}") if call in b.decode()]
        if {"call.incoming", "call.completed"} <= {event["type"] for event in mine}:
            break
        time.sleep(0.05)
    assert {"call.incoming", "call.completed"} <= {event["type"] for event in mine}
    assert {event["data"]["call"]["id"] for event in mine} == {call_id}


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_a_reject_with_a_reason(gateway, provider):
    process, _ = gateway
    status, headers, body, _ = ring(process, provider, f"{provider}-busy", new_call(provider))
    expect_answer(provider, status, headers, body, None, "busy")


@pytest.mark.parametrize("variant", ["slow", "down"])
@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_a_slow_or_unreachable_decision_endpoint_gets_the_fallback_within_the_deadline(gateway, provider, variant):
    process, _ = gateway
    call = new_call(provider)
    status, headers, body, elapsed = ring(process, provider, f"{provider}-{variant}", call)
    expect_answer(provider, status, headers, body, None, "busy")
    if variant == "slow":
        # timeout_ms plus the 50 ms margin, with room for a loaded machine; far below the endpoint's 1.9 s.
        assert elapsed < SLOW_TIMEOUT_MS / 1000 + 1.0
    decision = await_decision(process, f"{provider}-{variant}", f"CON-{call}" if provider == "vonage" else call)
    assert decision["decided_by"] == "fallback"
    if variant == "slow":
        assert "deadline" in decision["error"] or "timed out" in decision["error"]


@pytest.mark.parametrize("provider", list(PROVIDERS))
def test_a_bad_signature_is_refused_and_no_one_is_asked(gateway, provider):
    process, sink = gateway
    call = new_call(provider)
    status, _, body, _ = ring(process, provider, provider, call, tamper=True)
    assert status in (401, 403), body
    assert json.loads(body)["error"]["type"] == "unauthorized"
    time.sleep(0.2)
    assert not [b for _, b in sink.on(f"/answer/{provider}") if call in b.decode()]
    assert not [d for d in decisions(process, provider) if call in d.get("call_key", "")]


def test_vonage_answer_url_by_get_is_signed_over_the_query_as_json(gateway):
    """Vonage's default: GET with the fields in the query; payload_hash covers them as compact JSON in order."""
    process, _ = gateway
    call = new_call("vonage")
    status, headers, body, _ = ring(process, "vonage", "vonage", call, method="GET")
    expect_answer("vonage", status, headers, body, WS_DECIDED, parameters=PARAMETERS)
    status, _, body, _ = ring(process, "vonage", "vonage", new_call("vonage"), method="GET", tamper=True)
    assert status == 401, body


def test_a_twilio_get_is_refused_with_405(gateway):
    process, _ = gateway
    status, _, body = send(urllib.request.Request(process.url("/v1/ingest/twilio?CallSid=CA1&CallStatus=ringing")))
    assert status == 405, body
    assert json.loads(body)["error"]["message"] == "format twilio takes POST only: set the provider's URL to HTTP POST"
