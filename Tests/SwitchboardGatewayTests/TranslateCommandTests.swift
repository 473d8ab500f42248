import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

@Suite("switchboard translate and check")
struct TranslateCommandTests {
    private func run(_ arguments: [String]) -> (Int32, CapturedOutput) {
        let captured = CapturedOutput()
        return (SwitchboardCLI.main(arguments, output: captured.output), captured)
    }

    @Test func badLinesAreReportedWithTheirNumberAndTheRestStillTranslates() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let input = [
            #"{"event_type":"call_initiated","timestamp_utc":1760084505,"payload":{"call_id":1,"from":"+1","to":"+2"}}"#,
            "this is not json",
            "",
            #"{"event_type":"call_ringing","timestamp_utc":"soon","payload":{"call_id":1}}"#,
            #"{"event_type":"call_answered","timestamp_utc":1760084576,"payload":{"call_id":1}}"#,
        ].joined(separator: "\n")
        try input.write(toFile: directory.file("in.jsonl"), atomically: true, encoding: .utf8)
        let (status, output) = run(["translate", "--from", "salpre", "--to", "callingbox",
                                    "--in", directory.file("in.jsonl"), "--out", directory.file("out.jsonl")])
        #expect(status == 1)
        #expect(output.err.contains("line 2: not valid JSON"))
        #expect(output.err.contains("line 4: call_ringing: event.time: @time: 'soon' is not a time"))
        let lines = try String(contentsOfFile: directory.file("out.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        // The answered event still knows the numbers from the initiated one (sessions span the input).
        #expect(lines.last?.contains(#""from_number":"+1""#) == true)
    }

    /// Two `translate` runs piped together (each with its default source): CallingBox → Salpre → CallingBox
    /// keeps CallingBox's call id, where it used to become a UUID derived from the Salpre hop's source.
    @Test func aCallingBoxCallKeepsItsIDThroughSalpreAndBack() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let callID = "a1b2c3d4-e5f6-7890-abcd-ef1234567890"
        try #"{"id":"9c1d9f9e-21a1-4f6d-8fce-bf4a4b8a9e3f","type":"call.completed","created":1713268800,"api_version":"2026-04","data":{"call":{"id":"\#(callID)","status":"completed","duration_seconds":34}}}"#
            .write(toFile: directory.file("cb.json"), atomically: true, encoding: .utf8)
        let (first, salpre) = run(["translate", "--from", "callingbox", "--to", "salpre", "--in", directory.file("cb.json"),
                                   "--out", directory.file("salpre.jsonl")])
        #expect(first == 0, "\(salpre.err)")
        let (second, back) = run(["translate", "--from", "salpre", "--to", "callingbox", "--in", directory.file("salpre.jsonl")])
        #expect(second == 0, "\(back.err)")
        #expect(back.out.contains(#""data":{"call":{"id":"\#(callID)""#), "\(back.out)")
    }

    @Test func aPrettyPrintedSingleDocumentIsOneBody() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try "{\n  \"event_type\": \"call_ringing\",\n  \"timestamp_utc\": 1,\n  \"payload\": {\"call_id\": 9}\n}\n"
            .write(toFile: directory.file("one.json"), atomically: true, encoding: .utf8)
        let (status, output) = run(["translate", "--from", "salpre", "--to", "callingbox", "--in", directory.file("one.json")])
        #expect(status == 0)
        #expect(output.out.split(separator: "\n").count == 1)
        #expect(output.out.contains(#""type":"call.ringing""#))
    }

    @Test func skippedKindsAreNotFailuresAndVerboseNamesThem() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try #"{"event_type":"transcript","timestamp_utc":1,"payload":{"call":{"id":1},"type":"ai","transcript":"hi"}}"#
            .write(toFile: directory.file("t.jsonl"), atomically: true, encoding: .utf8)
        let (status, output) = run(["translate", "--from", "salpre", "--to", "callingbox", "--in", directory.file("t.jsonl"), "--verbose"])
        #expect(status == 0)
        #expect(output.out.isEmpty)
        #expect(output.err.contains("line 1: skipped: CallingBox has no transcript events"))
    }

    @Test func usageErrorsAreStatus2() {
        #expect(run(["translate", "--to", "callingbox"]).0 == 2)
        #expect(run(["translate", "--from", "salpre", "--to", "nowhere"]).0 == 2)
        #expect(run(["translate", "--from", "salpre", "--to", "callingbox", "--unknown", "maybe"]).0 == 2)
        #expect(run(["translate", "--from", "salpre", "--to", "callingbox", "--mappings", "/nonexistent"]).0 == 2)
    }

    @Test func checkValidatesAndRunsTheGoldenCases() {
        let (status, output) = run(["check"])
        #expect(status == 0)
        // In the loader's (file-name) order: "telnyx-texml.json" comes before "telnyx.json".
        let loaded = ((try? MappingLoader.load(directory: "mappings")) ?? []).map(\.format)
        #expect(loaded.sorted() == shippedFormatNames())
        #expect(output.out.contains("mappings: \(loaded.joined(separator: ", ")) compile"))
        #expect(output.out.contains(" 0 failed") || output.out.hasSuffix("0 failed\n"))
    }
}
