"""Logs an operator can keep (issue 13 §6), against the real binary over real sockets: 10,000 junk
requests (a wrong token, an unknown source, a body that is not JSON, a wrong API key) sent within a few
seconds are each counted in /metrics by reason, and add at most 200 log lines: refused requests are
logged at most `log.rejected_per_second` (10) times per second per reason, the rest summed up in one
`log lines suppressed` line per reason and second. Before: one access line per request, and an
'ingest refused' line more for each wrong token (15,000 lines for 10,000 requests)."""

from __future__ import annotations

import json
import pathlib
import re
import socket
import threading
import time

from gateway_process import Gateway, send

TOKEN = "rejections-token"
TOTAL = 10_000
CONNECTIONS = 4


def request(method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}",
             *[f"{name}: {value}" for name, value in headers.items()]]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


JUNK = [
    ("unauthorized", request("POST", "/v1/ingest/salpre", {"X-Salpre-Token": "wrong"}, b"{}")),
    ("unknown_source", request("POST", "/v1/ingest/nosuch", {}, b"{}")),
    ("invalid_json", request("POST", "/v1/ingest/salpre", {"X-Salpre-Token": TOKEN}, b"not json")),
    ("unauthorized", request("GET", "/v1/webhook_endpoints", {"Authorization": "Bearer wrong"}, b"")),
]
EXPECTED_STATUS = {"unauthorized": 401, "unknown_source": 404, "invalid_json": 400}


def read_response(connection: socket.socket, buffer: bytearray) -> tuple[int, bool]:
    """Reads one complete response (Content-Length framed): its status, and whether the server closes the
    connection after it."""
    while True:
        end = buffer.find(b"\r\n\r\n")
        if end >= 0:
            head = bytes(buffer[:end]).decode("latin-1")
            length = int(re.search(r"(?im)^content-length:\s*(\d+)", head).group(1))
            if len(buffer) >= end + 4 + length:
                del buffer[:end + 4 + length]
                return int(head[9:12]), re.search(r"(?im)^connection:\s*close", head) is not None
        chunk = connection.recv(1 << 16)
        if not chunk:
            raise RuntimeError("connection closed before a response")
        buffer += chunk


def flood(port: int, indexes: range, results: list[tuple[str, int]]) -> None:
    """Sends each request on a keep-alive connection; a refusal decided from the headers closes its
    connection (the server never reads that body), so the next request opens another."""
    connection: socket.socket | None = None
    buffer = bytearray()
    try:
        for index in indexes:
            if connection is None:
                connection = socket.create_connection(("127.0.0.1", port), timeout=30)
                buffer = bytearray()
            reason, payload = JUNK[index % len(JUNK)]
            connection.sendall(payload)
            status, closes = read_response(connection, buffer)
            results.append((reason, status))
            if closes:
                connection.close()
                connection = None
    finally:
        if connection is not None:
            connection.close()


def in_parallel(target, port: int, total: int, *extra: object) -> float:
    """Runs `target(port, indexes, *extra)` on CONNECTIONS threads splitting range(total); the seconds taken."""
    started = time.monotonic()
    threads = [threading.Thread(target=target, args=(port, range(worker, total, CONNECTIONS), *extra))
               for worker in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def rejected_counts(gateway: Gateway, total: int) -> dict[str, int]:
    """switchboard_http_rejected_total by reason, from /metrics, once they add up to `total` (the server
    reports a request when it is done with its connection, just after the client has the answer) or after 5 s."""
    deadline = time.monotonic() + 5
    while True:
        status, _, body = send(gateway.url("/metrics"))
        assert status == 200
        counts = {match[0]: int(match[1]) for match in
                  re.findall(r'^switchboard_http_rejected_total\{reason="(\w+)"\} (\d+)$', body.decode(), re.M)
                  if int(match[1]) > 0}  # the server's own cut counters are listed at 0
        if sum(counts.values()) >= total or time.monotonic() > deadline:
            return counts
        time.sleep(0.05)


def log_lines(gateway: Gateway) -> list[dict]:
    text = (pathlib.Path(gateway._dir.name) / "stderr.log").read_text(errors="replace")
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_ten_thousand_junk_requests_are_counted_and_add_at_most_200_log_lines():
    gateway = Gateway({"api_keys": ["sk_rejections"],
                       "sources": [{"name": "salpre", "format": "salpre",
                                    "auth": {"scheme": "header-token", "header": "X-Salpre-Token", "value": TOKEN}}]})
    try:
        time.sleep(0.2)  # the start-up lines are written
        before = len(log_lines(gateway))
        results: list[tuple[str, int]] = []
        seconds = in_parallel(flood, gateway.port, TOTAL, results)
        assert len(results) == TOTAL
        assert all(status == EXPECTED_STATUS[reason] for reason, status in results)

        sent = {reason: sum(1 for r, _ in results if r == reason) for reason in EXPECTED_STATUS}
        counted = rejected_counts(gateway, TOTAL)
        # The last windows end a second after the last request; their 'suppressed' lines follow.
        time.sleep(1.5)
        lines = log_lines(gateway)[before:]
        suppressed = [line for line in lines if line.get("msg") == "log lines suppressed"]
        print(f"\n{TOTAL} junk requests in {seconds:.1f} s: {len(lines)} log lines added "
              f"({len(suppressed)} 'log lines suppressed'); /metrics: {counted}")
        assert counted == sent, f"/metrics counted {counted}, sent {sent}"
        assert len(lines) <= 200, f"{len(lines)} log lines for {TOTAL} junk requests"
        # Every line the requests would have made is written or counted as suppressed.
        would_have = len(results) + sent["unauthorized"] // 2
        written = sum(1 for line in lines
                      if line.get("msg") == "ingest refused" or (line.get("msg") == "request" and "reason" in line))
        assert written + sum(line["count"] for line in suppressed) == would_have
    finally:
        gateway.close()


MALFORMED = [
    ("malformed_request", b"GET / HTTP/1.1\r\nBad Header\r\n\r\n"),  # libmicrohttpd answers 400 itself
    ("malformed_request", b"GET / HTTP/9.9\r\nHost: a\r\n\r\n"),  # 505
    ("no_answer", b"POST /v1/ingest/salpre HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nabc"),  # abandoned body
    ("incomplete", b"GET /healthz HTTP/1.1\r\nHost: a\r\n"),  # headers never finished
]


def send_malformed(port: int, indexes: range) -> None:
    for index in indexes:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(MALFORMED[index % len(MALFORMED)][1])
            connection.shutdown(socket.SHUT_WR)
            while connection.recv(1 << 16):
                pass


def test_malformed_and_abandoned_requests_are_throttled_too():
    """Requests libmicrohttpd refuses itself (its own 400/505 pages) or that the client abandons make
    'http server' diagnostics and answerless 'request' lines: throttled the same way, the refusals counted."""
    total = 4_000
    gateway = Gateway({"sources": [{"name": "salpre", "format": "salpre",
                                    "auth": {"scheme": "header-token", "header": "X-Salpre-Token", "value": TOKEN}}]})
    try:
        time.sleep(0.2)
        before = len(log_lines(gateway))
        seconds = in_parallel(send_malformed, gateway.port, total)
        counted = rejected_counts(gateway, total // 2)
        time.sleep(1.5)
        lines = log_lines(gateway)[before:]
        print(f"\n{total} malformed or abandoned requests in {seconds:.1f} s: {len(lines)} log lines added; /metrics: {counted}")
        assert counted.get("malformed_request") == total // 2
        assert len(lines) <= 200, f"{len(lines)} log lines for {total} malformed requests"
    finally:
        gateway.close()
