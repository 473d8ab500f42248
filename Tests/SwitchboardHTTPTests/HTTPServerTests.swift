import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardHTTP

private typealias Response = RawHTTPConnection.Response

private func errorType(_ response: Response) -> String? {
    (response.json?["error"] as? [String: Any])?["type"] as? String
}

@Suite("HTTPServer over loopback")
struct HTTPServerTests {
    @Test func roundTripCarriesMethodPathQueryHeadersAndBody() async throws {
        let server = try makeTestServer()
        defer { server.shutdown() }
        let port = server.port
        let response = try await blocking {
            try RawHTTPConnection(port: port).request(
                "POST", "/echo/alice?q=hello%20world", headers: [("X-Test", "yes"), ("Content-Type", "text/plain")],
                body: Array("payload".utf8))
        }
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        let json = try #require(response.json)
        #expect(json["method"] as? String == "POST")
        #expect(json["name"] as? String == "alice")
        #expect(json["q"] as? String == "hello world")
        #expect(json["x_test"] as? String == "yes")
        #expect(json["body"] as? String == "payload")
    }

    @Test func keepAliveServesManyRequestsOnOneConnection() async throws {
        let server = try makeTestServer()
        defer { server.shutdown() }
        let port = server.port
        let responses = try await blocking {
            let connection = try RawHTTPConnection(port: port)
            return try (0..<100).map { index in
                try connection.request(index.isMultiple(of: 2) ? "GET" : "POST", "/echo/n\(index)",
                                       body: index.isMultiple(of: 2) ? [] : Array("x".utf8))
            }
        }
        #expect(responses.count == 100)
        #expect(responses.allSatisfy { $0.status == 200 && $0.header("Connection")?.lowercased() != "close" })
        #expect(server.statistics.connectionsOpened == 1)
        #expect(try await blocking { eventually { server.statistics.requestsCompleted == 100 } })
    }

    @Test func chunkedUploadIsReassembled() async throws {
        let server = try makeTestServer()
        defer { server.shutdown() }
        let port = server.port
        let parts = ["Hello, ", "chunked ", String(repeating: "z", count: 5000), " world"]
        let (response, next) = try await blocking {
            let connection = try RawHTTPConnection(port: port)
            try connection.send("POST /echo/chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            for part in parts {
                try connection.send(String(part.utf8.count, radix: 16) + "\r\n" + part + "\r\n")
            }
            try connection.send("0\r\n\r\n")
            let response = try connection.readResponse()
            // The connection stays usable after a chunked request.
            return (response, try connection.request("GET", "/fast"))
        }
        #expect(response.status == 200)
        #expect(response.json?["body"] as? String == parts.joined())
        #expect(next.status == 200)
    }

    @Test func declaredOversizedBodyGets413BeforeTheBodyIsSent() async throws {
        let server = try makeTestServer { $0.maxBodyBytes = 1024 }
        defer { server.shutdown() }
        let port = server.port
        let response = try await blocking {
            let connection = try RawHTTPConnection(port: port)
            // Only the head is sent: the answer must come without the 2 MB body.
            try connection.send("POST /echo/big HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n")
            return try connection.readResponse()
        }
        #expect(response.status == 413)
        #expect(errorType(response) == "payload_too_large")
        #expect(response.header("Connection")?.lowercased() == "close")
    }

    @Test func chunkedBodyGrowingPastTheLimitGets413() async throws {
        let server = try makeTestServer { $0.maxBodyBytes = 1024 }
        defer { server.shutdown() }
        let port = server.port
        let response = try await blocking {
            let connection = try RawHTTPConnection(port: port)
            try connection.send("POST /echo/big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            let chunk = String(repeating: "a", count: 800)
            for _ in 0..<3 { try connection.send(String(chunk.count, radix: 16) + "\r\n" + chunk + "\r\n") }
            try connection.send("0\r\n\r\n")
            return try connection.readResponse()
        }
        #expect(response.status == 413)
        #expect(errorType(response) == "payload_too_large")
    }

    @Test func unknownPathIs404AndWrongMethodIs405WithAllow() async throws {
        let server = try makeTestServer()
        defer { server.shutdown() }
        let port = server.port
        let responses = try await blocking {
            let connection = try RawHTTPConnection(port: port)
            return try [connection.request("GET", "/nowhere"), connection.request("DELETE", "/echo/x"),
                        connection.request("BREW", "/fast"), connection.request("HEAD", "/fast")]
        }
        let (missing, wrong, unknownMethod, head) = (responses[0], responses[1], responses[2], responses[3])
        #expect(missing.status == 404)
        #expect(errorType(missing) == "not_found")
        #expect((missing.json?["error"] as? [String: Any])?["message"] as? String == "no route for GET /nowhere")
        #expect(wrong.status == 405)
        #expect(wrong.header("Allow") == "GET, HEAD, POST")
        #expect(errorType(wrong) == "method_not_allowed")
        #expect(unknownMethod.status == 405)
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
    }

    @Test func oversizedHeadersAreRefused() async throws {
        let server = try makeTestServer { $0.maxHeaderBytes = 8192 }
        defer { server.shutdown() }
        let port = server.port
        let response = try await blocking {
            try RawHTTPConnection(port: port).request("GET", "/fast",
                                                      headers: [("X-Big", String(repeating: "b", count: 20_000))])
        }
        #expect(response.status == 431)
    }

    @Test func suspendedRequestsDoNotHoldServerThreads() async throws {
        let server = try makeTestServer { $0.threads = 2 }
        defer { server.shutdown() }
        let port = server.port
        let parkedCount = 64  // far more parked requests than worker threads
        let statuses = LockedArray<Int>()
        let fast = LockedArray<Int>()
        let sawParked = try await blocking {
            let parked = Thread {
                concurrently(parkedCount) { _ in
                    let status = (try? RawHTTPConnection(port: port).request("GET", "/slow?ms=1500"))?.status ?? -1
                    statuses.append(status)
                }
            }
            parked.start()
            let sawParked = eventually { server.statistics.requestsSuspended >= parkedCount / 2 }
            // While they are parked, other requests are answered.
            if let connection = try? RawHTTPConnection(port: port) {
                for _ in 0..<20 { fast.append((try? connection.request("GET", "/fast"))?.status ?? -1) }
            }
            _ = eventually(20) { statuses.values.count == parkedCount }
            return sawParked
        }
        #expect(sawParked)
        #expect(fast.values == Array(repeating: 200, count: 20))
        #expect(statuses.values.count == parkedCount)
        #expect(statuses.values.allSatisfy { $0 == 200 })
        #expect(try await blocking { eventually { server.statistics.requestsSuspended == 0 } })
    }

    @Test func asyncHandlersAnswerAndThrownHTTPErrorsBecomeJSON() async throws {
        let server = try makeTestServer(routes: { router in
            router.get("/async", .async { _ in
                try await Task.sleep(nanoseconds: 10_000_000)
                return HTTPResponse(status: 201, body: Array("made".utf8))
            })
            router.get("/refuse", .async { _ in
                throw HTTPError(422, type: "invalid_field", message: "field 'x' is missing")
            })
            router.get("/crash", .async { _ in throw CancellationError() })
        })
        defer { server.shutdown() }
        let port = server.port
        let responses = try await blocking {
            let connection = try RawHTTPConnection(port: port)
            return try ["/async", "/refuse", "/crash"].map { try connection.request("GET", $0) }
        }
        #expect(responses[0].status == 201)
        #expect(responses[0].text == "made")
        #expect(responses[1].status == 422)
        #expect((responses[1].json?["error"] as? [String: Any])?["message"] as? String == "field 'x' is missing")
        #expect(responses[2].status == 500)
        #expect(errorType(responses[2]) == "internal_error")
    }

    @Test func respondingTwiceIsRefusedAndAnswersRacingTheSuspensionArrive() async throws {
        let second = LockedArray<Bool>()
        let server = try makeTestServer(routes: { router in
            router.get("/twice", .deferred { _, responder in
                // Answer from another thread at once: races the connection's suspension.
                Thread {
                    responder.respond(HTTPResponse(status: 200))
                    second.append(responder.respond(HTTPResponse(status: 500)))
                }.start()
            })
        })
        defer { server.shutdown() }
        let port = server.port
        let statuses = try await blocking {
            let connection = try RawHTTPConnection(port: port)
            return try (0..<200).map { _ in try connection.request("GET", "/twice").status }
        }
        #expect(statuses == Array(repeating: 200, count: 200))
        #expect(try await blocking { eventually { second.values.count == 200 } })
        #expect(second.values.allSatisfy { $0 == false })
    }
}
