import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardHTTP

/// Connections under attack (issue 13 §1): total header and body deadlines, the per-address connection
/// limit, and no select() ceiling. Deadlines here are short (a few hundred ms) against trickles that
/// would go on for 10 s, so a connection that is cut was cut by the deadline, not by the clock running out.
@Suite("HTTPServer connection limits and deadlines")
struct HTTPServerDeadlineTests {
    /// Sends `bytes` one at a time, `gap` ms apart, until the server closes the connection. Returns how
    /// many were sent (all of them when it never closed).
    private static func trickle(_ bytes: [UInt8], on connection: RawHTTPConnection, gap: UInt32 = 100) -> Int {
        for (index, byte) in bytes.enumerated() {
            guard (try? connection.send([byte])) != nil else { return index }
            usleep(gap * 1000)
        }
        return bytes.count
    }

    @Test func aSlowlorisIsCutAtTheHeaderDeadlineThoughEveryByteArrivesInTime() async throws {
        let server = try makeTestServer { $0.headerTimeoutMilliseconds = 500 }
        defer { server.shutdown() }
        let port = server.port
        // 100 header bytes, one every 100 ms (10 s): libmicrohttpd's idle timeout (60 s) never fires.
        let (sent, closed) = try await blocking { () -> (Int, Bool) in
            let connection = try RawHTTPConnection(port: port, timeoutSeconds: 15)
            try connection.send("GET /fast HTTP/1.1\r\nHost: a\r\n")
            let sent = Self.trickle(Array("X-Slow: \(String(repeating: "a", count: 92))".utf8), on: connection)
            return (sent, sent < 100 || connection.waitForPeerClose())
        }
        #expect(sent < 100, "the whole header block went through")
        #expect(closed)
        #expect(server.statistics.rejected["header_timeout"] == 1)
        #expect(server.statistics.requestsCompleted == 0)
    }

    @Test func aTrickledBodyIsCutAtTheBodyDeadline() async throws {
        let server = try makeTestServer { $0.bodyTimeoutMilliseconds = 500 }
        defer { server.shutdown() }
        let port = server.port
        let sent = try await blocking { () -> Int in
            let connection = try RawHTTPConnection(port: port, timeoutSeconds: 15)
            try connection.send("POST /echo/x HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n")
            return Self.trickle(Array(repeating: UInt8(ascii: "a"), count: 100), on: connection)
        }
        #expect(sent < 100)
        #expect(try await blocking { eventually { server.statistics.rejected["body_timeout"] == 1 } })
        #expect(try await blocking { eventually { server.statistics.inflightBodyBytes == 0 } })
    }

    @Test func aKeptAliveConnectionMayWaitLongerThanTheHeaderDeadlineBetweenRequests() async throws {
        let server = try makeTestServer { $0.headerTimeoutMilliseconds = 500; $0.bodyTimeoutMilliseconds = 500 }
        defer { server.shutdown() }
        let port = server.port
        let statuses = try await blocking { () -> [Int] in
            let connection = try RawHTTPConnection(port: port)
            let first = try connection.request("POST", "/echo/a", body: Array("x".utf8)).status
            usleep(1_500_000)
            return [first, try connection.request("GET", "/fast").status]
        }
        #expect(statuses == [200, 200])
        #expect(server.statistics.connectionsOpened == 1)
        #expect(server.statistics.rejected["header_timeout"] == 0)
    }

    @Test func aFloodFromOneAddressLeavesOtherAddressesServed() async throws {
        let server = try makeTestServer { $0.connectionLimitPerIP = 4 }
        defer { server.shutdown() }
        let port = server.port
        let outcome = try await blocking { () -> (Bool, Int, Bool) in
            let flood = try (0..<4).map { _ in try RawHTTPConnection(port: port, source: "127.0.0.2") }
            _ = eventually { server.statistics.connectionsOpened == 4 }
            let fifth = try RawHTTPConnection(port: port, timeoutSeconds: 5, source: "127.0.0.2")
            let refused = fifth.waitForPeerClose()
            let other = try RawHTTPConnection(port: port, timeoutSeconds: 5).request("GET", "/fast").status
            // Still four open from 127.0.0.2: another from there is not served either.
            let again = try? RawHTTPConnection(port: port, timeoutSeconds: 5, source: "127.0.0.2").request("GET", "/fast")
            _ = flood
            return (refused, other, again == nil)
        }
        #expect(outcome.0, "the fifth connection from 127.0.0.2 was not closed")
        #expect(outcome.1 == 200)
        #expect(outcome.2, "a fifth connection from 127.0.0.2 was served while four were open")
        #expect(server.statistics.rejected["connection_limit"] ?? 0 >= 2)
    }

    @Test func moreThan1024ConnectionsAtOnceAndTheNextOneIsServed() async throws {
        HostileHTTPTests.allowManyDescriptors()
        let server = try makeTestServer()
        defer { server.shutdown() }
        let port = server.port
        let status = try await blocking { () -> Int in
            // 1,100 idle connections from five addresses (220 each, under the 256 per address): past
            // select()'s FD_SETSIZE of 1,024 descriptors, in this very process.
            var idle: [RawHTTPConnection] = []
            for index in 0..<1_100 {
                idle.append(try RawHTTPConnection(port: port, source: "127.0.0.\(2 + index % 5)"))
            }
            _ = eventually(10) { server.statistics.connectionsOpened >= 1_100 }
            let status = try RawHTTPConnection(port: port, timeoutSeconds: 5).request("GET", "/fast").status
            _ = idle
            return status
        }
        #expect(status == 200)
        #expect(server.statistics.connectionsOpened == 1_101)
    }
}
