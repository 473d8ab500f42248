"""Nothing internal leaks, secrets shown once (issue 13 §5), against the real binary over real sockets:
- a store failure shows on the anonymous /healthz as check names only (SQLite's error text used to be
  in it), its detail in the authenticated GET /v1/health;
- a receiver answering 200 with a 2 MiB body gets the delivery `delivered` at the first attempt (it used
  to fail as too large, and be retried until exhausted);
- neither management API shows a signing secret in a GET, a list or a PATCH answer."""

from __future__ import annotations

import json
import subprocess
import sys
import time

from gateway_process import Gateway, Sink, management, salpre_call_initiated, send
from test_store_lock import LOCK_HOLDER, post

TOKEN = "lock-token"  # test_store_lock's post() sends this one
API_KEY = "sk_leaks"


def api(gateway: Gateway, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
    status, text = management(gateway, API_KEY, method, path, body)
    return status, text.decode()


def salpre_gateway(source: dict | None = None, **config: object) -> Gateway:
    """A gateway with the API key and a Salpre source (`source` adds to it, e.g. a webhook_url)."""
    return Gateway({"api_keys": [API_KEY], **config,
                    "sources": [{"name": "salpre", "format": "salpre",
                                 "auth": {"scheme": "header-token", "header": "X-Salpre-Token", "value": TOKEN},
                                 **(source or {})}]})


def test_a_store_failure_shows_check_names_only_on_healthz():
    gateway = salpre_gateway(store={"busy_timeout_ms": 200})
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(gateway.store_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert post(gateway, 1)[0] == 503
        status, headers, body = send(gateway.url("/healthz"))
        detail_status, detail = api(gateway, "GET", "/v1/health")
        print(f"\n/healthz while another process holds the store's lock: {status} {body.decode()}")
        assert status == 503 and headers.get("Retry-After") == "1"
        assert json.loads(body) == {"status": "unavailable", "checks": {"store": "failing"}}
        for leak in (b"lock", b"SQLITE", b"sqlite", b"errno", str(gateway.store_path).encode()):
            assert leak not in body
        assert send(gateway.url("/v1/health"))[0] == 401
        assert detail_status == 503
        store = json.loads(detail)["checks"]["store"]
        assert store["status"] == "failing" and store["operation"] == "write" and "locked" in store["error"], store
    finally:
        holder.stdin.write("release\n")
        holder.stdin.flush()
        holder.wait(timeout=10)
        gateway.close()


def test_a_200_with_a_two_mebibyte_body_is_delivered_at_once():
    sink = Sink(answer=lambda path: (200, b"x" * (2 << 20)))
    gateway = salpre_gateway(delivery={"allow_private_networks": True, "retry_schedule_seconds": [0, 1, 1], "jitter": 0},
                             org_default_secret="whsec_leaks_org", source={"webhook_url": sink.url("/hook")})
    try:
        assert post(gateway, 7)[0] == 202
        deliveries: list[dict] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            status, text = api(gateway, "GET", "/v1/webhook_deliveries")
            deliveries = json.loads(text)["data"] if status == 200 else []
            if deliveries and all(d["status"] != "pending" for d in deliveries):
                break
            time.sleep(0.1)
        print(f"\n2 MiB 200 answer: {[(d['status'], d.get('attempt_count')) for d in deliveries]}, "
              f"{len(sink.on('/hook'))} request(s) received")
        assert deliveries and all(d["status"] == "delivered" for d in deliveries), deliveries
        assert len(sink.on("/hook")) == len(deliveries), "no retry"
    finally:
        gateway.close()
        sink.close()


def test_signing_secrets_only_in_create_and_rotate_answers():
    gateway = salpre_gateway(delivery={"allow_private_networks": True})
    try:
        for path, create, key, patch in [
            ("/v1/webhook_endpoints", {"url": "http://127.0.0.1:9/cb"}, "signing_secret", {"description": "CRM"}),
            ("/v1/webhooks", {"name": "CRM", "url": "http://127.0.0.1:9/oi", "events": ["call.ended"]}, "secret",
             {"name": "CRM 2"}),
        ]:
            status, text = api(gateway, "POST", path, create)
            assert status == 201, text
            created = json.loads(text)
            status, text = api(gateway, "POST", f"{path}/{created['id']}/rotate_secret", {})
            assert status == 200, text
            secrets = [created[key], json.loads(text)[key]]
            for method, target, body in [("GET", f"{path}/{created['id']}", None), ("GET", path, None),
                                         ("PATCH", f"{path}/{created['id']}", patch)]:
                status, text = api(gateway, method, target, body)
                assert status == 200, text
                assert not any(secret in text for secret in secrets) and f'"{key}"' not in text, f"{method} {target}: {text}"
    finally:
        gateway.close()
