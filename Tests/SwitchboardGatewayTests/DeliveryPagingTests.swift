import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Cursor paging of `GET /v1/webhook_deliveries` and `GET /v1/webhook_endpoints` (`limit`,
/// `starting_after`, `ending_before`, `has_more`), walked to the end in both directions.
@Suite("Cursor paging of deliveries and endpoints")
struct DeliveryPagingTests {
    /// Writes `count` CallingBox-format deliveries (three per `created_at`, so the rowid breaks ties),
    /// plus a OneInbox-format one and a decision request, which the CallingBox list leaves out.
    /// Returns the listed ids, newest first.
    private func seed(_ fixture: ManagementFixture, count: Int) async throws -> [String] {
        let database = try #require(fixture.gateway.database)
        try await database.write { connection in
            try connection.execute("""
                INSERT INTO events (id, source, identity, kind, vendor_type, call_id, call_key, is_test, occurred_at, received_at, body)
                VALUES ('paging-event', 'salpre', 'paging', 'call.ringing', 'call_ringing', 'paging-call', '77', 0, 1, 1, x'7B7D')
                """)
            let insert = """
                INSERT INTO deliveries (id, event_id, destination, url, format, scheme, event_type, call_id, body, status,
                                        next_attempt_at, created_at, updated_at)
                VALUES (?, 'paging-event', ?, 'http://127.0.0.1:9/', ?, 'callingbox', 'call.ringing', 'paging-call', x'7B7D',
                        'delivered', 0, ?, ?)
                """
            for index in 0..<count {
                let at = 1_000_000 + Double(index / 3)
                try connection.execute(insert, [String(format: "00000000-0000-4000-8000-%012d", index), "source:salpre",
                                                "callingbox", at, at])
            }
            try connection.execute(insert, ["10000000-0000-4000-8000-000000000000", "endpoint:x", "oneinbox", 2_000_000.0, 0.0])
            try connection.execute(insert, ["20000000-0000-4000-8000-000000000000", "decision:ib", "callingbox", 2_000_000.0, 0.0])
        }
        return (0..<count).reversed().map { String(format: "00000000-0000-4000-8000-%012d", $0) }
    }

    private func page(_ fixture: ManagementFixture, _ query: String) async throws -> (ids: [String], hasMore: Bool) {
        let reply = try await fixture.call("GET", "/v1/webhook_deliveries?\(query)")
        #expect(reply.status == 200, "\(reply.text)")
        return (reply.data.compactMap { $0["id"] as? String }, try #require(reply["has_more"] as? Bool))
    }

    @Test func walkingForwardAndBackwardVisitsEveryDeliveryOnce() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        let expected = try await seed(fixture, count: 1_000)

        // Forward: starting_after the last item of each page, newest first.
        var forward: [String] = []
        var (ids, hasMore) = try await page(fixture, "limit=37")
        forward += ids
        while hasMore, let last = ids.last {
            (ids, hasMore) = try await page(fixture, "limit=37&starting_after=\(last)")
            forward += ids
        }
        #expect(forward == expected)

        // Backward from the oldest: each ending_before page holds the items just newer than the cursor,
        // newest first; the pages come nearest first, so they are put in front.
        let oldest = try #require(expected.last)
        var backward: [String] = []
        (ids, hasMore) = try await page(fixture, "limit=41&ending_before=\(oldest)")
        backward = ids + backward
        while hasMore, let first = ids.first {
            (ids, hasMore) = try await page(fixture, "limit=41&ending_before=\(first)")
            #expect(ids.count <= 41)
            backward = ids + backward
        }
        #expect(backward == Array(expected.dropLast()))

        // The default page is 50; 100 is the most.
        #expect(try await page(fixture, "").ids == Array(expected.prefix(50)))
        #expect(try await page(fixture, "limit=100&starting_after=\(expected[899])") == (Array(expected.suffix(100)), false))
        #expect(try await page(fixture, "limit=5&ending_before=\(expected[3])") == (Array(expected.prefix(3)), false))
    }

    @Test func endpointsPageNewestFirst() async throws {
        let fixture = try ManagementFixture()
        defer { fixture.close() }
        var created: [String] = []
        for index in 0..<5 {
            let reply = try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "http://127.0.0.1:9/\#(index)/"}"#)
            created.insert(try #require(reply.string("id")), at: 0)
        }
        let all = try await fixture.call("GET", "/v1/webhook_endpoints")
        #expect(all.data.compactMap { $0["id"] as? String } == created)
        #expect(all["has_more"] as? Bool == false)
        let first = try await fixture.call("GET", "/v1/webhook_endpoints?limit=2")
        #expect(first.data.compactMap { $0["id"] as? String } == Array(created.prefix(2)))
        #expect(first["has_more"] as? Bool == true)
        let next = try await fixture.call("GET", "/v1/webhook_endpoints?limit=2&starting_after=\(created[1])")
        #expect(next.data.compactMap { $0["id"] as? String } == Array(created[2...3]))
        let previous = try await fixture.call("GET", "/v1/webhook_endpoints?limit=2&ending_before=\(created[2])")
        #expect(previous.data.compactMap { $0["id"] as? String } == Array(created.prefix(2)))
        #expect(previous["has_more"] as? Bool == false)
        let unknown = try await fixture.call("GET", "/v1/webhook_endpoints?starting_after=00000000-0000-4000-8000-000000000000")
        #expect(unknown.status == 422)
        #expect(unknown.errorMessage.hasPrefix("starting_after:"))
        #expect(try await fixture.call("GET", "/v1/webhook_endpoints?limit=101").status == 422)
    }
}

/// Migration 7 on a store written by an earlier version.
@Suite("Migration 7: held and canceled deliveries")
struct HeldMigrationTests {
    @Test func pendingDeliveriesOfDisabledAndDeletedEndpointsAreConverted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("gw.sqlite")
        let old = try Database.open(path: path, migrations: Array(GatewaySchema.migrations.prefix(6)))
        try await old.write { connection in
            try connection.execute("""
                INSERT INTO events (id, source, identity, kind, vendor_type, call_id, call_key, is_test, occurred_at, received_at, body)
                VALUES ('e', 's', 'i', 'call.ringing', 'call_ringing', 'c', 'k', 0, 1, 1, x'7B7D')
                """)
            for (id, status, deleted) in [("ep-on", "enabled", nil), ("ep-off", "disabled", nil), ("ep-gone", "enabled", 5.0)] as [(String, String, Double?)] {
                try connection.execute("""
                    INSERT INTO endpoints (id, api, url, format, scheme, enabled_events, status, created_at, updated_at, deleted_at)
                    VALUES (?, 'callingbox', 'http://127.0.0.1:9/', 'callingbox', 'callingbox', '["*"]', ?, 1, 1, ?)
                    """, [id, status, deleted])
                try connection.execute("""
                    INSERT INTO deliveries (id, event_id, endpoint_id, destination, url, format, scheme, event_type, call_id, body,
                                            next_attempt_at, created_at, updated_at)
                    VALUES (?, 'e', ?, ?, 'http://127.0.0.1:9/', 'callingbox', 'callingbox', 'call.ringing', 'c', x'7B7D', 1, 1, 1)
                    """, ["d-\(id)", id, "endpoint:\(id)"])
            }
        }
        old.close()
        let database = try Database.open(path: path, migrations: GatewaySchema.migrations)
        defer { database.close() }
        let statuses = try database.read { connection in
            try connection.query("SELECT id, status FROM deliveries ORDER BY id").map {
                "\(try $0.get("id", as: String.self))=\(try $0.get("status", as: String.self))"
            }
        }
        #expect(statuses == ["d-ep-gone=canceled", "d-ep-off=held", "d-ep-on=pending"])
    }
}
