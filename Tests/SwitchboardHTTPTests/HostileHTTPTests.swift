import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardHTTP

/// Hostile clients (issue 6, item 4): what each malformed or malicious request gets, and that none of
/// them stops the server from serving everybody else.
@Suite("HTTPServer under hostile clients")
struct HostileHTTPTests {
    /// Raises the soft descriptor limit to the hard one: 500 client and 500 server sockets live in
    /// this one process.
    private static func allowManyDescriptors() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    @Test func fiveHundredSlowLorisConnectionsDoNotStopOtherClients() async throws {
        Self.allowManyDescriptors()
        let server = try makeTestServer()
        defer { server.shutdown() }
        let port = server.port
        let statuses = try await blocking { () -> [Int] in
            // Each opens a request and never finishes its headers, sending a byte now and then.
            var loris: [RawHTTPConnection] = []
            for _ in 0..<500 {
                let connection = try RawHTTPConnection(port: port)
                try connection.send("POST /echo/x HTTP/1.1\r\nHost: a\r\nX-Slow: ")
                loris.append(connection)
            }
            var statuses: [Int] = []
            for round in 0..<20 {
                for connection in loris { try? connection.send("a") }
                statuses.append(try RawHTTPConnection(port: port, timeoutSeconds: 5)
                    .request("GET", "/echo/round\(round)").status)
            }
            _ = loris
            return statuses
        }
        #expect(statuses == Array(repeating: 200, count: 20))
        #expect(server.statistics.connectionsOpened >= 520)
    }

    @Test func malformedRequestsGetAClearAnswerAndTheServerCarriesOn() async throws {
        let server = try makeTestServer()
        defer { server.shutdown() }
        let port = server.port
        let cases: [(String, [UInt8])] = [
            ("unknown method", Array("BREW /fast HTTP/1.1\r\nHost: a\r\n\r\n".utf8)),
            ("invalid UTF-8 in a header", Array("GET /fast HTTP/1.1\r\nHost: a\r\nX-Bad: ".utf8) + [0xff, 0xfe, 0xc3, 0x28] + Array("\r\n\r\n".utf8)),
            ("invalid UTF-8 in the path", Array("GET /echo/".utf8) + [0xff, 0xfe] + Array(" HTTP/1.1\r\nHost: a\r\n\r\n".utf8)),
            ("bare LF inside a header value", Array("GET /fast HTTP/1.1\r\nHost: a\r\nX-Split: a\nInjected: b\r\n\r\n".utf8)),
            ("negative Content-Length", Array("POST /echo/x HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n".utf8)),
            ("huge Content-Length", Array("POST /echo/x HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n".utf8)),
            ("two Content-Lengths", Array("POST /echo/x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab".utf8)),
            ("Content-Length and Transfer-Encoding",
             Array("POST /echo/x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".utf8)),
        ]
        let outcomes = try await blocking { () -> [String: Int] in
            var outcomes: [String: Int] = [:]
            for (name, bytes) in cases {
                let connection = try RawHTTPConnection(port: port, timeoutSeconds: 5)
                try connection.send(bytes)
                outcomes[name] = try connection.readResponse().status
            }
            return outcomes
        }
        #expect(outcomes["unknown method"] == 405)
        #expect(outcomes["negative Content-Length"] == 400)
        #expect(outcomes["huge Content-Length"] == 413)
        #expect(outcomes["two Content-Lengths"] == 400)
        #expect(outcomes["Content-Length and Transfer-Encoding"] == 400)
        // Accepted as they are harmless here: bytes that are not UTF-8 reach handlers repaired
        // (U+FFFD), and a bare LF ends a header line (RFC 9112 §2.2 allows a recipient to do so).
        #expect(outcomes["invalid UTF-8 in a header"] == 200)
        #expect(outcomes["invalid UTF-8 in the path"] == 200)
        #expect(outcomes["bare LF inside a header value"] == 200)
        let alive = try await blocking { try RawHTTPConnection(port: port).request("GET", "/fast").status }
        #expect(alive == 200)
    }

    @Test func framingRules() {
        #expect(RequestFraming.problem([("Host", "a"), ("Content-Length", "5")]) == nil)
        #expect(RequestFraming.problem([("content-length", "5"), ("CONTENT-LENGTH", " 5 ")]) == nil)
        #expect(RequestFraming.problem([("Content-Length", "5, 5")]) == nil)
        #expect(RequestFraming.problem([("Transfer-Encoding", "chunked")]) == nil)
        #expect(RequestFraming.problem([("Content-Length", "5"), ("Content-Length", "6")])
                == "conflicting Content-Length values: 5, 6")
        #expect(RequestFraming.problem([("Content-Length", "5,6")]) == "conflicting Content-Length values: 5, 6")
        #expect(RequestFraming.problem([("Content-Length", "+5")]) == "invalid Content-Length: +5")
        #expect(RequestFraming.problem([("Content-Length", "5,")]) == "invalid Content-Length: 5,")
        #expect(RequestFraming.problem([("Content-Length", "٣")]) == "invalid Content-Length: ٣")
        #expect(RequestFraming.problem([("Content-Length", "3"), ("Transfer-Encoding", "chunked")])
                == "both Transfer-Encoding and Content-Length are present")
    }

    @Test func conflictingLengthsGetAJSON400AndTheConnectionIsClosed() async throws {
        let server = try makeTestServer()
        defer { server.shutdown() }
        let port = server.port
        let (response, closed) = try await blocking { () -> (RawHTTPConnection.Response, Bool) in
            let connection = try RawHTTPConnection(port: port, timeoutSeconds: 5)
            try connection.send("POST /echo/x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")
            return (try connection.readResponse(), connection.isClosedByPeer())
        }
        #expect(response.status == 400)
        #expect((response.json?["error"] as? [String: Any])?["type"] as? String == "invalid_framing")
        #expect(closed)
    }
}
