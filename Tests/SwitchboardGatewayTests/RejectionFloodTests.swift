import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Issue 13 §6: refused requests are counted in `/metrics` by reason and logged at most N per second per
/// reason, the rest summed up in one `log lines suppressed` line per reason and second.
@Suite("Logs under a flood of junk requests")
struct RejectionFloodTests {
    /// The junk: (reason, method, path, headers, body).
    static let junk: [(String, String, String, [(String, String)], String)] = [
        ("unauthorized", "POST", "/v1/ingest/salpre", [("X-T", "wrong")], "{}"),
        ("unknown_source", "POST", "/v1/ingest/nosuch", [], "{}"),
        ("invalid_json", "POST", "/v1/ingest/salpre", [("X-T", "t")], "not json"),
        ("unauthorized", "GET", "/v1/webhook_endpoints", [("Authorization", "Bearer wrong")], ""),
    ]

    @Test func tenThousandJunkRequestsAreAllCountedAndAddAFewLogLines() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try GatewayConfig.parse(Data("""
        {"listen": {"host": "127.0.0.1", "port": 0}, "store": {"path": "\(directory.file("gw.sqlite"))"},
         "api_keys": ["sk_flood"],
         "sources": [{"name": "salpre", "format": "salpre", "auth": {"scheme": "header-token", "header": "X-T", "value": "t"}}]}
        """.utf8), environment: [:])
        let logPath = directory.file("log.jsonl")
        let writer = LogWriter(fileDescriptor: open(logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600))
        let logger = Logger(writer: writer)
        let gateway = Gateway(config: config, logger: logger)
        try gateway.start()
        let port = gateway.port
        let total = 10_000, connections = 4
        let started = Date()
        let statuses = try await blocking { () -> [Int: Int] in
            let counts = LockedArray<Int>()
            DispatchQueue.concurrentPerform(iterations: connections) { worker in
                // Refusals decided from the headers close their connection: the next request opens another.
                var connection = try? RawHTTPConnection(port: port)
                for index in stride(from: worker, to: total, by: connections) {
                    let (_, method, path, headers, body) = Self.junk[index % Self.junk.count]
                    guard let reply = try? connection?.request(method, path, headers: headers, body: Array(body.utf8)) else {
                        counts.append(0)
                        connection = try? RawHTTPConnection(port: port)
                        continue
                    }
                    counts.append(reply.status)
                    if reply.headers.contains(where: { $0.0.lowercased() == "connection" && $0.1.lowercased() == "close" }) {
                        connection = try? RawHTTPConnection(port: port)
                    }
                }
            }
            return Dictionary(counts.values.map { ($0, 1) }, uniquingKeysWith: +)
        }
        let seconds = Date().timeIntervalSince(started)
        #expect(statuses == [401: total / 2, 404: total / 4, 400: total / 4], "\(statuses)")
        let metrics = try await blocking { () -> String in
            // Every access record is in (the server reports each one once its answer is sent).
            _ = eventually { gateway.serverStatistics.requestsCompleted >= total }
            return try RawHTTPConnection(port: port).request("GET", "/metrics").text
        }
        #expect(metrics.contains(#"switchboard_http_rejected_total{reason="unauthorized"} 5000"#))
        #expect(metrics.contains(#"switchboard_http_rejected_total{reason="unknown_source"} 2500"#))
        #expect(metrics.contains(#"switchboard_http_rejected_total{reason="invalid_json"} 2500"#))
        // The last windows end one second after the last request; their suppressed counts follow.
        try await Task.sleep(for: .milliseconds(1_500))
        gateway.shutdown()
        writer.close()

        let lines = try String(contentsOfFile: logPath, encoding: .utf8).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let added = lines.filter { !["listening", "stopped"].contains($0["msg"] as? String) }
        let suppressed = added.filter { $0["msg"] as? String == "log lines suppressed" }
        print("10,000 junk requests in \(String(format: "%.1f", seconds)) s: \(added.count) log lines "
              + "(\(suppressed.count) of them 'log lines suppressed')")
        // At most N lines per reason and second, plus one summary per reason and second.
        let windows = Int(seconds.rounded(.up)) + 1
        #expect(added.count <= 3 * (Logger.defaultThrottledPerSecond + 1) * windows, "\(added.count) lines in \(seconds) s")
        // Nothing is lost from the account: written + suppressed = every line the requests would have made
        // (an access line each, and an 'ingest refused' line for each bad token).
        let expected = ["unauthorized": total / 2 + total / 4, "unknown_source": total / 4, "invalid_json": total / 4]
        for (reason, count) in expected {
            let written = added.filter {
                ($0["msg"] as? String == "request" && $0["reason"] as? String == reason)
                    || ($0["msg"] as? String == "ingest refused" && reason == "unauthorized")
            }.count
            let summed = suppressed.filter { $0["reason"] as? String == reason }.reduce(0) { $0 + ($1["count"] as? Int ?? 0) }
            #expect(written + summed == count, "\(reason): \(written) written + \(summed) suppressed")
            #expect(written <= Logger.defaultThrottledPerSecond * windows, "\(reason): \(written) written")
        }
    }

    @Test func theBudgetIsConfigurable() throws {
        #expect(try GatewayConfig.parse(Data("{}".utf8), environment: [:]).rejectedLogLinesPerSecond == 10)
        let config = try GatewayConfig.parse(Data(#"{"log": {"rejected_per_second": 0}}"#.utf8), environment: [:])
        #expect(config.rejectedLogLinesPerSecond == 0)
        #expect(throws: ConfigError.self) {
            try GatewayConfig.parse(Data(#"{"log": {"rejected_per_second": -1}}"#.utf8), environment: [:])
        }
    }

    @Test func windowsAdmitNPerSecondPerKeyAndReportWhatTheySuppressed() {
        var windows = ThrottleWindows(perSecond: 2)
        let first = [0.0, 0.1, 0.2, 0.3].map { windows.admit("a", at: $0) }
        #expect(first == [true, true, false, false])
        let otherKey = windows.admit("b", at: 0.3)
        #expect(otherKey, "each key has its own budget")
        #expect(windows.nextReport == 1.0)
        let early = windows.takeSuppressed(at: 0.9)
        #expect(early.isEmpty, "the window has not ended")
        let second = [1.05, 1.06, 1.07].map { windows.admit("a", at: $0) }
        #expect(second == [true, true, false], "a new window, its own budget")
        let report = windows.takeSuppressed(at: 2.1)
        #expect(report.map(\.key) == ["a"] && report.first?.count == 3, "both windows' counts: \(report)")
        let later = windows.takeSuppressed(at: 5)
        #expect(later.isEmpty && windows.nextReport == nil)
        var silent = ThrottleWindows(perSecond: 0)
        let none = silent.admit("a", at: 0)
        let counted = silent.takeSuppressed(at: 1)
        #expect(!none && counted.first?.count == 1)
    }
}
