import Foundation
import Testing
@testable import SwitchboardCore

/// Retell and Vapi date their events in milliseconds since the epoch. The mapping language has no
/// milliseconds function; `mappings/retell.json` and `vapi.json` read them as `"{{path}}e-3"` (the digits with
/// an exponent, which `@time` parses as seconds). These tests pin that idiom and the guard the files put around it.
@Suite("Milliseconds idiom in mapping files")
struct MillisecondTimeIdiomTests {
    private let document: JSONValue = ["ms": 1_767_225_600_123, "whole": 1_767_225_600_000, "fraction": 1_737_157_773_126.5]

    private func eval(_ json: String) throws -> JSONValue {
        let expression = try ExpressionCompiler.compile(try JSONReader.parse(json), at: "test")
        return try ExpressionEvaluator.evaluate(expression, document: document)
    }

    @Test func digitsWithAnExponentAreSeconds() throws {
        #expect(try eval(#"{"@time": "{{$.whole}}e-3"}"#) == .integer(1_767_225_600))
        #expect(try eval(#"{"@iso8601": "{{$.ms}}e-3"}"#) == "2026-01-01T00:00:00.123Z")
        #expect(try eval(#"{"@unix": "{{$.fraction}}e-3"}"#) == .integer(1_737_157_773))
        #expect(try eval(#"{"@seconds_between": [0, "95500e-3"]}"#) == .integer(96))
    }

    @Test func anAbsentFieldIsGuardedNotATime() throws {
        #expect(throws: EvaluationError.self) { try eval(#"{"@time": "{{$.missing}}e-3"}"#) }
        #expect(try eval(#"{"@time_or_null": "{{$.missing}}e-3"}"#) == .null)
        #expect(try eval(#"{"@if": [{"@exists": "$.missing"}, {"@time": "{{$.missing}}e-3"}, null]}"#) == .null)
    }

    /// The shipped Retell file dates PROVIDERS.md §4.4's signed `call_started` at its `start_timestamp`.
    @Test func theRetellVectorIsDatedAtItsStartTimestamp() throws {
        let file = try JSONReader.parse(try String(contentsOfFile: "mappings/retell.json", encoding: .utf8))
        let translator = Translator(mappings: [try FormatMapping.compile(file, name: "retell")])
        let body = #"{"event":"call_started","call":{"call_type":"phone_call","call_id":"Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6","agent_id":"oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD","agent_version":1,"call_status":"ongoing","from_number":"+12137771234","to_number":"+12137771235","direction":"inbound","start_timestamp":1767225600000}}"#
        guard case .event(let event) = try translator.decode(Array(body.utf8), format: "retell", source: "retell", receivedAt: 0) else {
            Issue.record("call_started did not decode to an event")
            return
        }
        #expect(event.occurredAt == 1_767_225_600)
        #expect(event.kind == .answered)
        #expect(event.call.answeredAt == 1_767_225_600)
    }
}
