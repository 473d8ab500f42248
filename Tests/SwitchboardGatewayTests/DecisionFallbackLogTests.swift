import Foundation
import SwitchboardCore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Issue 12 §7: one JSON log line `decision fallback used` (source, call, action, why) whenever the
/// fallback answers an incoming call, and none when a rule or the endpoint decided.
@Suite("Incoming calls: the fallback log line")
struct DecisionFallbackLogTests {
    @Test func theFallbackIsLoggedWithWhy() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let endpoint = try DecisionEndpoint()
        defer { endpoint.stop() }
        let sink = try RecordingSink()
        defer { sink.stop() }
        let logPath = directory.file("log.jsonl")
        let writer = LogWriter(fileDescriptor: open(logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600))
        let gateway = Gateway(config: try IncomingCallFixture.config(directory, endpoint, sink), logger: Logger(writer: writer))
        try gateway.start()
        let port = gateway.port
        for source in ["ib-500", "ib-keyed", "ib-rules", "ib-answer"] {
            let body = IncomingCallFixture.body()
            let headers = try IncomingCallFixture.signed(body)
            let status = try await blocking {
                try RawHTTPConnection(port: port).request("POST", "/v1/ingest/\(source)", headers: headers, body: body).status
            }
            #expect(status == 200, "\(source)")
        }
        gateway.shutdown()
        writer.close()
        let lines = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let fallbacks = lines.filter { $0["msg"] as? String == "decision fallback used" }
        #expect(fallbacks.map { $0["source"] as? String } == ["ib-500", "ib-keyed"])
        #expect(fallbacks.first?["why"] as? String == "HTTP 500")
        #expect(fallbacks.last?["why"] as? String == "no rule matched and no decision endpoint is configured")
        #expect(fallbacks.allSatisfy { $0["level"] as? String == "warn" && $0["action"] as? String == "answer" && $0["call"] is String })
    }
}
