import Foundation
import SwitchboardCore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

@Suite("Logging")
struct LoggingTests {
    @Test func lineIsOneJSONObjectWithEscapedFields() throws {
        let line = Logger.line(level: .warn, message: "quote \" and\nnewline", fields: [
            "path": "/v1/\u{1}x", "status": 200, "ratio": .double(0.5), "ok": .bool(true),
        ], at: 1_760_084_505.25)
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["ts"] as? String == "2025-10-10T08:21:45.250Z")
        #expect(object["level"] as? String == "warn")
        #expect(object["msg"] as? String == "quote \" and\nnewline")
        #expect(object["path"] as? String == "/v1/\u{1}x")
        #expect(object["status"] as? Int == 200)
        #expect(object["ratio"] as? Double == 0.5)
        #expect(object["ok"] as? Bool == true)
    }

    @Test func writerDeliversEveryLineFromManyThreadsToTheDescriptor() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("log.jsonl")
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        let writer = LogWriter(fileDescriptor: fd)
        let logger = Logger(writer: writer)
        concurrently(8) { thread in
            for index in 0..<500 { logger.info("line", ["thread": .int(thread), "index": .int(index)]) }
        }
        writer.close()
        close(fd)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4000)
        let parsed = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(parsed.count == 4000)
    }

    @Test func levelsBelowTheMinimumAreDropped() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("log.jsonl")
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let writer = LogWriter(fileDescriptor: fd)
        let logger = Logger(writer: writer, minimumLevel: .warn)
        logger.info("hidden")
        logger.error("shown")
        writer.close()
        close(fd)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("hidden"))
        #expect(text.contains("shown"))
    }

    @Test func timestampsFormatInUTC() {
        #expect(Timestamp.iso8601(0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.iso8601(1_760_084_505) == "2025-10-10T08:21:45Z")
        #expect(Timestamp.iso8601(1_760_084_505.9996, fractionDigits: 3) == "2025-10-10T08:21:46.000Z")
        #expect(Timestamp.iso8601(951_782_400, fractionDigits: 6) == "2000-02-29T00:00:00.000000Z")
    }
}

@Suite("Timestamp formatter")
struct TimestampFormatterTests {
    /// libc's formatting of the whole second, as an independent reference.
    private func reference(_ seconds: Double) -> String {
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S", &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    @Test(arguments: [0.0, 1.5, 59.9994, 86_399.999, 951_782_400, 1_760_084_505.25, 4_102_444_800, 253_402_300_799,
                      -1, -86_401.5, 1_700_000_000.0005])
    func agreesWithLibc(_ seconds: Double) {
        #expect(Timestamp.iso8601(seconds) == reference(seconds) + "Z")
        let millis = Timestamp.iso8601(seconds, fractionDigits: 3)
        #expect(millis.count == 24)
        #expect(millis.hasSuffix("Z"))
    }

    @Test func fractionsRoundAndCarry() {
        #expect(Timestamp.iso8601(1.5, fractionDigits: 3) == "1970-01-01T00:00:01.500Z")
        #expect(Timestamp.iso8601(59.9996, fractionDigits: 3) == "1970-01-01T00:01:00.000Z")
        #expect(Timestamp.iso8601(86_399.9999, fractionDigits: 3) == "1970-01-02T00:00:00.000Z")
        #expect(Timestamp.iso8601(0.000001, fractionDigits: 6) == "1970-01-01T00:00:00.000001Z")
    }
}
