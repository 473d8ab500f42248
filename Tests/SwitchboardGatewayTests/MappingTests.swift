import Foundation
import SwitchboardCore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// The shipped mapping files, compiled once.
private let shipped: [FormatMapping] = (try? MappingLoader.load(directory: "mappings")) ?? []

private let salpreRinging = #"{"event_type":"call_ringing","timestamp_utc":1760084555,"payload":{"from":"+905555555555","to":"+905555555554","source":"salprebox:SALPRE_AABBCCDD","direction":"outbound","call_id":1},"is_test":true}"#

@Suite("Mappings: shipped files and golden cases")
struct MappingGoldenTests {
    @Test func everyShippedMappingCompiles() throws {
        let formats = try MappingLoader.load(directory: "mappings").map(\.format)
        #expect(formats.sorted() == shippedFormatNames())  // the loader reads in file-name order: "telnyx-texml.json" < "telnyx.json"
        #expect(Set(["callingbox", "inkbox", "oneinbox", "salpre", "twilio"]).isSubset(of: formats))
    }

    @Test func everyGoldenCasePasses() {
        let results = GoldenCases.run(directory: "mappings/tests", mappings: shipped)
        #expect(results.count >= 20)
        for result in results { #expect(result.failure == nil, "\(result.name): \(result.failure ?? "")") }
    }

    @Test func translatingTwiceGivesTheSameBytes() throws {
        func once() throws -> [EncodeResult] {
            var translator = Translator(mappings: shipped)
            guard case .event(var event) = try translator.decode(Array(salpreRinging.utf8), format: "salpre", source: "salpre",
                                                                  receivedAt: Double.random(in: 0...1e9)) else { return [] }
            translator.correlate(&event)
            return try translator.encode(event, as: "callingbox", destination: "d")
        }
        let first = try once()
        #expect(first.count == 1)
        #expect(try once() == first)
    }

    @Test func everyEventOfOneCallCarriesTheSameCallUUIDAndTheVendorIDStaysVisible() throws {
        let text = try String(contentsOfFile: "mappings/tests/salpre-call-sequence-to-callingbox.json", encoding: .utf8)
        let inputs = try #require(try JSONReader.parse(text)["input"]?.arrayValue)
        let produced = try translate(inputs.map { JSONWriter.bytes($0) }, from: "salpre", to: "callingbox")
        #expect(produced.count == 4)
        #expect(Set(produced.compactMap { $0["data"]?["call"]?["id"]?.stringValue }).count == 1)
        #expect(produced.allSatisfy { $0["data"]?["call"]?["metadata"]?["vendor_call_id"] == .string("1") })
    }

    @Test func nothingNonTerminalFollowsTheTerminalEventAndTheStatusStaysTerminal() throws {
        let late = [
            #"{"event_type":"call_ended","timestamp_utc":100,"payload":{"call_id":5}}"#,
            #"{"event_type":"call_answered","timestamp_utc":90,"payload":{"call_id":5}}"#,
            #"{"event_type":"call_ringing","timestamp_utc":80,"payload":{"call_id":5}}"#,
            #"{"event_type":"error","timestamp_utc":110,"payload":{"call":{"id":5},"error_message":"late"}}"#,
        ].map { Array($0.utf8) }
        let callingbox = try translate(late, from: "salpre", to: "callingbox")
        #expect(callingbox.compactMap { $0["type"]?.stringValue } == ["call.completed"])
        let oneinbox = try translate(late, from: "salpre", to: "oneinbox")
        #expect(oneinbox.compactMap { $0["event"]?.stringValue } == ["call.ended"])
        var translator = Translator(mappings: shipped)
        for body in late {
            guard case .event(var event) = try translator.decode(body, format: "salpre", source: "s", receivedAt: 0) else { continue }
            translator.correlate(&event)
            #expect(event.call.status == "completed" || event.kind.isTerminal)
        }
    }

    @Test func oneBadTranscriptTimeDoesNotLoseTheCallEnded() throws {
        let body = #"{"event_type":"call_ended","timestamp_utc":100,"payload":{"call_id":6,"transcript":[{"type":"ai","message":"hi","utc_timestamp":"n/a"}]}}"#
        let produced = try translate([Array(body.utf8)], from: "salpre", to: "oneinbox")
        #expect(produced.first?["event"] == "call.ended")
        #expect(produced.last?["transcript"]?.arrayValue?.first?["created_at"] == .null)
    }

    /// Decode → correlate → encode every body, as `translate` does, returning the produced documents.
    private func translate(_ bodies: [[UInt8]], from: String, to: String) throws -> [JSONValue] {
        var translator = Translator(mappings: shipped)
        var produced: [JSONValue] = []
        for body in bodies {
            guard case .event(var event) = try translator.decode(body, format: from, source: from, receivedAt: 0) else { continue }
            translator.correlate(&event)
            for case .output(let output) in try translator.encode(event, as: to, destination: to) {
                produced.append(try JSONReader.parse(output.body))
            }
        }
        return produced
    }
}

@Suite("Mappings: bad input is a specific error")
struct MappingBadInputTests {
    private func decodeError(_ body: String, format: String = "salpre", unknownIsError: Bool = false) -> String? {
        let translator = Translator(mappings: shipped, unknownEventsAreErrors: unknownIsError)
        do {
            _ = try translator.decode(Array(body.utf8), format: format, source: "s", receivedAt: 0)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func notJSONNotAnObjectAndWrongFormat() {
        #expect(decodeError("not json")?.hasPrefix("not valid JSON") == true)
        #expect(decodeError("[1,2]") == "the body must be a JSON object, got array")
        #expect(decodeError(#"{"event_type":"x"}"#) == "not a salpre event")
        #expect(decodeError(#"{"a":1,"a":2}"#)?.contains("duplicate key 'a'") == true)
    }

    @Test func unknownEventTypesAreSkippedOrErrorsWhenConfigured() throws {
        let body = #"{"event_type":"call_teleported","timestamp_utc":1,"payload":{"call_id":1}}"#
        let translator = Translator(mappings: shipped)
        guard case .unknown(let type) = try translator.decode(Array(body.utf8), format: "salpre", source: "s", receivedAt: 0) else {
            Issue.record("expected unknown"); return
        }
        #expect(type == "call_teleported")
        #expect(decodeError(body, unknownIsError: true) == "unknown event type 'call_teleported'")
    }

    @Test func missingAndMistypedFieldsAreNamed() {
        #expect(decodeError(#"{"event_type":"call_ringing","timestamp_utc":1,"payload":{"from":"+1"}}"#)
                == "call_ringing: call.key is missing: the vendor's call id (looked at $.payload.call_id, $.payload.call.id)")
        #expect(decodeError(#"{"event_type":"call_ringing","payload":{"call_id":1}}"#)
                == "call_ringing: event.time is missing (looked at $.timestamp_utc)")
        #expect(decodeError(#"{"event_type":{"nested":true},"timestamp_utc":1,"payload":{"call_id":1}}"#)
                == "?: event.type must be text, got an object")
        #expect(decodeError(#"{"event_type":"call_ringing","timestamp_utc":"soon","payload":{"call_id":1}}"#)
                == "call_ringing: event.time: @time: 'soon' is not a time (Unix seconds, RFC 3339 or RFC 2822)")
        #expect(decodeError(#"{"event_type":"call_ended","timestamp_utc":1,"payload":{"call_id":1,"transcript":"all of it"}}"#)
                == "call_ended: transcript: @map over a string, not an array")
        #expect(decodeError(#"{"event_type":"call_ringing","timestamp_utc":1,"payload":{"call_id":{"x":1}}}"#)
                == "call_ringing: call.key must be text, got an object")
    }

    @Test func absurdTimestampsFailWithAReasonNotACrash() {
        #expect(decodeError(#"{"event_type":"call_ringing","timestamp_utc":1e300,"payload":{"call_id":1}}"#)
                == "call_ringing: event.time: @time: 1e+300 is out of range for a time (years 0000-9999)")
        #expect(decodeError(#"{"event_type":"call_ringing","timestamp_utc":-99999999999999,"payload":{"call_id":1}}"#)?
                    .contains("out of range") == true)
        #expect(decodeError(#"{"event_type":"call_ringing","timestamp_utc":"2025-13-01T00:00:00Z","payload":{"call_id":1}}"#)?
                    .contains("is not a time") == true)
    }

    @Test func bothSalpreShapesDecode() throws {
        let translator = Translator(mappings: shipped)
        let flat = #"{"event_type":"call_answered","timestamp_utc":5,"payload":{"call_id":7,"from":"+1","to":"+2"}}"#
        let nested = #"{"event_type":"error","timestamp_utc":6,"payload":{"call":{"id":7,"from":"+1","to":"+2"},"error_message":"x"}}"#
        var keys: [String] = []
        for body in [flat, nested] {
            guard case .event(let event) = try translator.decode(Array(body.utf8), format: "salpre", source: "s", receivedAt: 0) else {
                Issue.record("expected an event"); continue
            }
            #expect(event.call.from == "+1" && event.call.to == "+2")
            keys.append(event.call.id)
        }
        #expect(keys.count == 2 && keys[0] == keys[1])
    }
}

@Suite("Mappings: broken files are reported with file, rule and reason")
struct MappingCompileErrorTests {
    private func compileError(_ json: String, name: String = "demo") -> String? {
        do {
            _ = try FormatMapping.compile(try JSONReader.parse(json), name: name)
            return nil
        } catch {
            return "\(error)"
        }
    }

    private let minimal = #""format":"demo","event":{"type":"$.t","identity":"$.id"}"#

    @Test func errorsNameTheRule() {
        #expect(compileError(#"{\#(minimal),"decode":{"a":{"kind":"call.ringing","set":{"call.strated_at":1}}}}"#)
                == #"decode.a.set["call.strated_at"]: unknown canonical path (see mappings/README.md)"#)
        #expect(compileError(#"{\#(minimal),"decode":{"a":{"kind":"call.ringing","set":{"call.key":{"@tmie":"$.x"}}}}}"#)
                == #"decode.a.set["call.key"]: unknown function @tmie"#)
        #expect(compileError(#"{\#(minimal),"decode":{"a":{"kind":"call.rung"}}}"#)?.hasPrefix("decode.a.kind: must be a canonical kind") == true)
        #expect(compileError(#"{\#(minimal),"decode":{"a":{"kind":"call.ringing","set":{"call.key":"$x"}}}}"#)?
                    .hasPrefix(#"decode.a.set["call.key"]: '$x' is neither a path"#) == true)
        #expect(compileError(#"{\#(minimal),"decode":{"a":{"kind":"call.ringing","set":{"call.key":{"@coalesce":[]}}}}}"#)
                == #"decode.a.set["call.key"].@coalesce: @coalesce takes 1 to 64 argument(s), got 0"#)
        #expect(compileError(#"{\#(minimal),"decode":{"a":{"kind":"call.ringing"}},"encode":{"call.ringing":{"type":"x"}}}"#)
                == "encode.call.ringing.body: is required")
        #expect(compileError(#"{\#(minimal),"decode":{"a":{"kind":"call.ringing"}},"templates":{"x":{"@template":"x"}}}"#)?
                    .contains("refers to itself") == true)
        #expect(compileError(#"{\#(minimal),"decode":{"a":{"kind":"call.ringing"}}}"#, name: "other")
                == "format: 'demo' must match the file name 'other'")
        #expect(compileError(#"{\#(minimal),"decode":{"a":{"kind":"call.ringing"}},"extra":1}"#) == "extra: unknown key")
        #expect(compileError(#"{\#(minimal),"decode":{"a":{"kind":"call.ringing","set":{"call.key":{"@coalesce":["$.a"],"x":1}}}}}"#)?
                    .contains("'@coalesce' is a function but the object has other keys") == true)
    }

    @Test func theLoaderNamesTheFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try #"{"format":"bad","event":{"type":"$.t","identity":"$.id"},"decode":{"a":{"kind":"nope"}}}"#
            .write(toFile: directory.file("bad.json"), atomically: true, encoding: .utf8)
        #expect(throws: ConfigError.self) { try MappingLoader.load(directory: directory.path) }
        do { _ = try MappingLoader.load(directory: directory.path) } catch {
            #expect("\(error)".hasPrefix("\(directory.file("bad.json")): decode.a.kind: must be a canonical kind"))
        }
    }
}

/// The formats of the files in `mappings/` (one per `*.json`), sorted: what the loader must compile.
func shippedFormatNames() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: "mappings")) ?? [])
        .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
}
