import Foundation
import SwitchboardCore
import SwitchboardHTTP
import SwitchboardStore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Endpoint health as the deliverer keeps it, with endpoints and deliveries written straight into the
/// store (the management API creates them in production).
@Suite("Endpoint auto-disable")
struct EndpointDisableTests {
    private func gateway(_ directory: TemporaryDirectory) throws -> (Gateway, LogWriter) {
        let config = try GatewayConfig.parse(Data("""
        {"listen": {"host": "127.0.0.1", "port": 0}, "store": {"path": "\(directory.file("gw.sqlite"))"},
         "delivery": {"retry_schedule_seconds": [0], "allow_private_networks": true, "max_concurrency_per_endpoint": 1}}
        """.utf8), environment: [:])
        let writer = LogWriter(fileDescriptor: open("/dev/null", O_WRONLY))
        let gateway = Gateway(config: config, logger: Logger(writer: writer))
        try gateway.start()
        return (gateway, writer)
    }

    /// Inserts an endpoint and `count` pending deliveries to it (one event each, distinct calls).
    private func seed(_ database: Database, endpoint: String, url: String, count: Int) async throws {
        try await database.write { connection in
            let now = Date().timeIntervalSince1970
            try connection.execute("""
                INSERT INTO endpoints (id, api, url, format, scheme, enabled_events, created_at, updated_at)
                VALUES (?, 'callingbox', ?, 'callingbox', 'callingbox', '["*"]', ?, ?)
                """, [endpoint, url, now, now])
            try connection.execute("INSERT INTO endpoint_secrets (endpoint_id, secret, created_at) VALUES (?, 'whsec_ep', ?)",
                                   [endpoint, now])
            for index in 0..<count {
                let event = "\(endpoint)-event-\(index)"
                try connection.execute("""
                    INSERT INTO events (id, source, identity, kind, vendor_type, call_id, call_key, is_test, occurred_at, received_at, body)
                    VALUES (?, 's', ?, 'call.ringing', 'call_ringing', ?, ?, 0, ?, ?, x'7B7D')
                    """, [event, event, "call-\(index)", "\(index)", now, now])
                try connection.execute("""
                    INSERT INTO deliveries (id, event_id, endpoint_id, destination, url, format, scheme, event_type, call_id, body,
                                            next_attempt_at, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, 'callingbox', 'callingbox', 'call.ringing', ?, x'7B7D', ?, ?, ?)
                    """, ["\(event)-delivery", event, endpoint, "endpoint:\(endpoint)", url, "call-\(index)", now, now, now])
            }
        }
    }

    private func endpointState(_ database: Database?, _ id: String) throws -> (String, String?, Int) {
        guard let row = try database?.read({ try $0.query("SELECT status, disabled_reason, consecutive_failures FROM endpoints WHERE id = ?", [id]).first }) else {
            return ("missing", nil, -1)
        }
        return (try row.get("status", as: String.self), try row.get("disabled_reason", as: String?.self),
                try row.get("consecutive_failures", as: Int.self))
    }

    @Test func tenConsecutiveExhaustedDeliveriesDisableTheEndpointAndLaterOnesWait() async throws {
        let sink = try RecordingSink { _ in HTTPResponse(status: 500) }
        defer { sink.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (gateway, writer) = try gateway(directory)
        defer { gateway.shutdown(); writer.close() }
        let database = try #require(gateway.database)
        try await seed(database, endpoint: "ep-failing", url: sink.url, count: 12)
        DeliverySignalTestHook.wake(gateway)
        let disabled = try await blocking {
            eventually(20) { (try? endpointState(database, "ep-failing").0) == "disabled" }
        }
        #expect(disabled)
        let state = try endpointState(database, "ep-failing")
        #expect(state.1 == "too_many_failures")
        #expect(state.2 == 10)
        // The two deliveries after the tenth are held until the endpoint is re-enabled: never attempted.
        _ = try await blocking { usleep(300_000) }
        #expect(sink.all.count == 10)
        let pending = try database.read { try $0.scalar("SELECT count(*) FROM deliveries WHERE status = 'pending'", as: Int.self) }
        #expect(pending == 0)
        let held = try database.read { try $0.scalar("SELECT count(*) FROM deliveries WHERE status = 'held'", as: Int.self) }
        #expect(held == 2)
    }

    @Test func aSuccessResetsTheCountAndGoneDisablesAtOnce() async throws {
        let flaky = try RecordingSink { number in HTTPResponse(status: number == 3 ? 200 : 500) }
        defer { flaky.stop() }
        let gone = try RecordingSink { _ in HTTPResponse(status: 410) }
        defer { gone.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (gateway, writer) = try gateway(directory)
        defer { gateway.shutdown(); writer.close() }
        let database = try #require(gateway.database)
        try await seed(database, endpoint: "ep-flaky", url: flaky.url, count: 5)
        try await seed(database, endpoint: "ep-gone", url: gone.url, count: 2)
        DeliverySignalTestHook.wake(gateway)
        #expect(try await blocking { eventually(20) { flaky.all.count == 5 && gone.all.count >= 1 } })
        #expect(try await blocking { eventually { (try? endpointState(database, "ep-flaky").2) == 2 } })
        // Failures 1 and 2, then a success (reset), then failures 4 and 5.
        #expect(try endpointState(database, "ep-flaky").0 == "enabled")
        #expect(try await blocking { eventually { (try? endpointState(database, "ep-gone").1) == "gone" } })
        #expect(gone.all.count == 1)
    }

    /// A backlog at one endpoint (more due deliveries than one batch holds) must not stop another
    /// endpoint's deliveries: each destination gets its share of every batch.
    @Test func aBackloggedEndpointDoesNotStarveAnother() async throws {
        let slow = try RecordingSink { _ in usleep(100_000); return HTTPResponse(status: 200) }
        defer { slow.stop() }
        let fast = try RecordingSink()
        defer { fast.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (gateway, writer) = try gateway(directory)
        defer { gateway.shutdown(); writer.close() }
        let database = try #require(gateway.database)
        try await seed(database, endpoint: "ep-backlog", url: slow.url, count: 600)
        try await seed(database, endpoint: "ep-healthy", url: fast.url, count: 5)
        DeliverySignalTestHook.wake(gateway)
        #expect(try await blocking { eventually(15) { fast.all.count == 5 } })
        let backlog = try database.read { try $0.scalar("SELECT count(*) FROM deliveries WHERE endpoint_id = 'ep-backlog' AND status = 'pending'", as: Int.self) }
        #expect((backlog ?? 0) > 400)
    }
}

/// Rows written behind the gateway's back need the deliverer woken (ingest does this itself).
enum DeliverySignalTestHook {
    static func wake(_ gateway: Gateway) { gateway.wakeDeliverer() }
}
