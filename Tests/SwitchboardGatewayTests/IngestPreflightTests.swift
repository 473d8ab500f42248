import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Ingest refusals decided from the headers, before any body byte is read (issue 13 §1). Each refused
/// request declares a 1 MiB body and sends none of it: the answer arrives all the same.
@Suite("Ingest preflight: what the headers decide")
struct IngestPreflightTests {
    private static func gateway(_ directory: TemporaryDirectory) throws -> (Gateway, LogWriter) {
        let config = try GatewayConfig.parse(Data("""
        {"listen": {"host": "127.0.0.1", "port": 0}, "store": {"path": "\(directory.file("gw.sqlite"))"},
         "sources": [{"name": "salpre", "format": "salpre", "auth": {"scheme": "header-token", "header": "X-T", "value": "t"}},
                     {"name": "cb", "format": "callingbox", "auth": {"scheme": "callingbox", "secret": "whsec_a"}}]}
        """.utf8), environment: [:])
        let writer = LogWriter(fileDescriptor: open("/dev/null", O_WRONLY))
        let gateway = Gateway(config: config, logger: Logger(writer: writer))
        try gateway.start()
        return (gateway, writer)
    }

    /// The answer to a request head declaring a 1 MiB body, read before any of the body is sent.
    static func answerBeforeBody(_ port: Int, source: String, headers: String) throws -> RawHTTPConnection.Response {
        let connection = try RawHTTPConnection(port: port, timeoutSeconds: 5)
        try connection.send("POST /v1/ingest/\(source) HTTP/1.1\r\nHost: a\r\n\(headers)Content-Length: 1048576\r\n\r\n")
        return try connection.readResponse(method: "POST")
    }

    @Test func unknownSourcesMissingOrWrongCredentialsAreAnsweredBeforeTheBody() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (gateway, writer) = try Self.gateway(directory)
        defer { gateway.shutdown(); writer.close() }
        let port = gateway.port
        let now = Int(Date().timeIntervalSince1970)
        let hex = String(repeating: "ab", count: 32)
        let cases: [(String, String, Int, String)] = [
            ("nobody", "", 404, "no source named 'nobody' is configured"),
            ("salpre", "", 401, "missing header X-T"),
            ("salpre", "X-T: wrong\r\n", 401, "signature mismatch"),
            ("cb", "", 401, "missing header CallingBox-Signature"),
            ("cb", "CallingBox-Signature: v1=\(hex)\r\n", 401, "missing t="),
            ("cb", "CallingBox-Signature: t=1,v1=\(hex)\r\n", 401, "stale timestamp"),
        ]
        let answers = try await blocking {
            try cases.map { try Self.answerBeforeBody(port, source: $0.0, headers: $0.1) }
        }
        for (answer, expected) in zip(answers, cases) {
            #expect(answer.status == expected.2, "\(expected.0) \(expected.1)")
            let message = (answer.json?["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains(expected.3), "\(message)")
            #expect(answer.header("Connection") == "close")
        }
        // A well-formed, fresh signature can only be checked against the body: it is read, then refused.
        let (mismatch, accepted, metrics) = try await blocking {
            let mismatch = try RawHTTPConnection(port: port).request(
                "POST", "/v1/ingest/cb", headers: [("CallingBox-Signature", "t=\(now),v1=\(hex)")], body: Array("{}".utf8))
            let accepted = try RawHTTPConnection(port: port).request(
                "POST", "/v1/ingest/salpre", headers: [("X-T", "t")],
                body: Array(#"{"event_type":"call_ringing","timestamp_utc":1,"payload":{"call_id":1}}"#.utf8))
            return (mismatch, accepted, try RawHTTPConnection(port: port).request("GET", "/metrics").text)
        }
        #expect(mismatch.status == 401)
        #expect(mismatch.text.contains("signature mismatch"))
        #expect(accepted.status == 202)
        #expect(metrics.contains(#"switchboard_http_refused_before_body_total{stage="preflight"} 6"#))
        #expect(metrics.contains("switchboard_http_inflight_body_bytes 0"))
    }

    @Test func theListenLimitsParseWithTheirDefaults() throws {
        let defaults = try GatewayConfig.parse(Data("{}".utf8), environment: [:]).serverConfiguration
        #expect(defaults.connectionLimit == 10_000)
        #expect(defaults.connectionLimitPerIP == 256)
        #expect(defaults.headerTimeoutMilliseconds == 10_000)
        #expect(defaults.bodyTimeoutMilliseconds == 30_000)
        #expect(defaults.maxInflightBodyBytes == 256 << 20)
        #expect(defaults.maxInflightBodyBytesPerIP == 32 << 20)
        let set = try GatewayConfig.parse(Data("""
        {"listen": {"connection_limit_per_ip": 8, "header_timeout_ms": 500, "body_timeout_ms": 700,
                    "max_inflight_body_bytes": 4096, "max_inflight_body_bytes_per_ip": 1024}}
        """.utf8), environment: [:]).serverConfiguration
        let values: [Int] = [set.connectionLimitPerIP, set.headerTimeoutMilliseconds, set.bodyTimeoutMilliseconds,
                             set.maxInflightBodyBytes, set.maxInflightBodyBytesPerIP]
        #expect(values == [8, 500, 700, 4096, 1024])
        #expect(throws: ConfigError.self) { try GatewayConfig.parse(Data(#"{"listen": {"header_timeout_ms": 5}}"#.utf8)) }
    }
}
