"""Runs the built `switchboard sign` / `switchboard verify` for the interop tests."""

from __future__ import annotations

import os
import pathlib
import subprocess
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("SWITCHBOARD_BIN", ROOT / ".build" / "debug" / "switchboard"))

# A CallingBox-style secret (the whole string is the key), a Standard Webhooks secret
# (whsec_ + base64 of the key; the spec's example), and an Inkbox key with its whsec_ prefix.
CALLINGBOX_SECRET = "whsec_1234567890abcdef1234567890abcdef"
CALLINGBOX_NEXT_SECRET = "whsec_fedcba0987654321fedcba0987654321"
STANDARD_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
STANDARD_NEXT_SECRET = "whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="
INKBOX_SECRET = "whsec_inkbox_signing_key_1"
INKBOX_NEXT_SECRET = "whsec_inkbox_signing_key_2"

STALE = 600  # seconds in the past: outside every side's 300 s window


@dataclass
class Result:
    status: int
    stdout: str
    stderr: str

    @property
    def headers(self) -> dict[str, str]:
        """The printed `Name: value` lines, in order."""
        fields = {}
        for line in self.stdout.splitlines():
            name, _, value = line.partition(": ")
            fields[name] = value
        return fields


def _run(arguments: list[str], body: bytes) -> Result:
    # The body goes through standard input, byte for byte (the Swift tests cover --in FILE).
    completed = subprocess.run([str(BINARY), *arguments], input=body, capture_output=True, timeout=30)
    return Result(completed.returncode, completed.stdout.decode(), completed.stderr.decode())


def sign(scheme: str, secrets: list[str], body: bytes, *, timestamp: int | None = None,
         message_id: str | None = None) -> Result:
    arguments = ["sign", "--scheme", scheme]
    for secret in secrets:
        arguments += ["--secret", secret]
    if timestamp is not None:
        arguments += ["--timestamp", str(timestamp)]
    if message_id is not None:
        arguments += ["--id", message_id]
    return _run(arguments, body)


def signed_headers(scheme: str, secrets: list[str], body: bytes, **options) -> dict[str, str]:
    """The headers `switchboard sign` prints; fails the test when it does not exit 0."""
    result = sign(scheme, secrets, body, **options)
    assert result.status == 0, result.stderr
    assert result.stderr == ""
    return result.headers


def verify(scheme: str, secrets: list[str], body: bytes, headers: dict[str, str],
           *, tolerance: int | None = None) -> Result:
    arguments = ["verify", "--scheme", scheme]
    for secret in secrets:
        arguments += ["--secret", secret]
    for name, value in headers.items():
        arguments += ["--header", f"{name}: {value}"]
    if tolerance is not None:
        arguments += ["--tolerance", str(tolerance)]
    return _run(arguments, body)


def event_body(event_id: str = "evt_interop_1") -> bytes:
    """A CallingBox-shaped JSON body with non-ASCII text, CRLF-free but ending in a newline:
    every byte counts, so re-serialising or stripping would break the signature."""
    return (
        b'{"id":"' + event_id.encode() + b'","type":"call.completed","created":1763820000,'
        b'"api_version":"2026-04","data":{"call":{"id":"call_1","summary":"caf\xc3\xa9 \xe2\x98\x8e  ok"}}}\n'
    )


def tampered(body: bytes) -> bytes:
    return body.replace(b"call_1", b"call_2")
