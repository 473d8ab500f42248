"""Redelivery, held deliveries, recovery and cursor listing of `/v1/webhook_deliveries` and
`/v1/webhook_endpoints`, driven with the official CallingBox SDK (callingbox 0.1.0) against the real
`switchboard serve`: its `list_deliveries`/`list_endpoints`/`redeliver`, and its cursor pager
(`callingbox.types.pagination.iter_pages` over `page_from_response`) walked to the end over 1,000
deliveries in both directions."""

from __future__ import annotations

import json
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from callingbox import APIError, BadRequestError
from callingbox.types.pagination import iter_pages, page_from_response
from callingbox.types.webhook import WebhookDelivery

from gateway_process import Gateway, Sink, salpre_gateway_with_sdk, send
from test_callingbox_api import TOKEN, ingest, salpre, wait_until

API_KEY = "sk_test_recovery"


@pytest.fixture(scope="module")
def running():
    # /down answers 503 until the test flips it; everything else 200.
    state = {"down": True}
    sink = Sink(lambda path: (503, b"") if path == "/down" and state["down"] else (200, b""))
    with salpre_gateway_with_sdk(API_KEY, TOKEN, {"allow_private_networks": True, "retry_schedule_seconds": [0], "jitter": 0,
                                                  "secret_rotation_overlap_seconds": 0}, sink=sink) as (gateway, sink, client):
        yield gateway, sink, client, state


def test_redeliver_uses_the_current_url_and_secret_and_refuses_a_disabled_endpoint(running):
    gateway, sink, client, _ = running
    hooks = client.webhooks
    endpoint = hooks.create_endpoint(sink.url("/down"), enabled_events=["call.ringing"])
    assert ingest(gateway, salpre("call_ringing", 501, 1760084555)) == 202
    exhausted = wait_until(lambda: hooks.list_deliveries(endpoint_id=endpoint.id, status="exhausted"))
    assert len(exhausted) == 1
    delivery = exhausted[0]
    [(_, first_body)] = sink.on("/down")

    moved = hooks.update_endpoint(endpoint.id, url=sink.url("/moved"))
    rotated = hooks.rotate_secret(endpoint.id)
    replayed = hooks.redeliver(delivery.id)
    assert (replayed.id, replayed.status, replayed.url) == (delivery.id, "pending", moved.url)
    [(headers, body)] = sink.wait_for("/moved", 1)
    assert headers["CallingBox-Event-Id"] == delivery.id and body == first_body
    assert hooks.construct_event(body, headers["CallingBox-Signature"], rotated.signing_secret).id == delivery.id
    with pytest.raises(BadRequestError):
        hooks.construct_event(body, headers["CallingBox-Signature"], endpoint.signing_secret)
    assert wait_until(lambda: hooks.get_delivery(delivery.id).status == "delivered")

    hooks.update_endpoint(endpoint.id, status="disabled")
    with pytest.raises(APIError) as disabled:
        hooks.redeliver(delivery.id)
    assert disabled.value.status_code == 409 and "disabled" in disabled.value.message
    hooks.delete_endpoint(endpoint.id)
    with pytest.raises(APIError) as deleted:
        hooks.redeliver(delivery.id)
    assert deleted.value.status_code == 409 and "deleted" in deleted.value.message


def test_held_while_disabled_then_recovered_after_an_outage(running):
    gateway, sink, client, state = running
    hooks = client.webhooks
    endpoint = hooks.create_endpoint(sink.url("/down"), enabled_events=["call.ringing", "call.answered"])
    since = int(time.time()) - 5
    assert ingest(gateway, salpre("call_ringing", 601, 1760084555)) == 202
    assert wait_until(lambda: len(hooks.list_deliveries(endpoint_id=endpoint.id, status="exhausted")) == 1)
    hooks.update_endpoint(endpoint.id, status="disabled")
    assert ingest(gateway, salpre("call_answered", 601, 1760084576)) == 202
    held = hooks.list_deliveries(endpoint_id=endpoint.id, status="held")
    assert [d.event_type for d in held] == ["call.answered"]

    # Recover while disabled: the exhausted delivery is held with the later one; enabling releases both in order.
    status, _, body = send(urllib.request.Request(
        gateway.url(f"/v1/webhook_endpoints/{endpoint.id}/recover"), method="POST",
        data=json.dumps({"since": since}).encode(),
        headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"}))
    assert (status, json.loads(body)) == (202, {"redelivered": 1})
    assert len(hooks.list_deliveries(endpoint_id=endpoint.id, status="held")) == 2
    state["down"] = False
    hooks.update_endpoint(endpoint.id, status="enabled")
    delivered = wait_until(lambda: (d := hooks.list_deliveries(endpoint_id=endpoint.id, status="delivered")) and len(d) == 2 and d)
    assert delivered and {d.event_type for d in delivered} == {"call.ringing", "call.answered"}
    kinds = [headers["CallingBox-Event-Type"] for headers, _ in sink.on("/down")
             if headers["X-CallingBox-Call-Id"] == delivered[0].call_id]
    assert kinds == ["call.ringing", "call.ringing", "call.answered"]


def test_cursor_paging_over_a_thousand_deliveries(running):
    gateway, _, client, _ = running
    hooks = client.webhooks
    # Disabled: its deliveries are held, so the listing is not racing the deliverer.
    endpoint = hooks.create_endpoint("http://127.0.0.1:9/never", enabled_events=["call.ringing"])
    hooks.update_endpoint(endpoint.id, status="disabled")
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda call: ingest(gateway, salpre("call_ringing", 10_000 + call, 1760084555)), range(1000)))
    assert statuses == [202] * 1000

    def list_page(limit=None, starting_after=None, ending_before=None):
        params = {"endpoint_id": endpoint.id}
        for name, value in (("limit", limit), ("starting_after", starting_after), ("ending_before", ending_before)):
            if value is not None:
                params[name] = value
        return page_from_response(client._request("GET", "/v1/webhook_deliveries", params=params), WebhookDelivery.from_list)

    forward = list(iter_pages(list_page, limit=100))
    ids = [d.id for d in forward]
    assert len(ids) == 1000 and len(set(ids)) == 1000
    created = [d.created_at for d in forward]
    assert created == sorted(created, reverse=True)
    assert list_page(limit=7).has_more and not list_page(limit=7, starting_after=ids[-7]).has_more

    backward = [d.id for d in iter_pages(list_page, limit=33, ending_before=ids[-1])]
    assert backward == ids[:-1]

    # The SDK's own list method still reads the first page, with its filters; call_id takes the vendor's id.
    first = hooks.list_deliveries(endpoint_id=endpoint.id, status="held", limit=5)
    assert [d.id for d in first] == ids[:5]
    [one] = hooks.list_deliveries(endpoint_id=endpoint.id, call_id="10017")
    assert [d.id for d in hooks.list_deliveries(endpoint_id=endpoint.id, call_id=one.call_id)] == [one.id]
    assert endpoint.id in [e.id for e in hooks.list_endpoints()]
    with pytest.raises(APIError) as too_many:
        hooks.list_deliveries(limit=101)
    assert too_many.value.status_code == 422 and too_many.value.message.startswith("limit:")
