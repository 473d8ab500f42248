import Foundation
import SwitchboardCore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Form-encoded formats (`"body": "form"`, Twilio): the mapping layer decodes the fields, `translate`
/// reads one urlencoded body per line, and `@time` reads Twilio's RFC 2822 timestamps.
@Suite("Form-encoded bodies")
struct FormBodyTranslateTests {
    private func run(_ arguments: [String]) -> (Int32, CapturedOutput) {
        let captured = CapturedOutput()
        return (SwitchboardCLI.main(arguments, output: captured.output), captured)
    }

    @Test func translateReadsOneUrlencodedBodyPerLine() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let lines = [
            String(decoding: ProviderIngestTests.statusCallback("ringing", sequence: 1), as: UTF8.self),
            "",
            String(decoding: ProviderIngestTests.statusCallback("no-answer", sequence: 2), as: UTF8.self) + "\r",
        ]
        try lines.joined(separator: "\n").write(toFile: directory.file("in.txt"), atomically: true, encoding: .utf8)
        let (status, output) = run(["translate", "--from", "twilio", "--to", "callingbox", "--in", directory.file("in.txt")])
        #expect(status == 0, "\(output.err)")
        let bodies = output.out.split(separator: "\n").compactMap { try? JSONReader.parse(Array($0.utf8)) }
        #expect(bodies.map { $0["type"]?.stringValue } == ["call.ringing", "call.no_answer"])
        // The CR that ended the second line is not part of its last field.
        #expect(bodies.last?["data"]?["call"]?["duration_seconds"] == .integer(12))
    }

    @Test func formFieldsBecomeAnObjectOfStringsAndConflictingRepeatsAreRefused() throws {
        let object = try BodyEncoding.formObject(Array("B=%2B1+2&A=x&B=%2B1+2&Empty=&Bare".utf8)[...])
        #expect(object.keys == ["B", "A", "Empty", "Bare"])
        #expect(object["B"] == JSONValue.string("+1 2"))
        #expect(object["Bare"] == JSONValue.string(""))
        #expect(throws: TranslationError.invalidForm("field A appears more than once with different values")) {
            try BodyEncoding.formObject(Array("A=1&A=2".utf8)[...])
        }
    }

    @Test func aMappingFileDeclaresItsBodyEncoding() throws {
        func compile(_ body: String) throws -> FormatMapping {
            let text = #"{"format": "f", \#(body) "event": {"type": "$.t", "identity": "$.i"}, "decode": {"x": {"kind": "call.ringing", "set": {"call.key": "$.k"}}}}"#
            return try FormatMapping.compile(try JSONReader.parse(Array(text.utf8)), name: "f")
        }
        #expect(try compile("").bodyEncoding == .json)
        #expect(try compile(#""body": "form","#).bodyEncoding == .form)
        #expect(throws: MappingCompileError.self) { try compile(#""body": "xml","#) }
    }

    @Test func rfc2822DatesAreTimes() {
        #expect(MailDate.parse("Mon, 16 Aug 2010 03:45:01 +0000") == 1_281_930_301)
        #expect(MailDate.parse("16 Aug 2010 05:45:01 +0200") == 1_281_930_301)
        #expect(MailDate.parse("Mon, 6 Aug 2010 03:45:01 GMT") == 1_281_066_301)
        #expect(MailDate.parse("Mon, 16 Aug 2010 03:45:01") == nil)
        #expect(MailDate.parse("Mon, 31 Feb 2010 03:45:01 +0000") == nil)
        #expect(MailDate.parse("Mon, 16 Aug 2010 03:45:01 EST") == nil)
    }
}
