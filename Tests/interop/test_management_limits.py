"""Issue 13 §4 with the official `callingbox` SDK against the real gateway: its calls still work under the
bounds (list_endpoints reads one page, which holds up to 100 endpoints: the default page), and each bound
reaches it as an APIError naming the field or the limit."""

from __future__ import annotations

import json
import urllib.request

import pytest
from callingbox import APIError

from gateway_process import salpre_gateway_with_sdk, send

API_KEY = "sk_limits"
TOKEN = "limits-token"


@pytest.fixture(scope="module")
def running():
    with salpre_gateway_with_sdk(API_KEY, TOKEN, {"allow_private_networks": True}, limits={"max_endpoints": 105}) as stack:
        yield stack


def test_list_endpoints_reads_every_endpoint_up_to_the_default_page_and_the_cap_is_an_api_error(running):
    gateway, sink, client = running
    created = [client.webhooks.create_endpoint(sink.url(f"/e{index}"), enabled_events=["call.busy"]).id for index in range(101)]
    listed = client.webhooks.list_endpoints()
    # The SDK reads one page and sends no limit: it sees the newest 100 (every endpoint a page can hold).
    assert [endpoint.id for endpoint in listed] == list(reversed(created))[:100]
    for index in range(4):
        client.webhooks.create_endpoint(sink.url(f"/more{index}"))
    with pytest.raises(APIError) as capped:
        client.webhooks.create_endpoint(sink.url("/one-too-many"))
    assert capped.value.status_code == 422 and "limits.max_endpoints" in capped.value.message
    client.webhooks.delete_endpoint(created[0])
    assert client.webhooks.create_endpoint(sink.url("/after-delete")).url == sink.url("/after-delete")


def test_field_bounds_reach_the_sdk_naming_the_field(running):
    gateway, sink, client = running
    with pytest.raises(APIError) as description:
        client.webhooks.create_endpoint(sink.url("/d"), description="d" * 1025)
    assert description.value.status_code == 422
    assert description.value.message == "description: must be at most 1024 characters, got 1025"
    with pytest.raises(APIError) as url:
        client.webhooks.create_endpoint(sink.url("/") + "u" * 2048)
    assert url.value.status_code == 422 and url.value.message.startswith("url: must be at most 2048 characters")
    with pytest.raises(APIError) as page:
        client.webhooks.list_deliveries(limit=101)
    assert page.value.status_code == 422 and page.value.message.startswith("limit:")


def test_a_body_over_64_kib_is_413_and_a_900000_character_call_id_422(running):
    gateway, sink, client = running
    request = urllib.request.Request(gateway.url("/v1/webhook_endpoints"), method="POST",
                                     data=json.dumps({"url": sink.url("/x"), "description": "x" * 70_000}).encode(),
                                     headers={"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/json"})
    status, _, reply = send(request)
    assert status == 413 and json.loads(reply)["error"]["type"] == "body_too_large"
    body = json.dumps({"event_type": "call_initiated", "timestamp_utc": 1760084505,
                       "payload": {"call_id": "7" * 900_000, "from": "+15550100", "to": "+15550199"}}).encode()
    status, _, reply = send(urllib.request.Request(gateway.url("/v1/ingest/salpre"), data=body, method="POST",
                                                   headers={"X-Salpre-Token": TOKEN}))
    error = json.loads(reply)["error"]
    assert status == 422 and "call.key must be at most 256 bytes, got 900000" in error["message"]
