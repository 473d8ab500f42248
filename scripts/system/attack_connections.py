"""Connection and body attacks against the release binary with the shipped defaults (issue 13 §1):
part of `make test-system`.

1. 1,100 idle connections from 127.0.0.2 (past the old 1,024 connection limit, and past select()'s
   FD_SETSIZE): Salpre ingest from 127.0.0.1 must still answer 202. Before: all ingest stopped.
   Then 200 slowloris connections from 127.0.0.3 (a header byte a second) must be cut at the 10 s
   header deadline.
2. 1,000 requests declaring a 1 MiB body, each sending 1 MB of it and stalling, from 20 loopback
   addresses (127.0.0.2-21, 50 each: under the 256 connections per address):
   a. unauthenticated (no signature header): refused from their headers, the body never read;
   b. with a well-formed, fresh but wrong CallingBox signature, which only the body can disprove: the
      in-flight body caps (256 MiB in all, 32 MiB per address) admit what fits and answer 503 to the rest.
   The gateway's RSS peak is printed, and its RSS 10 s after the clients close must be within 64 MB of
   where it started. Before: 34 MB -> 1.09 GB, still 231-428 MB 10 s after.
Exits non-zero when a promise is broken. Everything goes to 127.0.0.x; every loop is bounded.
"""

from __future__ import annotations

import os
import pathlib
import resource
import selectors
import socket
import statistics
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
os.environ.setdefault("SWITCHBOARD_BIN", str(ROOT / ".build" / "release" / "switchboard"))
sys.path.insert(0, str(ROOT / "Tests" / "interop"))
from gateway_process import Gateway, salpre_call_initiated  # noqa: E402

TOKEN = "attack-token"
SECRET = "whsec_attack_secret"
IDLE = 1_100
LORIS = 200
STALLED = 1_000
ADDRESSES = [f"127.0.0.{n}" for n in range(2, 22)]
DECLARED = 1 << 20          # 1 MiB declared
SENT = 1_000_000            # 1 MB sent, then the client stalls
MB = 1 << 20


def raise_descriptor_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def rss(pid: int) -> int:
    """Resident set size of `pid` in bytes."""
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class PeakRSS:
    """Samples a process's RSS every 20 ms until stopped; `peak` is the largest seen."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, rss(pid), threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss(self.pid))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def ingest(port: int, call_id: int) -> tuple[int, float]:
    """One Salpre event from 127.0.0.1 on a fresh connection: (status, seconds); status 0 when unanswered."""
    body = salpre_call_initiated(call_id)
    head = (f"POST /v1/ingest/salpre HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Salpre-Token: {TOKEN}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5, source_address=("127.0.0.1", 0)) as conn:
            conn.sendall(head + body)
            reply = conn.recv(4096)
        return int(reply.split(b" ")[1]), time.monotonic() - started
    except (OSError, IndexError, ValueError):
        return 0, time.monotonic() - started


def metric(port: int, name: str) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(b"GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    return " ".join(line for line in data.decode().splitlines() if line.startswith(name))


def counts(port: int, family: str) -> dict[str, int]:
    """A `/metrics` counter family by its one label's value."""
    found = {}
    for item in metric(port, family + "{").split(" " + family):
        label, _, value = item.partition('"} ')
        found[label.rpartition('"')[2]] = int(value or 0)
    return found


def rejected(port: int) -> dict[str, int]:
    """switchboard_http_rejected_total by reason."""
    return counts(port, "switchboard_http_rejected_total")


def refused_before_body(port: int) -> dict[str, int]:
    """switchboard_http_refused_before_body_total by stage (preflight, inflight_body_cap)."""
    return counts(port, "switchboard_http_refused_before_body_total")


def idle_flood(gateway: Gateway) -> list[str]:
    """Part 1. Returns the broken promises."""
    idle = []
    for _ in range(IDLE):
        conn = socket.socket()
        conn.bind(("127.0.0.2", 0))
        conn.settimeout(5)
        try:
            conn.connect(("127.0.0.1", gateway.port))
        except OSError:
            conn.close()
            continue
        idle.append(conn)
    time.sleep(0.5)
    results = [ingest(gateway.port, 9_000_000 + n) for n in range(20)]
    statuses = [status for status, _ in results]
    ok = statuses.count(202)
    p50 = statistics.median(seconds for _, seconds in results) * 1000
    print(f"idle flood: {len(idle)} idle connections from 127.0.0.2; ingest from 127.0.0.1: "
          f"{ok}/20 answered 202 (p50 {p50:.1f} ms); {metric(gateway.port, 'switchboard_http_rejected_total')}")
    for conn in idle:
        conn.close()
    return [] if ok == 20 else [f"ingest during the idle flood: {statuses}"]


def slowloris(gateway: Gateway) -> list[str]:
    """Part 1b: LORIS connections from 127.0.0.3 each send a request line, then one header byte a second
    (so libmicrohttpd's idle timeout never fires): all must be cut at the 10 s header deadline, and
    ingest from 127.0.0.1 goes on meanwhile. Returns the broken promises."""
    loris = []
    for _ in range(LORIS):
        conn = socket.create_connection(("127.0.0.1", gateway.port), timeout=5, source_address=("127.0.0.3", 0))
        conn.sendall(b"POST /v1/ingest/salpre HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        conn.setblocking(False)
        loris.append(conn)
    began = time.monotonic()
    open_ = set(range(LORIS))
    cut_after: list[float] = []
    served = 0
    while open_ and time.monotonic() - began < 20:
        for index in list(open_):
            try:
                loris[index].send(b"a")
            except OSError:  # reset or closed by the server
                open_.discard(index)
                cut_after.append(time.monotonic() - began)
        served += ingest(gateway.port, 9_200_000 + int((time.monotonic() - began) * 1000))[0] == 202
        time.sleep(1)
    for conn in loris:
        conn.close()
    if cut_after:
        print(f"slowloris: {LORIS} connections from 127.0.0.3 trickling a header byte a second: "
              f"{len(cut_after)} cut, after {min(cut_after):.1f}-{max(cut_after):.1f} s (header deadline 10 s); "
              f"{served} ingests from 127.0.0.1 answered 202 meanwhile")
    broken = []
    if open_:
        broken.append(f"slowloris: {len(open_)} of {LORIS} connections still open after 20 s")
    if cut_after and min(cut_after) < 9:
        broken.append(f"slowloris: a connection was cut after {min(cut_after):.1f} s, before its 10 s deadline")
    return broken


def stalled_bodies(port: int, headers: str) -> tuple[dict[str, int], list[socket.socket]]:
    """Opens STALLED requests from ADDRESSES, each declaring DECLARED bytes and sending SENT of them, all
    pumped at once. Returns the outcome counts and the sockets, left open (stalled) for the caller."""
    selector = selectors.DefaultSelector()
    head = (f"POST /v1/ingest/cb HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}"
            f"Content-Type: application/json\r\nContent-Length: {DECLARED}\r\n\r\n").encode()
    total = len(head) + SENT
    chunk = b"x" * 65536
    sockets = []
    for index in range(STALLED):
        conn = socket.socket()
        conn.bind((ADDRESSES[index % len(ADDRESSES)], 0))
        conn.setblocking(False)
        conn.connect_ex(("127.0.0.1", port))
        sockets.append(conn)
        selector.register(conn, selectors.EVENT_WRITE, [0])  # bytes sent so far, head included
    outcome = {"sent_1mb": 0, "refused": 0}
    deadline = time.monotonic() + 40
    while selector.get_map() and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.5):
            conn, state = key.fileobj, key.data
            sent = state[0]
            data = head[sent:] if sent < len(head) else chunk[:min(len(chunk), total - sent)]
            try:
                state[0] += conn.send(data)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:  # the server answered and closed: refused before the body was read
                outcome["refused"] += 1
                selector.unregister(conn)
                continue
            if state[0] >= total:
                outcome["sent_1mb"] += 1
                selector.unregister(conn)
    outcome["unfinished"] = len(selector.get_map())
    selector.close()
    return outcome, sockets


def body_attack(gateway: Gateway, label: str, headers: str, refused_as: str, minimum_refused: int) -> list[str]:
    """Part 2: one wave of stalled bodies; at least `minimum_refused` of them must be counted under the
    stage `refused_as` of switchboard_http_refused_before_body_total. Returns the broken promises."""
    time.sleep(1)
    before = refused_before_body(gateway.port).get(refused_as, 0)
    start = rss(gateway.process.pid)
    sampler = PeakRSS(gateway.process.pid)
    began = time.monotonic()
    outcome, sockets = stalled_bodies(gateway.port, headers)
    time.sleep(1)  # stalled: what was admitted is held
    during = rss(gateway.process.pid)
    inflight = metric(gateway.port, "switchboard_http_inflight_body_bytes")
    for conn in sockets:
        conn.close()
    time.sleep(10)
    after = rss(gateway.process.pid)
    peak = sampler.stop()
    refusals = refused_before_body(gateway.port).get(refused_as, 0) - before
    print(f"{label}: {STALLED} requests from {len(ADDRESSES)} addresses in {time.monotonic() - began - 11:.1f} s: "
          f"server: {refusals} refused ({refused_as}) before their body; clients: {outcome['sent_1mb']} wrote their "
          f"1 MB (into socket buffers at least), {outcome['refused']} were reset, {outcome['unfinished']} still "
          f"sending; {inflight} while stalled")
    print(f"{label}: RSS {start / MB:.0f} MB at start, {during / MB:.0f} MB while stalled, peak {peak / MB:.0f} MB, "
          f"{after / MB:.0f} MB 10 s after the clients closed")
    broken = []
    if refusals < minimum_refused:
        broken.append(f"{label}: {refusals} refused ({refused_as}), expected at least {minimum_refused}")
    if after - start > 64 * MB:
        broken.append(f"{label}: RSS {after / MB:.0f} MB 10 s after, more than 64 MB over the {start / MB:.0f} MB start")
    if peak - start > 256 * MB + 128 * MB:
        broken.append(f"{label}: RSS peak {peak / MB:.0f} MB is far past the 256 MiB in-flight cap")
    return broken


def main() -> int:
    raise_descriptor_limit()
    gateway = Gateway({"sources": [
        {"name": "salpre", "format": "salpre", "auth": {"scheme": "header-token", "header": "X-Salpre-Token", "value": TOKEN}},
        {"name": "cb", "format": "callingbox", "auth": {"scheme": "callingbox", "secret": SECRET}}]})
    broken: list[str] = []
    try:
        print(f"gateway RSS at start: {rss(gateway.process.pid) / MB:.0f} MB")
        broken += idle_flood(gateway)
        broken += slowloris(gateway)
        # Every one refused from its headers (missing signature header).
        broken += body_attack(gateway, "unauthenticated bodies", "", "preflight", STALLED)
        forged = f"CallingBox-Signature: t={int(time.time())},v1={'ab' * 32}\r\n"
        # 256 MiB admits 256 bodies of 1 MiB; the rest get 503.
        broken += body_attack(gateway, "forged-signature bodies", forged, "inflight_body_cap", STALLED - 256)
        print(metric(gateway.port, "switchboard_http_rejected_total"))
        if (status := ingest(gateway.port, 9_100_000)[0]) != 202:
            broken.append(f"ingest after the attacks answered {status}")
    finally:
        gateway.close()
    for problem in broken:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
