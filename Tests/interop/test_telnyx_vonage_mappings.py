"""The Telnyx and Vonage golden cases' inputs against the providers' own SDKs, and the interop call files
against the golden cases (mappings/tests/telnyx-*.json, vonage-*.json; Tests/interop/provider_calls).

SDKs: telnyx 4.189.0's typed webhook models (`telnyx/types/call_*.py`, `transcription.py`: pydantic, so an
unknown enum value such as a made-up `hangup_cause` fails to validate); vonage-voice 1.5.1 `CallState`
(it has no event-webhook model, so the statuses and field sets are checked against it and PROVIDERS.md §3.2).
`switchboard check` proves the outputs; this proves the inputs are what the providers send.
"""

from __future__ import annotations

import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CASES = ROOT / "mappings" / "tests"
CALLS = ROOT / "Tests" / "interop" / "provider_calls"


def golden(provider: str) -> list[tuple[str, dict]]:
    """Every golden case whose input is `provider`'s format, by file name."""
    found = [(path.name, json.loads(path.read_text())) for path in sorted(CASES.glob(f"{provider}-*.json"))]
    return [(name, case) for name, case in found if case["from"] == provider]


def telnyx_models() -> dict[str, type]:
    from telnyx.types import (call_answered, call_bridged, call_hangup, call_initiated, call_machine_detection_ended,
                              call_recording_saved, call_recording_transcription_saved, transcription)
    return {
        "call.initiated": call_initiated.CallInitiated,
        "call.answered": call_answered.CallAnswered,
        "call.hangup": call_hangup.CallHangup,
        "call.recording.saved": call_recording_saved.CallRecordingSaved,
        "call.transcription": transcription.Transcription,
        "call.recording.transcription.saved": call_recording_transcription_saved.CallRecordingTranscriptionSaved,
        "call.bridged": call_bridged.CallBridged,
        "call.machine.detection.ended": call_machine_detection_ended.CallMachineDetectionEnded,
    }


def declared_payload_keys(model: type) -> set[str]:
    """The payload member names (wire names: `from`, not `from_`) a Telnyx event model declares."""
    payload = model.model_fields["payload"].annotation.__args__[0]  # Optional[Payload]
    return {field.alias or name for name, field in payload.model_fields.items()}


def test_every_telnyx_golden_input_is_the_sdk_event_type_it_names() -> None:
    models = telnyx_models()
    seen = set()
    for name, case in golden("telnyx"):
        for body in case["input"]:
            assert set(body) == {"data"}, name
            data = body["data"]
            model = models[data["event_type"]]
            event = model.model_validate(data)
            assert event.record_type == "event" and event.id and event.occurred_at, name
            undeclared = set(data["payload"]) - declared_payload_keys(model)
            assert not undeclared, f"{name}: {data['event_type']} has no {sorted(undeclared)} in the SDK"
            seen.add(data["event_type"])
    assert seen == set(models), "a decoded Telnyx event type has no golden case"


def test_an_invented_hangup_cause_is_not_a_telnyx_event() -> None:
    """The check above has teeth: the SDK's hangup model refuses a cause it does not list."""
    from pydantic import ValidationError
    with pytest.raises(ValidationError):
        telnyx_models()["call.hangup"].model_validate({"event_type": "call.hangup", "payload": {"hangup_cause": "user_busyy"}})


def test_every_vonage_golden_input_has_a_documented_status_or_shape() -> None:
    from vonage_voice.models.enums import CallState
    statuses = {state.value for state in CallState} | {"human", "disconnected"}  # the docs add these two
    seen = set()
    for name, case in golden("vonage"):
        for body in case["input"]:
            if "status" not in body and "timestamp" not in body and {"to", "from", "uuid", "conversation_uuid"} <= body.keys():
                # The answer URL's request (PROVIDERS.md §3.1, vonage-voice's AnswerWebhook): undated.
                from vonage_voice.models.webhooks import AnswerWebhook
                AnswerWebhook(**body)
                seen.add("answer")
                continue
            assert body.get("timestamp"), name
            if "status" in body:
                assert body["status"] in statuses, f"{name}: status {body['status']!r}"
                seen.add(body["status"])
            else:  # PROVIDERS.md §3.2: non-status events on the same URL
                shape = ("record" if "recording_url" in body else "transfer" if "conversation_uuid_to" in body
                         else "input" if "dtmf" in body else "error" if "reason" in body else None)
                assert shape, f"{name}: a Vonage event with neither a status nor a known shape: {body}"
                seen.add(shape)
    assert statuses | {"record", "transfer", "input", "error", "answer"} == seen, "a Vonage event kind has no golden case"


@pytest.mark.parametrize("provider", ["telnyx", "vonage"])
def test_the_interop_call_file_is_the_golden_call_sequence(provider: str) -> None:
    """Tests/interop/provider_calls/<provider>.json posts the golden sequence and expects its outputs."""
    call = json.loads((CALLS / f"{provider}.json").read_text())
    to_callingbox = json.loads((CASES / f"{provider}-call-sequence-to-callingbox.json").read_text())
    to_oneinbox = json.loads((CASES / f"{provider}-call-sequence-to-oneinbox.json").read_text())
    assert (call["provider"], call["format"], call["scheme"], call["content_type"]) == (provider, provider, provider, "application/json")
    assert call["events"] == to_callingbox["input"] == to_oneinbox["input"]
    assert call["callingbox_types"] == [body["type"] for body in to_callingbox["expected"]]
    assert call["oneinbox_types"] == [body["event"] for body in to_oneinbox["expected"]]
