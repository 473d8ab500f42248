"""The voice providers' signature schemes against the providers' own SDKs (PROVIDERS.md §1.5, §2.4,
§3.3, §4.3, §6.2): `switchboard sign` output passes each SDK's verifier, signatures made by (or exactly as)
each SDK pass `switchboard verify`, and tampered requests fail on both sides.

SDKs: twilio 9.13.0 `RequestValidator`; telnyx 4.189.0 `verify_webhook_signature` and
`client.webhooks.unwrap` (PyNaCl); vonage-jwt 1.1.5 `verify_signature` and vonage 4.9.1's
`Vonage(...).voice.verify_signature` (PyJWT makes the HS256 tokens, as vonage-jwt decodes them); retell-sdk 6.2.13
`webhook_auth.sign`/`verify` and `Retell.verify`; elevenlabs 2.78.0 `webhooks.construct_event`.
vapi-server-sdk is not used: it has no webhook signer or verifier (Vapi's default credential is a
plain secret header, compared in the Swift tests; its HMAC credential is checked against Python's `hmac`
module in test_vapi_hmac.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from urllib.parse import urlencode

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from switchboard_cli import STALE, Result, _run

# --- helpers --------------------------------------------------------------------------------------


def sign(scheme: str, body: bytes, *options: str) -> dict[str, str]:
    result = _run(["sign", "--scheme", scheme, *options], body)
    assert result.status == 0, result.stderr
    return result.headers


def verify(scheme: str, body: bytes, headers: dict[str, str], *options: str) -> Result:
    arguments = ["verify", "--scheme", scheme, *options]
    for name, value in headers.items():
        arguments += ["--header", f"{name}: {value}"]
    return _run(arguments, body)


def assert_ok(result: Result) -> None:
    assert (result.status, result.stdout, result.stderr) == (0, "ok\n", "")


def assert_refused(result: Result, reason: str) -> None:
    assert result.status == 1, result.stdout
    assert result.stderr.startswith(f"switchboard verify: {reason}"), result.stderr


# --- Twilio ---------------------------------------------------------------------------------------

from twilio.request_validator import RequestValidator  # noqa: E402

TWILIO_TOKEN = "a5d4c8f3e2b1a0f9e8d7c6b5a4f3e2d1"
TWILIO_URL = "https://hooks.example.com/v1/ingest/twilio?tenant=t1&x=a%20b"


class FormParams(dict):
    """Form fields with repeated names, as web frameworks hand them to RequestValidator (`getlist`)."""

    def __init__(self, pairs):
        super().__init__()
        for name, value in pairs:
            self.setdefault(name, []).append(value)

    def getlist(self, name):
        return self[name]


TWILIO_FIELDS = [
    ("CallSid", "CA11111111111111111111111111111111"), ("AccountSid", "AC00000000000000000000000000000000"),
    ("From", "+15005550006"), ("To", "+15551234567"), ("CallStatus", "no-answer"), ("CallerName", ""),
    ("Called", "+15551234567"), ("Caller", "+15005550006"), ("CallerCity", "São Paulo & co"),
    ("StatusCallbackEvent", "ringing"), ("StatusCallbackEvent", "answered"), ("Digits", "1 2+3"),
]


def twilio_form() -> tuple[bytes, FormParams]:
    return urlencode(TWILIO_FIELDS).encode(), FormParams(TWILIO_FIELDS)


def test_twilio_switchboard_signature_validates_with_request_validator():
    body, params = twilio_form()
    headers = sign("twilio", body, "--secret", TWILIO_TOKEN, "--url", TWILIO_URL)
    assert list(headers) == ["X-Twilio-Signature"]
    validator = RequestValidator(TWILIO_TOKEN)
    assert validator.validate(TWILIO_URL, params, headers["X-Twilio-Signature"])
    # The SDK also accepts it for the URL with the default port, as Switchboard does.
    with_port = TWILIO_URL.replace("hooks.example.com", "hooks.example.com:443")
    assert validator.validate(with_port, params, headers["X-Twilio-Signature"])
    assert_ok(verify("twilio", body, headers, "--secret", TWILIO_TOKEN, "--url", with_port))
    # Tampered: one field changed, or a different URL.
    tampered_params = FormParams([(n, "completed" if n == "CallStatus" else v) for n, v in TWILIO_FIELDS])
    assert not validator.validate(TWILIO_URL, tampered_params, headers["X-Twilio-Signature"])
    assert not RequestValidator("another-token").validate(TWILIO_URL, params, headers["X-Twilio-Signature"])


def test_twilio_request_validator_signatures_verify_with_switchboard():
    body, params = twilio_form()
    validator = RequestValidator(TWILIO_TOKEN)
    signature = validator.compute_signature(TWILIO_URL, params)
    headers = {"X-Twilio-Signature": signature}
    assert_ok(verify("twilio", body, headers, "--secret", TWILIO_TOKEN, "--url", TWILIO_URL))
    # The same fields in another order are the same signature (the fields are sorted).
    reordered = urlencode(list(reversed(TWILIO_FIELDS))).encode()
    assert_ok(verify("twilio", reordered, headers, "--secret", TWILIO_TOKEN, "--url", TWILIO_URL))
    tampered = body.replace(b"no-answer", b"completed")
    assert_refused(verify("twilio", tampered, headers, "--secret", TWILIO_TOKEN, "--url", TWILIO_URL),
                   f"signature mismatch: no X-Twilio-Signature over {TWILIO_URL} matches a configured auth token")
    assert_refused(verify("twilio", body, headers, "--secret", "another-token", "--url", TWILIO_URL),
                   "signature mismatch")
    # A wrong public URL (the one a proxy forwarded to) is named in the failure.
    internal = "http://127.0.0.1:8080/v1/ingest/twilio?tenant=t1&x=a%20b"
    assert_refused(verify("twilio", body, headers, "--secret", TWILIO_TOKEN, "--url", internal),
                   f"signature mismatch: no X-Twilio-Signature over {internal} matches")


def test_twilio_json_body_via_body_sha256_both_ways():
    body = b'{"CallSid":"CA1","CallStatus":"completed","note":"caf\xc3\xa9"}'
    url = "https://hooks.example.com/v1/ingest/twilio?bodySHA256=" + hashlib.sha256(body).hexdigest()
    validator = RequestValidator(TWILIO_TOKEN)
    headers = sign("twilio", body, "--secret", TWILIO_TOKEN, "--url", url)
    assert validator.validate(url, body.decode(), headers["X-Twilio-Signature"])
    sdk = {"X-Twilio-Signature": validator.compute_signature(url, {})}
    assert_ok(verify("twilio", body, sdk, "--secret", TWILIO_TOKEN, "--url", url))
    tampered = body.replace(b"completed", b"busy")
    assert not validator.validate(url, tampered.decode(), sdk["X-Twilio-Signature"])
    assert_refused(verify("twilio", tampered, sdk, "--secret", TWILIO_TOKEN, "--url", url),
                   f"signature mismatch: bodySHA256 in {url} is not the SHA-256 of the body")


def test_twilio_shared_key_hmac_sha256_variant():
    body, params = twilio_form()
    signature = RequestValidator("shared-key-secret").compute_signature(TWILIO_URL, params, "HMAC_SHA256")
    headers = {"X-Twilio-Signature": signature,
               "X-Twilio-Webhooks-Signature-Settings": "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256"}
    assert_ok(verify("twilio", body, headers, "--secret", "shared-key-secret", "--url", TWILIO_URL))
    assert_refused(verify("twilio", body, {"X-Twilio-Signature": signature}, "--secret", "shared-key-secret",
                          "--url", TWILIO_URL), "malformed header X-Twilio-Signature")


# --- Telnyx ---------------------------------------------------------------------------------------

from telnyx import Telnyx  # noqa: E402
from telnyx.lib.webhook_verification import WebhookVerificationError, verify_webhook_signature  # noqa: E402

TELNYX_BODY = (b'{"data":{"event_type":"call.hangup","id":"0ccc7b54-4df3-4bca-a65a-3da1ecc777f0",'
               b'"occurred_at":"2026-01-01T00:00:00.000000Z","payload":{"call_control_id":"v3:abc",'
               b'"call_session_id":"428c31b6-abf3-3bc1-b7f4-5013ef9657c1","hangup_cause":"user_busy",'
               b'"from":"+15551230001","to":"+15551230002","state":"hangup"},"record_type":"event"}}')


@pytest.fixture
def telnyx_keys() -> tuple[Ed25519PrivateKey, str, str]:
    """A fresh key pair: the private key, base64 of its 32-byte seed, base64 of the public key."""
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return key, base64.b64encode(seed).decode(), base64.b64encode(public).decode()


def test_telnyx_switchboard_signature_verifies_with_the_sdk(telnyx_keys):
    _, seed, public = telnyx_keys
    headers = sign("telnyx", TELNYX_BODY, "--private-key", seed)
    assert set(headers) == {"telnyx-timestamp", "telnyx-signature-ed25519"}
    verify_webhook_signature(TELNYX_BODY, headers, public)
    event = Telnyx(api_key="KEY_test", public_key=public).webhooks.unwrap(TELNYX_BODY.decode(), headers=headers)
    assert event.data.event_type == "call.hangup"
    with pytest.raises(WebhookVerificationError):
        verify_webhook_signature(TELNYX_BODY.replace(b"user_busy", b"normal_clearing"), headers, public)


def test_telnyx_sdk_style_signatures_verify_with_switchboard(telnyx_keys):
    key, _, public = telnyx_keys
    timestamp = str(int(time.time()))
    # What the SDK's verifier expects: base64 Ed25519 over "{timestamp}|{body}".
    signature = base64.b64encode(key.sign(timestamp.encode() + b"|" + TELNYX_BODY)).decode()
    headers = {"telnyx-timestamp": timestamp, "telnyx-signature-ed25519": signature}
    verify_webhook_signature(TELNYX_BODY, headers, public)  # the SDK agrees these are Telnyx's signatures
    assert_ok(verify("telnyx", TELNYX_BODY, headers, "--public-key", public))
    tampered = TELNYX_BODY.replace(b"user_busy", b"normal_clearing")
    assert_refused(verify("telnyx", tampered, headers, "--public-key", public), "signature mismatch")
    other = base64.b64encode(Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    assert_refused(verify("telnyx", TELNYX_BODY, headers, "--public-key", other.decode()), "signature mismatch")


def test_telnyx_stale_timestamp_fails_on_both_sides(telnyx_keys):
    _, seed, public = telnyx_keys
    stale = int(time.time()) - STALE
    headers = sign("telnyx", TELNYX_BODY, "--private-key", seed, "--timestamp", str(stale))
    with pytest.raises(WebhookVerificationError, match="too old or too new"):
        verify_webhook_signature(TELNYX_BODY, headers, public)
    assert_refused(verify("telnyx", TELNYX_BODY, headers, "--public-key", public), "stale timestamp")
    missing = {"telnyx-timestamp": headers["telnyx-timestamp"]}
    assert_refused(verify("telnyx", TELNYX_BODY, missing, "--public-key", public),
                   "missing header telnyx-signature-ed25519")


# --- Vonage ---------------------------------------------------------------------------------------

from vonage_jwt import verify_signature as vonage_verify_signature  # noqa: E402
from vonage import Auth, Vonage  # noqa: E402

VONAGE_SECRET = "vonage-signature-secret-0123456789abcdef"
VONAGE_BODY = (b'{"from":"447700900000","to":"447700900001","uuid":"aaaaaaaa-bbbb-cccc-dddd-0123456789ab",'
               b'"conversation_uuid":"CON-aaaaaaaa-bbbb-cccc-dddd-0123456789ab","status":"busy",'
               b'"direction":"outbound","timestamp":"2026-01-01T00:00:00.000Z"}')


def vonage_token(body: bytes, *, secret: str = VONAGE_SECRET, iat: int | None = None) -> str:
    """A signed-webhook token with Vonage's claims, HS256 as vonage-jwt verifies it (PyJWT)."""
    claims = {"iat": iat if iat is not None else int(time.time()), "jti": str(uuid.uuid4()), "iss": "Vonage",
              "payload_hash": hashlib.sha256(body).hexdigest(), "api_key": "abcd1234",
              "application_id": "aaaaaaaa-bbbb-cccc-dddd-0123456789ab"}
    return jwt.encode(claims, secret, algorithm="HS256")


def test_vonage_tokens_verify_with_switchboard_and_tampered_bodies_fail_payload_hash():
    token = vonage_token(VONAGE_BODY)
    assert vonage_verify_signature(token, VONAGE_SECRET)
    headers = {"Authorization": f"Bearer {token}"}
    assert_ok(verify("vonage", VONAGE_BODY, headers, "--secret", VONAGE_SECRET))
    tampered = VONAGE_BODY.replace(b"busy", b"answered")
    assert vonage_verify_signature(token, VONAGE_SECRET)  # the SDK checks the token only, not the body
    assert_refused(verify("vonage", tampered, headers, "--secret", VONAGE_SECRET),
                   "signature mismatch: the token's payload_hash is not the SHA-256 of the body")
    assert not vonage_verify_signature(token, "another-signature-secret-0123456789abcdef")
    assert_refused(verify("vonage", VONAGE_BODY, headers, "--secret", "another-signature-secret-0123456789abcdef"), "signature mismatch")
    stale = {"Authorization": "Bearer " + vonage_token(VONAGE_BODY, iat=int(time.time()) - STALE)}
    assert_refused(verify("vonage", VONAGE_BODY, stale, "--secret", VONAGE_SECRET), "stale timestamp")
    none = jwt.encode({"iat": int(time.time()), "payload_hash": hashlib.sha256(VONAGE_BODY).hexdigest()},
                      None, algorithm="none")
    assert_refused(verify("vonage", VONAGE_BODY, {"Authorization": f"Bearer {none}"}, "--secret", VONAGE_SECRET),
                   "malformed header Authorization")


def test_vonage_switchboard_tokens_pass_vonage_jwt():
    headers = sign("vonage", VONAGE_BODY, "--secret", VONAGE_SECRET)
    scheme, _, token = headers["Authorization"].partition(" ")
    assert scheme == "Bearer"
    assert vonage_verify_signature(token, VONAGE_SECRET)
    voice = Vonage(Auth(api_key="abcd1234", api_secret="Abcdef123456")).voice  # the full SDK's client
    assert voice.verify_signature(token, VONAGE_SECRET)
    assert not voice.verify_signature(token, "another-signature-secret-0123456789abcdef")
    assert not vonage_verify_signature(token, "another-signature-secret-0123456789abcdef")
    claims = jwt.decode(token, VONAGE_SECRET, algorithms=["HS256"])
    assert claims["payload_hash"] == hashlib.sha256(VONAGE_BODY).hexdigest()
    assert claims["iss"] == "Vonage" and abs(claims["iat"] - time.time()) < 60 and uuid.UUID(claims["jti"])


# --- Retell ---------------------------------------------------------------------------------------

from retell import Retell  # noqa: E402
from retell.lib import webhook_auth  # noqa: E402

RETELL_KEY = "key_0123456789abcdef0123456789ab"
RETELL_BODY = ('{"event":"call_ended","call":{"call_type":"phone_call","call_id":"Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6",'
               '"agent_id":"oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD","call_status":"ended","disconnection_reason":"dial_busy",'
               '"transcript":"Agent: Olá, ¿qué tal?","from_number":"+12137771234","to_number":"+12137771235"}}')


def test_retell_switchboard_signature_passes_the_sdk():
    body = RETELL_BODY.encode()
    headers = sign("retell", body, "--secret", RETELL_KEY)
    signature = headers["x-retell-signature"]
    assert webhook_auth.verify(RETELL_BODY, RETELL_KEY, signature)
    assert Retell(api_key=RETELL_KEY).verify(RETELL_BODY, RETELL_KEY, signature)
    assert not webhook_auth.verify(RETELL_BODY.replace("dial_busy", "user_hangup"), RETELL_KEY, signature)
    assert not webhook_auth.verify(RETELL_BODY, "key_other", signature)


def test_retell_sdk_signatures_pass_switchboard():
    body = RETELL_BODY.encode()
    signature = webhook_auth.symmetric["sign"](RETELL_BODY, RETELL_KEY)
    headers = {"x-retell-signature": signature}
    assert_ok(verify("retell", body, headers, "--secret", RETELL_KEY))
    assert_refused(verify("retell", body.replace(b"dial_busy", b"user_hangup"), headers, "--secret", RETELL_KEY),
                   "signature mismatch")
    stale = webhook_auth.symmetric["sign"](RETELL_BODY, RETELL_KEY, (int(time.time()) - STALE) * 1000)
    assert not webhook_auth.verify(RETELL_BODY, RETELL_KEY, stale)
    assert_refused(verify("retell", body, {"x-retell-signature": stale}, "--secret", RETELL_KEY), "stale timestamp")


# --- ElevenLabs -----------------------------------------------------------------------------------

from elevenlabs import ElevenLabs  # noqa: E402
from elevenlabs.core.api_error import ApiError  # noqa: E402

ELEVENLABS_SECRET = "wsec_testsecret0123456789abcdef"
ELEVENLABS_BODY = ('{"type":"post_call_transcription","event_timestamp":1767225600,"data":{"agent_id":"agent_01",'
                   '"conversation_id":"conv_01","status":"done","transcript":[{"role":"agent","message":"¡Hola!",'
                   '"time_in_call_secs":0}],"metadata":{"start_time_unix_secs":1767225500,"call_duration_secs":95}}}')


def construct_event(body: str, header: str, secret: str = ELEVENLABS_SECRET) -> dict:
    return ElevenLabs(api_key="test").webhooks.construct_event(rawBody=body, sig_header=header, secret=secret)


def elevenlabs_sdk_header(body: str, timestamp: int, secret: str = ELEVENLABS_SECRET) -> str:
    """The header as the SDK documents and checks it (PostCallWebhookConfig: t=<ts>,v0=hmac(secret, "{ts}.{body}");
    the SDK has no signing function)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v0={digest}"


def test_elevenlabs_switchboard_signature_passes_construct_event():
    headers = sign("elevenlabs", ELEVENLABS_BODY.encode(), "--secret", ELEVENLABS_SECRET)
    event = construct_event(ELEVENLABS_BODY, headers["ElevenLabs-Signature"])
    assert event["data"]["conversation_id"] == "conv_01"
    with pytest.raises(ApiError):
        construct_event(ELEVENLABS_BODY + " ", headers["ElevenLabs-Signature"])
    with pytest.raises(ApiError):
        construct_event(ELEVENLABS_BODY, headers["ElevenLabs-Signature"], secret="wsec_other_secret_0123")


def test_elevenlabs_sdk_signatures_pass_switchboard_within_thirty_minutes():
    body = ELEVENLABS_BODY.encode()
    now = int(time.time())
    fresh = {"ElevenLabs-Signature": elevenlabs_sdk_header(ELEVENLABS_BODY, now)}
    construct_event(ELEVENLABS_BODY, fresh["ElevenLabs-Signature"])  # the SDK accepts its own format
    assert_ok(verify("elevenlabs", body, fresh, "--secret", ELEVENLABS_SECRET))
    assert_refused(verify("elevenlabs", body + b" ", fresh, "--secret", ELEVENLABS_SECRET), "signature mismatch")
    # 20 minutes old: outside a 300 s window, inside the SDK's 30 minutes; Switchboard's default for elevenlabs agrees.
    older = {"ElevenLabs-Signature": elevenlabs_sdk_header(ELEVENLABS_BODY, now - 1200)}
    construct_event(ELEVENLABS_BODY, older["ElevenLabs-Signature"])
    assert_ok(verify("elevenlabs", body, older, "--secret", ELEVENLABS_SECRET))
    expired = {"ElevenLabs-Signature": elevenlabs_sdk_header(ELEVENLABS_BODY, now - 2400)}
    with pytest.raises(ApiError):
        construct_event(ELEVENLABS_BODY, expired["ElevenLabs-Signature"])
    assert_refused(verify("elevenlabs", body, expired, "--secret", ELEVENLABS_SECRET), "stale timestamp")
    spaced = {"ElevenLabs-Signature": fresh["ElevenLabs-Signature"].replace(",", ", ")}
    with pytest.raises(ApiError):
        construct_event(ELEVENLABS_BODY, spaced["ElevenLabs-Signature"])
    assert_refused(verify("elevenlabs", body, spaced, "--secret", ELEVENLABS_SECRET), "malformed header")


# --- PROVIDERS.md's vectors, through the SDKs and Switchboard ---------------------------------------

VECTOR_TIME = 1767225600  # every vector's signing time; the SDKs' clocks are pinned near it


def test_providers_md_vectors_pass_the_sdks_and_switchboard(monkeypatch):
    """Each test vector of PROVIDERS.md is accepted by its SDK (clock pinned as the document says) and by
    `switchboard verify` (--tolerance 0: the vectors are in the past)."""
    t2_url = "https://gw.example.com/twilio/voice"
    t2_fields = [("AccountSid", "AC00000000000000000000000000000000"), ("ApiVersion", "2010-04-01"),
                 ("CallSid", "CA11111111111111111111111111111111"), ("CallStatus", "ringing"),
                 ("Direction", "inbound"), ("From", "+15005550006"), ("To", "+15551234567"), ("CallerName", ""),
                 ("Called", "+15551234567"), ("Caller", "+15005550006")]
    t2_token = "a5d4c8f3e2b1a0f9e8d7c6b5a4f3e2d1"
    assert RequestValidator(t2_token).validate(t2_url, dict(t2_fields), "OJkaNGi1sxtotygY0qLjOT9L6MA=")
    assert_ok(verify("twilio", urlencode(t2_fields).encode(), {"X-Twilio-Signature": "OJkaNGi1sxtotygY0qLjOT9L6MA="},
                     "--secret", t2_token, "--url", t2_url))

    telnyx_body = (b'{"data":{"event_type":"call.initiated","id":"0ccc7b54-4df3-4bca-a65a-3da1ecc777f0","occurred_at":'
                   b'"2026-01-01T00:00:00.000000Z","payload":{"call_control_id":"v3:test-call-control-id","call_leg_id":'
                   b'"428c31b6-7af4-4bcb-b7f5-5013ef9657c1","call_session_id":"428c31b6-abf3-3bc1-b7f4-5013ef9657c1",'
                   b'"client_state":null,"connection_id":"1684641123236054244","direction":"incoming","from":'
                   b'"+15551230001","state":"parked","to":"+15551230002"},"record_type":"event"}}')
    telnyx_key = "LzJDOCyTYfLyYp5fLoW9alZwihRdN57bayxK5W+qowg="
    telnyx_headers = {"telnyx-timestamp": str(VECTOR_TIME), "telnyx-signature-ed25519":
                      "nIYATUV6oq56W2OZ/boh5pAhoh+WIjn0Pe/hA+wteMFGrcgBxwMsRN2C9cFJ7Prtf9nS6SD8OVtMS1pLninoDA=="}
    seed = base64.b64encode(hashlib.sha256(b"telnyx-test-vector-seed").digest()).decode()
    signed = sign("telnyx", telnyx_body, "--private-key", seed, "--timestamp", str(VECTOR_TIME))
    assert signed == telnyx_headers  # Ed25519 is deterministic: the same seed gives the vector's signature
    assert_ok(verify("telnyx", telnyx_body, telnyx_headers, "--public-key", telnyx_key, "--tolerance", "0"))

    retell_body = ('{"event":"call_started","call":{"call_type":"phone_call","call_id":"Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6",'
                   '"agent_id":"oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD","agent_version":1,"call_status":"ongoing","from_number":'
                   '"+12137771234","to_number":"+12137771235","direction":"inbound","start_timestamp":1767225600000}}')
    retell_signature = "v=1767225600000,d=8f298acdb2403fd65c3a30f17f6a96d700cc93678e820f37a21c7002b595fdfd"
    assert_ok(verify("retell", retell_body.encode(), {"x-retell-signature": retell_signature},
                     "--secret", RETELL_KEY, "--tolerance", "0"))

    eleven_body = ('{"type":"post_call_transcription","event_timestamp":1767225600,"data":{"agent_id":"agent_01testagent",'
                   '"conversation_id":"conv_01testconversation","status":"done","transcript":[{"role":"agent","message":'
                   '"Hello!","time_in_call_secs":0}],"metadata":{"start_time_unix_secs":1767225500,"call_duration_secs":95},'
                   '"analysis":{"call_successful":"success","transcript_summary":"Greeting only."}}}')
    eleven_header = "t=1767225600,v0=e542fa72a004b79b962cf7c6e50a8f2e921de83b2e9d5bdd232f8446561a5393"
    assert_ok(verify("elevenlabs", eleven_body.encode(), {"ElevenLabs-Signature": eleven_header},
                     "--secret", ELEVENLABS_SECRET, "--tolerance", "0"))

    vonage_token_text = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3NjcyMjU2MDAsImp0aSI6ImM1YmE4ZjI0LTFhMTQtNGMxMC1iZmRmLT"
                         "NmYmU4Y2U1MTFiNSIsImlzcyI6IlZvbmFnZSIsInBheWxvYWRfaGFzaCI6IjU2MzU1ODdhNWExNzAzZDBkZTVhMjI4N2MzOTk5NTMw"
                         "NGFlMzBmMWQ2ZDU3YWJiZTk4MjA1NzNlNWM4NTYxYzAiLCJhcGlfa2V5IjoiYWJjZDEyMzQiLCJhcHBsaWNhdGlvbl9pZCI6ImFhYW"
                         "FhYWFhLWJiYmItY2NjYy1kZGRkLTAxMjM0NTY3ODlhYiJ9.gQm1mQ4GL-EEaG9vz2e55LhisJaUCXHksEK24vB_8bA")
    vonage_body = (b'{"from":"447700900000","to":"447700900001","uuid":"aaaaaaaa-bbbb-cccc-dddd-0123456789ab",'
                   b'"conversation_uuid":"CON-aaaaaaaa-bbbb-cccc-dddd-0123456789ab","status":"answered",'
                   b'"direction":"inbound","timestamp":"2026-01-01T00:00:00.000Z"}')
    assert vonage_verify_signature(vonage_token_text, VONAGE_SECRET)
    assert_ok(verify("vonage", vonage_body, {"Authorization": f"Bearer {vonage_token_text}"},
                     "--secret", VONAGE_SECRET, "--tolerance", "0"))

    # The SDKs with a replay window, their clocks pinned as PROVIDERS.md says.
    monkeypatch.setattr(time, "time", lambda: VECTOR_TIME + 10)
    verify_webhook_signature(telnyx_body, telnyx_headers, telnyx_key)
    monkeypatch.setattr(time, "time", lambda: VECTOR_TIME + 30)
    assert webhook_auth.verify(retell_body, RETELL_KEY, retell_signature)
    monkeypatch.setattr(time, "time", lambda: VECTOR_TIME + 60)
    assert construct_event(eleven_body, eleven_header)["data"]["conversation_id"] == "conv_01testconversation"
