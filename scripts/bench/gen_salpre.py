#!/usr/bin/env python3
"""gen_salpre.py: writes N Salpre "Custom Webhook" bodies as JSON Lines, deterministically.

Input for `make bench-translate`. The bodies have exactly the shapes of
/work/shared/vendors/salpre-custom-webhook.txt (envelope {event_type, timestamp_utc, payload, is_test},
key order as in the vendor's examples); is_test is false.

Calls arrive at random (about CALLS_PER_SECOND a second) from a fixed set of Salpre Box devices, so
several hundred calls are in progress at any moment and their events interleave in time. Each call
runs call_initiated -> call_ringing -> call_answered -> transcript x k -> call_ended; some calls fail
(error after answer, error before answer), some are never answered (call_ended straight after
ringing), and a few send call_ended after their error (a second terminal event). All events are
ordered by timestamp (ties by call, then by order within the call) and the first N are written: the
output is a window of traffic, so the calls started last are still in progress at its end.

Usage: gen_salpre.py [-n N] [--seed S] [-o FILE]   (default 200000 events, seed 1, stdout)
"""

import argparse
import json
import random
import sys

START_TIME = 1760084505  # 2025-10-10T08:21:45Z, the vendor example's first timestamp
CALLS_PER_SECOND = 5.0
FIRST_CALL_ID = 48213
DEVICE_COUNT = 64

CUSTOMER_LINES = [
    "Hello, how are you?",
    "Hi, I'm calling about my order.",
    "My order number is AB/2291.",
    "Can you tell me when it will be delivered?",
    "Merhaba, siparişimle ilgili arıyorum.",
    "Teşekkür ederim, iyi günler.",
    "I'd like to change my delivery address.",
    "It's 14 Rue de l'Église, Montréal.",
    "Yes, that's right.",
    "No, I said \"Tuesday\", not Thursday.",
    "Could you repeat that, please?",
    "Great, thanks a lot! 🙂",
    "Is there a fee for that?",
    "Okay… let me check my calendar.",
]
AI_LINES = [
    "Of course, I can help with that.",
    "Could you give me your order number, please?",
    "Thank you. Let me look that up for you.",
    "Your order is scheduled for delivery on Tuesday between 9:00 and 12:00.",
    "Elbette, sipariş numaranızı alabilir miyim?",
    "I've updated the address on your order.",
    "There is no fee for changing the address.",
    "Is there anything else I can help you with?",
    "You're welcome. Have a nice day!",
    "I'm sorry, I didn't catch that. Could you say it again?",
]
GREETINGS = [
    "Hello, thank you for calling. How can I help you today?",
    "Merhaba, size nasıl yardımcı olabilirim?",
    "Hi! This is the virtual assistant. What can I do for you?",
]
ERRORS_BEFORE_ANSWER = [
    "Connection failed: SIP 503 Service Unavailable",
    "Connection failed: SIP 486 Busy Here",
    "Destination number is not reachable",
    "Agent configuration is missing a voice",
]
ERRORS_AFTER_ANSWER = [
    "Media stream lost",
    "Speech recognition service timed out",
    "Agent LLM request failed: upstream error 502",
    "Call dropped by carrier",
]

# Numbering plans: (prefix, number of random digits after it), all E.164.
CUSTOMER_PLANS = [
    ("+905", 9),   # Turkey, mobile
    ("+90212", 7),  # Turkey, Istanbul landline
    ("+1", 10),    # North America
    ("+447", 9),   # United Kingdom, mobile
    ("+4915", 9),  # Germany, mobile
    ("+336", 8),   # France, mobile
]


def phone_number(rng, plans):
    prefix, digits = rng.choice(plans)
    if prefix == "+1":
        # NANP: area code and exchange do not start with 0 or 1.
        return "+1%d%02d%d%06d" % (rng.randint(2, 9), rng.randint(0, 99), rng.randint(2, 9),
                                    rng.randint(0, 999999))
    return prefix + "".join(str(rng.randint(0, 9)) for _ in range(digits))


def make_devices(rng):
    """Salpre Box devices: (source, own E.164 number)."""
    devices = []
    serials = set()
    while len(devices) < DEVICE_COUNT:
        serial = "SALPRE_%08X" % rng.getrandbits(32)
        if serial in serials:
            continue
        serials.add(serial)
        devices.append(("salprebox:" + serial, phone_number(rng, CUSTOMER_PLANS[:2])))
    return devices


def call_events(rng, call_id, start, devices):
    """One call's events, in order: a list of (timestamp, body)."""
    source, device_number = rng.choice(devices)
    customer = phone_number(rng, CUSTOMER_PLANS)
    direction = "outbound" if rng.random() < 0.55 else "inbound"
    if direction == "outbound":
        caller, callee = device_number, customer
    else:
        caller, callee = customer, device_number

    def body(event_type, t, payload):
        return (t, {"event_type": event_type, "timestamp_utc": t, "payload": payload, "is_test": False})

    # Flat payloads, each with the key order of the vendor's example for that event.
    def initiated_payload():
        return {"call_id": call_id, "from": caller, "to": callee, "direction": direction, "source": source}

    def progress_payload():
        return {"from": caller, "to": callee, "source": source, "direction": direction, "call_id": call_id}

    def call_object():
        return {"id": call_id, "from": caller, "to": callee, "source": source, "direction": direction}

    def ended(t, transcript):
        payload = {"from": caller, "to": callee, "direction": direction, "source": source,
                   "call_id": call_id, "transcript": transcript}
        return body("call_ended", t, payload)

    def error(t, message):
        return body("error", t, {"call": call_object(), "error_message": message})

    events = [body("call_initiated", start, initiated_payload())]
    t = start
    outcome = rng.random()
    if outcome < 0.03:  # fails before ringing
        t += rng.randint(0, 3)
        events.append(error(t, rng.choice(ERRORS_BEFORE_ANSWER)))
        return events
    t += rng.randint(1, 4)
    events.append(body("call_ringing", t, progress_payload()))
    if outcome < 0.08:  # fails while ringing
        t += rng.randint(1, 20)
        events.append(error(t, rng.choice(ERRORS_BEFORE_ANSWER)))
        return events
    if outcome < 0.20:  # never answered: rings out
        t += rng.randint(20, 45)
        events.append(ended(t, []))
        return events
    t += rng.randint(2, 20)
    events.append(body("call_answered", t, progress_payload()))

    greeting = {"type": "ai", "message": rng.choice(GREETINGS)}
    transcript = [greeting]
    for turn in range(rng.randint(2, 10)):
        t += rng.randint(2, 9)
        speaker = "customer" if turn % 2 == 0 else "ai"
        text = rng.choice(CUSTOMER_LINES if speaker == "customer" else AI_LINES)
        payload = {"call": call_object(), "type": speaker, "transcript": text, "timestamp_utc": str(t)}
        events.append(body("transcript", t, payload))
        transcript.append({"type": speaker, "message": text, "utc_timestamp": str(t)})

    t += rng.randint(1, 6)
    if outcome < 0.30:  # fails during the conversation
        events.append(error(t, rng.choice(ERRORS_AFTER_ANSWER)))
        if outcome < 0.23:  # ... and the hangup is reported too: a second terminal event
            events.append(ended(t + rng.randint(0, 2), transcript))
        return events
    events.append(ended(t, transcript))
    return events


def generate(count, seed):
    """The first `count` events of the traffic, ordered by time: a list of bodies."""
    rng = random.Random(seed)
    devices = make_devices(rng)
    keyed = []  # (timestamp, call index, index within the call, body)
    arrival = float(START_TIME)
    index = 0
    cutoff = None  # once `count` events exist: the timestamp of the count-th earliest one
    while True:
        arrival += rng.expovariate(CALLS_PER_SECOND)
        start = int(arrival)
        if cutoff is None and len(keyed) >= count:
            keyed.sort(key=lambda item: item[:3])
            cutoff = keyed[count - 1][0] if count else START_TIME - 1
        # Calls start in time order and their events come at or after their start: a call that
        # starts after the cutoff cannot enter the window, nor can any later one.
        if cutoff is not None and start > cutoff:
            break
        for position, (t, event) in enumerate(call_events(rng, FIRST_CALL_ID + index, start, devices)):
            keyed.append((t, index, position, event))
        index += 1
    keyed.sort(key=lambda item: item[:3])
    return [event for _, _, _, event in keyed[:count]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--events", type=int, default=200000, help="number of events (default 200000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("-o", "--out", help="output file (default stdout)")
    args = parser.parse_args()
    if args.events < 0:
        parser.error("--events must not be negative")

    events = generate(args.events, args.seed)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    try:
        for event in events:
            out.write(json.dumps(event, separators=(",", ":"), ensure_ascii=False))
            out.write("\n")
    finally:
        if args.out:
            out.close()


if __name__ == "__main__":
    main()
