"""Writes COUNT signed Inkbox incoming_call requests for scripts/bench/incoming.lua: one line each,
`request_id TAB timestamp TAB sha256=<hex> TAB body`, signed as Inkbox signs (HMAC-SHA256 over
`{request_id}.{timestamp}.{body}`, keyed with the secret without its `whsec_` prefix).

Usage: sign_incoming.py SECRET COUNT FILE"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import time
import uuid


def main() -> None:
    secret, count, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    key = secret.removeprefix("whsec_").encode()
    timestamp = str(int(time.time()))
    with open(path, "w") as out:
        for _ in range(count):
            request_id = f"req_{uuid.uuid4().hex}"
            body = json.dumps({
                "id": str(uuid.uuid4()), "local_phone_number": "+14155550100", "remote_phone_number": "+14155550123",
                "direction": "inbound", "status": "initiated", "client_websocket_url": None,
                "created_at": "2026-04-16T12:00:00Z", "updated_at": "2026-04-16T12:00:00Z",
                "contacts": [{"id": "c7d8e9f0-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "name": "Ada Lovelace", "memories": []}],
                "agent_identities": [{"id": "a1b2c3d4-0000-4000-8000-000000000001", "agent_handle": "front-desk",
                                      "display_name": "Front Desk"}],
            }, separators=(",", ":"))
            message = f"{request_id}.{timestamp}.".encode() + body.encode()
            signature = hmac.new(key, message, hashlib.sha256).hexdigest()
            out.write(f"{request_id}\t{timestamp}\tsha256={signature}\t{body}\n")


if __name__ == "__main__":
    main()
