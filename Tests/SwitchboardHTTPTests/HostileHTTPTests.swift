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
    static func allowManyDescriptors() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// Issue 13 changed the source: the slow clients come from 127.0.0.2 (past 256 of them the
    /// per-address limit refuses the rest), the others from 127.0.0.1.
    @Test func fiveHundredSlowLorisConnectionsDoNotStopOtherClients() async throws {
        Self.allowManyDescriptors()
        let server = try makeTestServer()
        defer { server.shutdown() }
        let port = server.port
        let statuses = try await blocking { () -> [Int] in
            // Each opens a request and never finishes its headers, sending a byte now and then.
            var loris: [RawHTTPConnection] = []
            for _ in 0..<500 {
                let connection = try RawHTTPConnection(port: port, source: "127.0.0.2")
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
        // 256 from 127.0.0.2 and the 20 others were served; the other 244 were closed at accept.
        #expect(server.statistics.connectionsOpened == 276)
        #expect(server.statistics.rejected["connection_limit"] == 244)
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

    /// Issue 12 §8: a header value with NUL or another control byte, and a repeated `Authorization`,
    /// are refused with a JSON 400 (a NUL used to cut the value short: libmicrohttpd hands values
    /// over as C strings).
    @Test func controlBytesInHeadersAndARepeatedAuthorizationGetA400() async throws {
        let server = try makeTestServer()
        defer { server.shutdown() }
        let port = server.port
        func request(_ header: [UInt8]) -> [UInt8] {
            Array("GET /echo/x HTTP/1.1\r\nHost: a\r\n".utf8) + header + Array("\r\n\r\n".utf8)
        }
        let cases: [(String, [UInt8], Int)] = [
            ("NUL", request(Array("X-Test: sk_live_1".utf8) + [0x00] + Array("tail".utf8)), 400),
            ("NUL at the end", request(Array("X-Test: key".utf8) + [0x00]), 400),
            ("NUL before the next field", request(Array("X-Test: key".utf8) + [0x00] + Array("\r\nX-Other: b".utf8)), 400),
            ("two NULs", request(Array("X-Test: key".utf8) + [0x00, 0x00] + Array("tail".utf8)), 400),
            ("an empty value", request(Array("X-Empty:\r\nX-Test: a".utf8)), 200),
            ("bare LF line ends", Array("GET /echo/x HTTP/1.1\nHost: a\nX-Test: a\n\n".utf8), 200),
            ("trailing spaces", request(Array("X-Test: a  ".utf8)), 200),
            ("cookies", request(Array("Cookie: a=b; c=\"d e\"\r\nX-Test: z".utf8)), 200),
            ("a space before the colon", request(Array("X-Test : a".utf8)), 200),
            ("an empty last value", request(Array("X-Test: a\r\nX-Empty:".utf8)), 200),
            ("obs-fold", request(Array("X-Test: a\r\n b".utf8)), 400),
            ("SOH", request(Array("X-Test: a".utf8) + [0x01] + Array("b".utf8)), 400),
            ("ESC", request(Array("X-Test: a".utf8) + [0x1B] + Array("[31m".utf8)), 400),
            ("DEL", request(Array("X-Test: a".utf8) + [0x7F]), 400),
            ("two Authorization", request(Array("Authorization: Bearer a\r\nauthorization: Bearer b".utf8)), 400),
            ("a tab inside", request(Array("X-Test: a\tb".utf8)), 200),
            ("one Authorization", request(Array("Authorization: Bearer a".utf8)), 200),
            ("obs-text", request(Array("X-Test: caf".utf8) + [0xC3, 0xA9]), 200),
        ]
        let outcomes = try await blocking { () -> [String: RawHTTPConnection.Response] in
            var outcomes: [String: RawHTTPConnection.Response] = [:]
            for (name, bytes, _) in cases {
                let connection = try RawHTTPConnection(port: port, timeoutSeconds: 5)
                try connection.send(bytes)
                outcomes[name] = try connection.readResponse()
            }
            return outcomes
        }
        for (name, _, status) in cases {
            let response = try #require(outcomes[name])
            #expect(response.status == status, "\(name): \(response.json ?? [:])")
            if status == 400 {
                let error = response.json?["error"] as? [String: Any]
                #expect(error?["type"] as? String == "invalid_header", "\(name)")
                #expect((error?["message"] as? String)?.hasPrefix("header ") == true, "\(name)")
            }
        }
        #expect(outcomes["a tab inside"]?.json?["x_test"] as? String == "a\tb")
        let alive = try await blocking { try RawHTTPConnection(port: port).request("GET", "/fast").status }
        #expect(alive == 200)
    }

    @Test func headerFieldRules() {
        func fields(_ pairs: [(String, [UInt8])]) -> [(name: [UInt8], value: [UInt8])] {
            pairs.map { (name: Array($0.0.utf8), value: $0.1) }
        }
        #expect(HeaderFieldRules.problem(fields([("Host", Array("a".utf8)), ("X", [0x61, 0x09, 0x62])])) == nil)
        #expect(HeaderFieldRules.problem(fields([("X-Key", [0x61, 0x00, 0x62])])) == "header X-Key contains a control character (0x00) at byte 1")
        #expect(HeaderFieldRules.problem(fields([("Authorization", [0x61]), ("AUTHORIZATION", [0x61])]))
                == "header Authorization appears more than once")
        #expect(HeaderFieldRules.problem(fields([("X\u{01}", [0x61])])) == "header name contains a control character")
        // "GET / HTTP/1.1" NUL NUL "K" NUL " v" NUL NUL NUL NUL, as libmicrohttpd leaves `K: v`.
        let block = Array("GET / HTTP/1.1".utf8) + [0, 0, 0x4B, 0, 0x20, 0x76, 0, 0, 0, 0]
        #expect(!HeaderFieldRules.hasUnaccountedBytes(block: block, spans: [16..<17, 19..<20]))
        var hidden = block
        hidden.insert(contentsOf: [0, 0x74], at: 20)
        #expect(HeaderFieldRules.hasUnaccountedBytes(block: hidden, spans: [16..<17, 19..<20]))
        var suffixed = block
        suffixed.insert(0, at: 20)
        #expect(HeaderFieldRules.hasUnaccountedBytes(block: suffixed, spans: [16..<17, 19..<20]))
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
