import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardHTTP

@Suite("HTTPServer graceful shutdown")
struct HTTPServerShutdownTests {
    /// Load on keep-alive connections, slow requests in flight and parked requests that would never
    /// answer by themselves; shutdown must finish the in-flight ones, answer the parked ones 503, close
    /// the rest, and return without crashing (libmicrohttpd aborts if stopped with a parked connection).
    @Test func shutdownUnderLoadFinishesInFlightAndReleasesParked() async throws {
        let server = try makeTestServer { $0.threads = 2 }
        let port = server.port
        let loadStatuses = LockedArray<Int>()
        let slowStatuses = LockedArray<Int>()
        let parkedStatuses = LockedArray<Int>()
        let stop = LockedArray<Bool>()

        let outcome = try await blocking { () -> (Bool, Bool) in
            let load = Thread {
                concurrently(8) { _ in
                    guard let connection = try? RawHTTPConnection(port: port, timeoutSeconds: 5) else { return }
                    while stop.values.isEmpty {
                        guard let response = try? connection.request("GET", "/fast") else { return }
                        loadStatuses.append(response.status)
                    }
                }
            }
            let slow = Thread {
                concurrently(8) { _ in
                    let status = (try? RawHTTPConnection(port: port).request("GET", "/slow?ms=300"))?.status ?? -1
                    slowStatuses.append(status)
                }
            }
            let parked = Thread {
                concurrently(8) { _ in
                    let status = (try? RawHTTPConnection(port: port).request("GET", "/park"))?.status ?? -1
                    parkedStatuses.append(status)
                }
            }
            load.start(); slow.start(); parked.start()
            let busy = eventually { server.statistics.requestsSuspended >= 16 && loadStatuses.values.count > 100 }
            server.shutdown(graceSeconds: 2)
            stop.append(true)
            let drained = eventually { slowStatuses.values.count == 8 && parkedStatuses.values.count == 8 }
            return (busy, drained)
        }
        #expect(outcome.0, "the server never got busy")
        #expect(outcome.1, "requests did not finish")
        // In-flight slow requests completed normally within the grace period.
        #expect(slowStatuses.values == Array(repeating: 200, count: 8))
        // Parked requests were answered 503 rather than dropped.
        #expect(parkedStatuses.values == Array(repeating: 503, count: 8))
        // Load requests either succeeded or saw their connection closed; none got an error status.
        #expect(loadStatuses.values.allSatisfy { $0 == 200 })
        #expect(server.statistics.requestsSuspended == 0)
        // Nothing listens any more.
        #expect(throws: (any Error).self) { _ = try RawHTTPConnection(port: port, timeoutSeconds: 1) }
        server.shutdown()  // a second call is harmless
    }

    @Test func shutdownOfAnIdleServerIsQuick() throws {
        let server = try makeTestServer()
        server.shutdown()
        #expect(server.statistics.requestsInFlight == 0)
    }

    @Test func startingTwiceOrOnABusyPortFails() throws {
        let server = try makeTestServer()
        defer { server.shutdown() }
        #expect(throws: HTTPServerError.self) { try server.start() }
        let clash = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: server.port), router: Router())
        #expect(throws: ListenError.self) { try clash.start() }
        let badHost = HTTPServer(configuration: HTTPServerConfiguration(host: "no-such-host.invalid", port: 0), router: Router())
        #expect(throws: ListenError.self) { try badHost.start() }
    }
}
