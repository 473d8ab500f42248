import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardHTTP

/// What is decided from the headers before any body byte is read, and the caps on request bodies in
/// flight (issue 13 §1). Each refused request here declares a body and sends none of it: an answer
/// that arrives is an answer given before the body was read.
@Suite("HTTPServer admission: preflight and in-flight body caps")
struct HTTPServerAdmissionTests {
    /// Handler runs of `/guarded`, to show a refused request never reached its handler.
    private static let handled = LockedArray<String>()

    /// `POST /guarded`: a preflight refuses requests without `X-Key: k` (401).
    private func server(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in }) throws -> HTTPServer {
        try makeTestServer(configure) { router in
            router.post("/guarded", .immediate { request in
                Self.handled.append(String(decoding: request.body, as: UTF8.self))
                return HTTPResponse(status: 200, body: request.body)
            }, preflight: { head in
                head.headers["X-Key"] == "k" ? nil : .error(401, type: "unauthorized", message: "missing X-Key")
            })
        }
    }

    /// Sends a request head declaring `length` body bytes and reads the answer without sending any.
    private static func answerBeforeBody(_ port: Int, _ target: String, length: Int, headers: String = "",
                                         source: String? = nil) throws -> RawHTTPConnection.Response {
        let connection = try RawHTTPConnection(port: port, timeoutSeconds: 5, source: source)
        try connection.send("POST \(target) HTTP/1.1\r\nHost: a\r\n\(headers)Content-Length: \(length)\r\n\r\n")
        return try connection.readResponse(method: "POST")
    }

    @Test func aPreflightRefusalIsAnsweredBeforeTheBodyAndTheHandlerNeverRuns() async throws {
        let server = try server()
        defer { server.shutdown() }
        let port = server.port
        let (refused, unrouted, accepted) = try await blocking {
            let refused = try Self.answerBeforeBody(port, "/guarded", length: 1_000)
            let unrouted = try Self.answerBeforeBody(port, "/nowhere", length: 1_000)
            let accepted = try RawHTTPConnection(port: port).request("POST", "/guarded", headers: [("X-Key", "k")],
                                                                     body: Array("admitted".utf8))
            return (refused, unrouted, accepted)
        }
        #expect(refused.status == 401)
        #expect(refused.text.contains("missing X-Key"))
        #expect(refused.header("Connection") == "close")
        #expect(unrouted.status == 404)
        #expect(accepted.status == 200)
        #expect(accepted.text == "admitted")
        #expect(Self.handled.values.filter { $0 != "admitted" }.isEmpty)
        #expect(server.statistics.rejected["preflight"] == 1)
    }

    @Test func bodiesPastTheInFlightCapsGet503WithRetryAfterBeforeTheyAreRead() async throws {
        let server = try makeTestServer { $0.maxInflightBodyBytes = 1_000; $0.maxInflightBodyBytesPerIP = 600 }
        defer { server.shutdown() }
        let port = server.port
        let outcome = try await blocking { () -> [Int] in
            // 500 bytes from 127.0.0.1, half sent, then stalled: 500 of its 600 and of the 1,000 in all.
            let stalled = try RawHTTPConnection(port: port, timeoutSeconds: 5)
            try stalled.send("POST /echo/a HTTP/1.1\r\nHost: a\r\nContent-Length: 500\r\n\r\n" + String(repeating: "s", count: 250))
            _ = eventually { server.statistics.inflightBodyBytes == 500 }
            let sameAddress = try Self.answerBeforeBody(port, "/echo/b", length: 200)
            let sameAddressSmall = try RawHTTPConnection(port: port).request("POST", "/echo/c", body: Array(repeating: 0x61, count: 100))
            let otherAddress = try RawHTTPConnection(port: port, source: "127.0.0.2")
                .request("POST", "/echo/d", body: Array(repeating: 0x61, count: 400))
            try stalled.send(String(repeating: "s", count: 250))
            let finished = try stalled.readResponse(method: "POST")
            _ = eventually { server.statistics.inflightBodyBytes == 0 }
            // 500 + 200 from one address was too much; 500 held elsewhere + 600 would pass the total.
            let stalledAgain = try RawHTTPConnection(port: port, timeoutSeconds: 5, source: "127.0.0.3")
            try stalledAgain.send("POST /echo/e HTTP/1.1\r\nHost: a\r\nContent-Length: 500\r\n\r\nxx")
            _ = eventually { server.statistics.inflightBodyBytes == 500 }
            let pastTotal = try Self.answerBeforeBody(port, "/echo/f", length: 600, source: "127.0.0.4")
            let retryAfter = sameAddress.header("Retry-After") == "1" && pastTotal.header("Retry-After") == "1"
            return [sameAddress.status, sameAddressSmall.status, otherAddress.status, finished.status, pastTotal.status,
                    retryAfter ? 1 : 0]
        }
        #expect(outcome == [503, 200, 200, 200, 503, 1])
        #expect(server.statistics.rejected["inflight_body_cap"] == 2)
    }

    @Test func aChunkedBodyPastTheCapIsDiscardedAndAnswered503() async throws {
        let server = try makeTestServer { $0.maxInflightBodyBytes = 1_000 }
        defer { server.shutdown() }
        let port = server.port
        let response = try await blocking {
            let connection = try RawHTTPConnection(port: port)
            let chunk = String(repeating: "c", count: 600)
            try connection.send("POST /echo/x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n")
            return try connection.readResponse(method: "POST")
        }
        #expect(response.status == 503)
        #expect(response.header("Retry-After") == "1")
        #expect(try await blocking { eventually { server.statistics.inflightBodyBytes == 0 } })
    }
}
