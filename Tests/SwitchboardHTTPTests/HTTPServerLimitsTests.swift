import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardHTTP

@Suite("HTTPServer limits and failure paths")
struct HTTPServerLimitsTests {
    @Test func oversizedHeadersGetAJSON431() async throws {
        let server = try makeTestServer { $0.maxHeaderBytes = 8192 }
        defer { server.shutdown() }
        let port = server.port
        let response = try await blocking {
            try RawHTTPConnection(port: port).request("GET", "/fast", headers: [("X-Big", String(repeating: "b", count: 20_000))])
        }
        #expect(response.status == 431)
        #expect((response.json?["error"] as? [String: Any])?["type"] as? String == "request_header_fields_too_large")
    }

    @Test func aDeferredHandlerThatDropsItsResponderAnswers500() async throws {
        let server = try makeTestServer(routes: { router in
            router.get("/forgetful", .deferred { _, responder in
                // An error path that returns without answering; the responder's last copy ends here.
                Thread { _ = responder }.start()
            })
        })
        defer { server.shutdown() }
        let port = server.port
        let response = try await blocking { try RawHTTPConnection(port: port).request("GET", "/forgetful") }
        #expect(response.status == 500)
        #expect((response.json?["error"] as? [String: Any])?["message"] as? String == "the handler ended without answering")
        #expect(try await blocking { eventually { server.statistics.requestsSuspended == 0 } })
    }

    @Test func anOutOfRangeStatusBecomes500() async throws {
        let server = try makeTestServer(routes: { router in
            router.get("/negative", .immediate { _ in HTTPResponse(status: -3) })
            router.get("/huge", .immediate { _ in HTTPResponse(status: 1000) })
        })
        defer { server.shutdown() }
        let port = server.port
        let statuses = try await blocking {
            let connection = try RawHTTPConnection(port: port)
            return try [connection.request("GET", "/negative").status, connection.request("GET", "/huge").status]
        }
        #expect(statuses == [500, 500])
    }

    @Test func idleConnectionsAreClosedAfterTheTimeout() async throws {
        let server = try makeTestServer { $0.idleTimeoutSeconds = 1 }
        defer { server.shutdown() }
        let port = server.port
        let closed = try await blocking { () -> Bool in
            let connection = try RawHTTPConnection(port: port, timeoutSeconds: 10)
            _ = try connection.request("GET", "/fast")
            // Reading blocks until the server closes the idle connection (or our 10 s read timeout).
            return connection.isClosedByPeer()
        }
        #expect(closed)
        #expect(try await blocking { eventually { server.statistics.connectionsClosed >= 1 } })
    }

    @Test func connectionsBeyondTheLimitWaitUntilASlotFrees() async throws {
        let server = try makeTestServer { $0.connectionLimit = 2; $0.threads = 1 }
        defer { server.shutdown() }
        let port = server.port
        let outcome = try await blocking { () -> (Int, Bool, Int) in
            let first = try RawHTTPConnection(port: port)
            let second = try RawHTTPConnection(port: port)
            _ = try first.request("GET", "/fast")
            _ = try second.request("GET", "/fast")
            // The third connects (the kernel's backlog accepts) but is not served while two are open.
            let third = try RawHTTPConnection(port: port, timeoutSeconds: 1)
            let servedWhileFull = (try? third.request("GET", "/fast")) != nil
            let openWhileFull = server.statistics.connectionsOpened
            // Freeing a slot lets it through.
            _ = first
            return (openWhileFull, servedWhileFull, 0)
        }
        #expect(outcome.0 == 2)
        #expect(!outcome.1)
        let served = try await blocking { () -> Int in
            let waiting = try RawHTTPConnection(port: port, timeoutSeconds: 5)
            return try waiting.request("GET", "/fast").status
        }
        #expect(served == 200)
    }

    @Test func aParkedRequestWhoseClientLeftIsReleasedAtShutdown() async throws {
        let server = try makeTestServer()
        let port = server.port
        try await blocking {
            let connection = try RawHTTPConnection(port: port)
            try connection.send("GET /park HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = eventually { server.statistics.requestsSuspended == 1 }
            // The client goes away while its request is parked.
        }
        #expect(server.statistics.requestsSuspended == 1)
        server.shutdown(graceSeconds: 0)
        #expect(server.statistics.requestsSuspended == 0)
        #expect(server.statistics.requestsInFlight == 0)
    }

    @Test func concurrentShutdownCallsAllWaitForTheStop() async throws {
        let server = try makeTestServer()
        let port = server.port
        let parked = Thread { _ = try? RawHTTPConnection(port: port).request("GET", "/slow?ms=300") }
        parked.start()
        let stopped = try await blocking { () -> [Bool] in
            _ = eventually { server.statistics.requestsSuspended == 1 }
            let results = LockedArray<Bool>()
            concurrently(3) { _ in
                server.shutdown(graceSeconds: 2)
                // Whoever returns must find the server fully stopped.
                results.append((try? RawHTTPConnection(port: port, timeoutSeconds: 1)) == nil
                               && server.statistics.requestsInFlight == 0)
            }
            return results.values
        }
        #expect(stopped == [true, true, true])
    }
}
