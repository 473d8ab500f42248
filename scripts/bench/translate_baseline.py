#!/usr/bin/env python3
"""translate_baseline.py: Salpre webhook bodies -> CallingBox-style bodies, in plain Python.

The baseline of `make bench-translate`: the mapping of `switchboard translate --from salpre
--to callingbox`, written the straightforward way with the standard library only.

Usage: translate_baseline.py IN OUT
IN holds JSON Lines, one Salpre body a line; OUT receives JSON Lines, one CallingBox body for each
call_initiated, call_ringing, call_answered, call_ended and error (transcript gives none; neither
does a call's second terminal event). Call sessions live across the whole input. A line that cannot
be translated is reported on stderr and skipped; the exit status is then 1.

Mapping (source name "salpre"):
- call key: str(payload.call_id), else str(payload.call.id);
  call id = uuid5(NAMESPACE_URL, "switchboard:call:salpre:" + key)
- event id = uuid5(NAMESPACE_URL, "switchboard:event:salpre:" + event_type + ":" + timestamp_utc
  + ":" + sha256 hex of the compact JSON of payload); envelope id = uuid5(NAMESPACE_URL,
  "switchboard:envelope:" + event id + ":callingbox:" + output type)
- every event (transcripts too) is merged into its call's session: first-seen time, from, to,
  direction, device (source) and the started/answered/ended times; an event's own values win,
  earlier events fill in what it lacks.
"""

import hashlib
import json
import sys
import uuid
from datetime import datetime, timezone

SOURCE = "salpre"
API_VERSION = "2026-04"

# Salpre event type -> (CallingBox type, call status); None: no output.
OUTPUTS = {
    "call_initiated": ("call.queued", "initiated"),
    "call_ringing": ("call.ringing", "ringing"),
    "call_answered": ("call.answered", "in_progress"),
    "call_ended": ("call.completed", "completed"),
    "error": ("call.failed", "failed"),
    "transcript": None,
}
TERMINAL_TYPES = {"call.completed", "call.failed"}


class TranslationError(Exception):
    pass


def compact_json(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def iso_time(seconds):
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def call_fields(payload):
    """(call key, from, to, direction, device) of a payload, flat or with a `call` object."""
    call = payload.get("call")
    if not isinstance(call, dict):
        call = {}
    call_id = payload["call_id"] if "call_id" in payload else call.get("id")
    if call_id is None:
        raise TranslationError("payload has neither call_id nor call.id")

    def field(name):
        return payload[name] if name in payload else call.get(name)

    return str(call_id), field("from"), field("to"), field("direction"), field("source")


class Session:
    """What the input has said so far about one call."""

    def __init__(self, created_at):
        self.created_at = created_at
        self.from_number = None
        self.to_number = None
        self.direction = None
        self.device = None
        self.started_at = None
        self.answered_at = None
        self.ended_at = None
        self.terminated = False

    def merge(self, from_number, to_number, direction, device):
        if from_number is not None:
            self.from_number = from_number
        if to_number is not None:
            self.to_number = to_number
        if direction is not None:
            self.direction = direction
        if device is not None:
            self.device = device


class Translator:
    def __init__(self):
        self.sessions = {}

    def translate(self, body):
        """The CallingBox body (a dict) for one Salpre body, or None when it gives no output."""
        if not isinstance(body, dict):
            raise TranslationError("body is not a JSON object")
        event_type = body.get("event_type")
        timestamp = body.get("timestamp_utc")
        payload = body.get("payload")
        if event_type not in OUTPUTS:
            raise TranslationError("unknown event_type %r" % (event_type,))
        if not isinstance(timestamp, int) or isinstance(timestamp, bool):
            raise TranslationError("timestamp_utc is not an integer")
        if not isinstance(payload, dict):
            raise TranslationError("payload is not an object")

        key, from_number, to_number, direction, device = call_fields(payload)
        session = self.sessions.get(key)
        if session is None:
            session = Session(timestamp)
            self.sessions[key] = session
        session.merge(from_number, to_number, direction, device)

        output = OUTPUTS[event_type]
        if output is None:
            return None
        output_type, status = output
        if output_type in TERMINAL_TYPES:
            if session.terminated:
                return None
            session.terminated = True

        duration = None
        error_message = None
        if event_type == "call_ringing":
            session.started_at = timestamp
        elif event_type == "call_answered":
            session.answered_at = timestamp
        elif event_type == "call_ended":
            session.ended_at = timestamp
            begin = session.started_at if session.started_at is not None else session.created_at
            duration = int(round(timestamp - begin))
        elif event_type == "error":
            error_message = payload.get("error_message")

        identity = "%s:%s:%s" % (event_type, timestamp, hashlib.sha256(compact_json(payload).encode("utf-8")).hexdigest())
        event_id = uuid.uuid5(uuid.NAMESPACE_URL, "switchboard:event:%s:%s" % (SOURCE, identity))
        envelope_id = uuid.uuid5(uuid.NAMESPACE_URL, "switchboard:envelope:%s:callingbox:%s" % (event_id, output_type))
        call_id = uuid.uuid5(uuid.NAMESPACE_URL, "switchboard:call:%s:%s" % (SOURCE, key))

        call = {
            "id": str(call_id),
            "to_number": session.to_number,
            "from_number": session.from_number,
            "status": status,
            "direction": session.direction,
            "prompt": None,
            "context": None,
            "returns": None,
            "language": None,
            "result": None,
            "result_status": None,
            "result_error": None,
            "created_at": iso_time(session.created_at),
            "started_at": iso_time(session.started_at),
            "answered_at": iso_time(session.answered_at),
            "ended_at": iso_time(session.ended_at),
            "duration_seconds": duration,
            "billed_duration_seconds": None,
            "billing_amount_milli_cents": None,
            "reservation_status": None,
            "webhook_url": None,
            "webhook_status": None,
            "webhook_error": None,
            "error_code": None,
            "error_message": error_message,
            "hangup_cause": None,
            "metadata": {"source": SOURCE, "vendor": SOURCE, "vendor_call_id": key, "device": session.device},
            "updated_at": iso_time(timestamp),
        }
        return {
            "id": str(envelope_id),
            "type": output_type,
            "created": timestamp,
            "api_version": API_VERSION,
            "data": {"call": call},
        }


def main(argv):
    if len(argv) != 3:
        print("usage: translate_baseline.py IN OUT", file=sys.stderr)
        return 2
    translator = Translator()
    failures = 0
    with open(argv[1], encoding="utf-8") as source, open(argv[2], "w", encoding="utf-8") as sink:
        for number, line in enumerate(source, 1):
            if not line.strip():
                continue
            try:
                result = translator.translate(json.loads(line))
            except (ValueError, TranslationError) as error:
                failures += 1
                print("translate_baseline: line %d: %s" % (number, error), file=sys.stderr)
                continue
            if result is not None:
                sink.write(compact_json(result))
                sink.write("\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
