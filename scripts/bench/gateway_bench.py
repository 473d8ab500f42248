#!/usr/bin/env python3
"""gateway_bench.py: the Python parts of `make bench-gateway` (scripts/bench-gateway.sh).

  prepare    writes realistic Salpre events (gen_salpre.py's traffic) as templates, one a line:
             "<call id>\t<body before the call id>\t<body after it>". The senders (ingest.lua under
             wrk, `send` below) put a new call id into every body, so that every request is a NEW
             event (the gateway answers a repeat 200 without storing it): call id
             = (key * 1,000,000) + the template's call id, key = (round * 64 + thread) * 10,000 + lap.
  send       paced sender for the latency phase: asyncio, HTTP/1.1 keep-alive over N connections,
             open loop (request i is due at start + i / rate, whatever earlier answers took).
             Prints one line of key=value figures.
  deliveries reads the sink's records and prints how many arrived and their rate.
  latency    end-to-end latency per delivery: sink arrival - events.received_at, joining the sink's
             delivery ids to deliveries.id -> deliveries.event_id -> events.id in the gateway's
             SQLite file; prints p50/p95/p99.

Standard library only.
"""

import argparse
import asyncio
import json
import math
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_salpre  # noqa: E402  (beside this file)

SENTINEL = 987654321987654  # stands for the call id while a template is written
CALL_ID_SPACE = 1_000_000   # template call ids stay below this; the key multiplies it
THREAD_SLOTS = 64
LAP_SLOTS = 10_000


def call_id(template_id, round_number, thread, lap):
    key = (round_number * THREAD_SLOTS + thread) * LAP_SLOTS + lap
    return key * CALL_ID_SPACE + template_id


def prepare(args):
    events = gen_salpre.generate(args.events, args.seed)
    with open(args.out, "w", encoding="utf-8") as out:
        for event in events:
            payload = event["payload"]
            holder = payload["call"] if "call" in payload else payload
            field = "id" if "call" in payload else "call_id"
            original = holder[field]
            if not 0 <= original < CALL_ID_SPACE:
                sys.exit(f"prepare: call id {original} outside 0..{CALL_ID_SPACE - 1}")
            holder[field] = SENTINEL
            text = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
            parts = text.split(str(SENTINEL))
            if len(parts) != 2 or "\t" in text or "\n" in text:
                sys.exit(f"prepare: cannot make a template of {text[:80]}...")
            out.write(f"{original}\t{parts[0]}\t{parts[1]}\n")


def load_templates(path):
    templates = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            original, before, after = line.rstrip("\n").split("\t")
            templates.append((int(original), before.encode(), after.encode()))
    if not templates:
        sys.exit(f"no templates in {path}")
    return templates


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


async def send_async(args):
    templates = load_templates(args.events)
    total = int(args.rate * args.duration)
    head = (f"POST {args.path} HTTP/1.1\r\nHost: {args.host}:{args.port}\r\n"
            f"Content-Type: application/json\r\n{args.header}\r\n").encode()
    statuses = {}
    latencies = []  # ms from the request's due time to its answer (includes any lag in sending)
    lags = []       # ms the request was sent after its due time
    next_index = 0
    start = time.perf_counter() + 0.2

    async def worker():
        nonlocal next_index
        reader, writer = await asyncio.open_connection(args.host, args.port)
        try:
            while next_index < total:
                index = next_index
                next_index += 1
                due = start + index / args.rate
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                lap, position = divmod(index, len(templates))
                original, before, after = templates[position]
                body = before + str(call_id(original, args.round, 0, lap)).encode() + after
                sent = time.perf_counter()
                writer.write(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
                header = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in header.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if length:
                    await reader.readexactly(length)
                done = time.perf_counter()
                status = int(header.split(b" ", 2)[1])
                statuses[status] = statuses.get(status, 0) + 1
                latencies.append((done - due) * 1000)
                lags.append((sent - due) * 1000)
        finally:
            writer.close()

    began = time.time()
    await asyncio.gather(*(worker() for _ in range(args.connections)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    lags.sort()
    figures = {
        "sent": len(latencies), "seconds": f"{elapsed:.2f}", "rate": f"{len(latencies) / elapsed:.1f}",
        "accepted": statuses.get(202, 0), "non202": sum(n for s, n in statuses.items() if s != 202),
        "statuses": ",".join(f"{s}:{n}" for s, n in sorted(statuses.items())),
        "ingest_p50_ms": f"{percentile(latencies, 0.50):.2f}", "ingest_p99_ms": f"{percentile(latencies, 0.99):.2f}",
        "lag_p99_ms": f"{percentile(lags, 0.99):.2f}", "lag_max_ms": f"{(lags[-1] if lags else 0):.2f}",
        "began": f"{began:.6f}",
    }
    print(" ".join(f"{k}={v}" for k, v in figures.items()))


def send(args):
    asyncio.run(send_async(args))


def read_sink(path):
    """{delivery id: first arrival in seconds}, and the number of records."""
    first = {}
    count = 0
    with open(path, encoding="ascii") as lines:
        for line in lines:
            arrival, _, delivery = line.rstrip("\n").partition(" ")
            count += 1
            seconds = int(arrival) / 1e6
            if delivery not in first or seconds < first[delivery]:
                first[delivery] = seconds
    return first, count


def deliveries(args):
    first, count = read_sink(args.sink)
    times = sorted(t for t in first.values() if t >= args.since)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    rate = (len(times) - 1) / span if span > 0 else 0.0
    print(f"arrived={len(times)} records={count} seconds={span:.2f} rate={rate:.1f}")


def latency(args):
    first, _ = read_sink(args.sink)
    connection = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    rows = connection.execute(
        "SELECT d.id, e.received_at FROM deliveries d JOIN events e ON e.id = d.event_id "
        "WHERE e.received_at >= ?", (args.since,)).fetchall()
    connection.close()
    values = []
    missing = 0
    for delivery, received_at in rows:
        arrival = first.get(delivery)
        if arrival is None:
            missing += 1
        else:
            values.append((arrival - received_at) * 1000)
    values.sort()
    print(f"deliveries={len(rows)} arrived={len(values)} missing={missing} "
          f"p50_ms={percentile(values, 0.50):.2f} p95_ms={percentile(values, 0.95):.2f} "
          f"p99_ms={percentile(values, 0.99):.2f} max_ms={(values[-1] if values else float('nan')):.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("prepare", help="write event templates")
    p.add_argument("--events", type=int, default=20000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True)
    p.set_defaults(run=prepare)

    p = commands.add_parser("send", help="paced sender")
    p.add_argument("--events", required=True, help="templates written by prepare")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", default="/v1/ingest/salpre")
    p.add_argument("--header", required=True, help="'Name: value' authenticating the source")
    p.add_argument("--rate", type=float, default=1000.0, help="requests per second")
    p.add_argument("--duration", type=float, default=10.0, help="seconds")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--round", type=int, default=1000, help="key of the call ids (see prepare)")
    p.set_defaults(run=send)

    p = commands.add_parser("deliveries", help="arrivals at the sink and their rate")
    p.add_argument("--sink", required=True)
    p.add_argument("--since", type=float, default=0.0, help="only arrivals from this epoch time on")
    p.set_defaults(run=deliveries)

    p = commands.add_parser("latency", help="end-to-end latency of the deliveries of events received since T")
    p.add_argument("--sink", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--since", type=float, required=True, help="epoch seconds")
    p.set_defaults(run=latency)

    args = parser.parse_args()
    if args.command == "send" and (args.rate <= 0 or args.duration <= 0 or args.connections < 1):
        parser.error("--rate, --duration and --connections must be positive")
    args.run(args)


if __name__ == "__main__":
    main()
