"""The management API against the official CallingBox SDK (callingbox 0.1.0), unchanged:
`Callingbox(api_key=..., base_url=...)` drives `/v1/webhook_endpoints` and `/v1/webhook_deliveries` of the
real `switchboard serve`; deliveries come from Salpre events POSTed to `/v1/ingest/salpre`, reach a local
sink signed with the endpoint's secret, and verify with the SDK's `construct_event`."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from callingbox import APIError, AuthenticationError, Callingbox, NotFoundError

from gateway_process import Gateway, salpre_gateway_with_sdk

API_KEY = "sk_test_interop"
TOKEN = "interop-token"


def salpre(event_type: str, call: int, timestamp: int) -> bytes:
    return json.dumps({"event_type": event_type, "timestamp_utc": timestamp,
                       "payload": {"call_id": call, "from": "+905555555555", "to": "+905555555554", "direction": "outbound"},
                       "is_test": False}).encode()


@pytest.fixture(scope="module")
def running():
    with salpre_gateway_with_sdk(API_KEY, TOKEN, {"allow_private_networks": True, "retry_schedule_seconds": [0, 1, 1], "jitter": 0},
                                 org_default_secret="whsec_interop_org_default") as running:
        yield running


def ingest(gateway: Gateway, body: bytes) -> int:
    request = urllib.request.Request(gateway.url("/v1/ingest/salpre"), data=body, method="POST",
                                     headers={"X-Salpre-Token": TOKEN, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def wait_until(condition, seconds: float = 20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    return condition()


def test_endpoint_lifecycle(running):
    gateway, sink, client = running
    hooks = client.webhooks
    created = hooks.create_endpoint(sink.url("/lifecycle"), description="CRM",
                                    enabled_events=["call.completed", "call.failed"])
    assert created.signing_secret and created.signing_secret.startswith("whsec_")
    assert created.url == sink.url("/lifecycle")
    assert created.description == "CRM"
    assert created.enabled_events == ["call.completed", "call.failed"]
    assert (created.status, created.disabled_reason, created.disabled_at, created.consecutive_failures) == ("enabled", None, None, 0)
    assert created.org_id and created.created_at.endswith("Z")

    assert created.id in [endpoint.id for endpoint in hooks.list_endpoints()]
    fetched = hooks.get_endpoint(created.id)
    assert (fetched.id, fetched.org_id, fetched.signing_secret) == (created.id, created.org_id, None)

    # `description=None` is sent as an explicit null, which clears it; omitted fields stay.
    updated = hooks.update_endpoint(created.id, description=None, enabled_events=["*"])
    assert (updated.description, updated.enabled_events, updated.url) == (None, ["*"], created.url)
    disabled = hooks.update_endpoint(created.id, status="disabled")
    assert (disabled.status, disabled.disabled_reason) == ("disabled", "manual")
    assert disabled.disabled_at
    enabled = hooks.update_endpoint(created.id, status="enabled")
    assert (enabled.status, enabled.disabled_reason, enabled.consecutive_failures) == ("enabled", None, 0)

    rotated = hooks.rotate_secret(created.id)
    assert rotated.id == created.id
    assert rotated.signing_secret and rotated.signing_secret != created.signing_secret

    assert hooks.delete_endpoint(created.id) is None
    with pytest.raises(NotFoundError):
        hooks.get_endpoint(created.id)
    assert created.id not in [endpoint.id for endpoint in hooks.list_endpoints()]


def test_errors_map_to_the_sdk_exceptions(running):
    gateway, sink, client = running
    with Callingbox(api_key="sk_wrong", base_url=gateway.url("")) as intruder:
        with pytest.raises(AuthenticationError):
            intruder.webhooks.list_endpoints()
    with pytest.raises(APIError) as invalid:
        client.webhooks.create_endpoint("ftp://example.test/hook")
    assert invalid.value.status_code == 422
    assert invalid.value.message.startswith("url:")
    with pytest.raises(APIError) as unresolvable:
        client.webhooks.create_endpoint("https://nowhere.invalid/hook")
    assert unresolvable.value.status_code == 422 and "does not resolve" in unresolvable.value.message
    with pytest.raises(APIError) as unknown_event:
        client.webhooks.create_endpoint(sink.url("/never"), enabled_events=["call.started"])
    assert "enabled_events[0]" in unknown_event.value.message
    with pytest.raises(NotFoundError):
        client.webhooks.get_delivery("00000000-0000-4000-8000-000000000000")


def test_deliveries_listed_retrieved_and_redelivered(running):
    gateway, sink, client = running
    hooks = client.webhooks
    endpoint = hooks.create_endpoint(sink.url("/deliveries"), enabled_events=["call.ringing", "call.answered"])
    assert ingest(gateway, salpre("call_initiated", 77, 1760084505)) == 202  # call.queued: not subscribed
    assert ingest(gateway, salpre("call_ringing", 77, 1760084555)) == 202
    assert ingest(gateway, salpre("call_answered", 77, 1760084576)) == 202

    received = sink.wait_for("/deliveries", 2)
    assert len(received) == 2
    events = [hooks.construct_event(body, headers["CallingBox-Signature"], endpoint.signing_secret) for headers, body in received]
    assert [event.type for event in events] == ["call.ringing", "call.answered"]

    def both_delivered():
        listed = hooks.list_deliveries(endpoint_id=endpoint.id, status="delivered")
        return listed if len(listed) == 2 else None

    deliveries = wait_until(both_delivered)
    assert deliveries and len(deliveries) == 2
    assert {d.event_type for d in deliveries} == {"call.ringing", "call.answered"}
    assert {d.id for d in deliveries} == {event.id for event in events}
    delivery = deliveries[-1]
    assert (delivery.endpoint_id, delivery.url, delivery.attempt_count, delivery.last_response_status) == (
        endpoint.id, sink.url("/deliveries"), 1, 200)
    assert delivery.delivered_at and delivery.org_id == endpoint.org_id
    call_id = delivery.call_id
    assert len(hooks.list_deliveries(call_id=call_id)) == 2
    assert len(hooks.list_deliveries(endpoint_id=endpoint.id, limit=1)) == 1
    assert hooks.list_deliveries(endpoint_id=endpoint.id, status="exhausted") == []
    assert hooks.get_delivery(delivery.id) == delivery

    # Rotate, then replay: the same id again, signed with the new secret and, during the overlap, the old one.
    rotated = hooks.rotate_secret(endpoint.id)
    replayed = hooks.redeliver(delivery.id)
    assert (replayed.id, replayed.status, replayed.manual_retry_count) == (delivery.id, "pending", 1)
    again = sink.wait_for("/deliveries", 3)
    assert len(again) == 3
    headers, body = again[-1]
    assert headers["CallingBox-Event-Id"] == delivery.id
    for secret in (rotated.signing_secret, endpoint.signing_secret):
        assert hooks.construct_event(body, headers["CallingBox-Signature"], secret).id == delivery.id
    final = wait_until(lambda: (d := hooks.get_delivery(delivery.id)).status == "delivered" and d.attempt_count == 2 and d)
    assert final and final.manual_retry_count == 1
