import Foundation
import SwitchboardStore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

@Suite("Retention: finished history older than retention.days is removed, in batches")
struct RetentionTests {
    private static func started(_ call: Int) -> String {
        #"{"event_type":"call_initiated","timestamp_utc":1760084505,"payload":{"call_id":\#(call),"from":"+905555555555","to":"+905555555554","direction":"outbound","source":"salprebox:SALPRE_AABBCCDD"},"is_test":false}"#
    }

    private static func ended(_ call: Int) -> String {
        #"{"event_type":"call_ended","timestamp_utc":1760084597,"payload":{"call_id":\#(call),"from":"+905555555555","to":"+905555555554","direction":"outbound","source":"salprebox:SALPRE_AABBCCDD","transcript":[]},"is_test":false}"#
    }

    /// Rows of every table that belong to the vendor call `key`: events, deliveries, attempts, claims.
    private static func rows(_ database: Database, call key: String) throws -> [String: Int] {
        try database.read { connection in
            let events = "SELECT id FROM events WHERE call_key = '\(key)'"
            let deliveries = "SELECT id FROM deliveries WHERE event_id IN (\(events))"
            return [
                "events": try connection.scalar("SELECT count(*) FROM (\(events))", as: Int.self) ?? -1,
                "deliveries": try connection.scalar("SELECT count(*) FROM (\(deliveries))", as: Int.self) ?? -1,
                "attempts": try connection.scalar("SELECT count(*) FROM attempts WHERE delivery_id IN (\(deliveries))", as: Int.self) ?? -1,
                "claims": try connection.scalar("SELECT count(*) FROM call_claims WHERE event_id IN (\(events))", as: Int.self) ?? -1,
            ]
        }
    }

    @Test("an old call whose deliveries are finished goes with everything that refers to it; pending and recent ones stay")
    func oldFinishedHistoryGoesAndEverythingElseStays() async throws {
        let fixture = try IngestFixture()
        defer { fixture.close() }
        let database = try #require(fixture.gateway.database)
        for call in 1...3 {
            #expect(try await fixture.post(Self.started(call)).status == 202)
            #expect(try await fixture.post(Self.ended(call)).status == 202)
        }
        let old = Date().timeIntervalSince1970 - 40 * 86_400
        // Calls 1 and 2 were received 40 days ago; 1 and 3 are delivered (1 with an attempt on record),
        // 2 still has a pending delivery. An old decision, a recent one, and an endpoint deleted long ago.
        try await database.write { connection in
            let callEvents = { (keys: String) in "SELECT id FROM events WHERE call_key IN (\(keys))" }
            try connection.execute("UPDATE events SET received_at = ? WHERE call_key IN ('1', '2')", [old])
            try connection.execute("UPDATE deliveries SET status = 'delivered' WHERE event_id IN (\(callEvents("'1', '3'")))")
            try connection.execute("""
                INSERT INTO attempts (delivery_id, number, started_at, duration_ms, response_status)
                SELECT id, 1, ?, 5, 200 FROM deliveries WHERE event_id IN (\(callEvents("'1'")))
                """, [old])
            try connection.execute("UPDATE deliveries SET status = 'delivered' WHERE event_id IN (\(callEvents("'2'"))) AND event_type = 'call.started'")
            for (id, created) in [("old-decision", old), ("new-decision", Date().timeIntervalSince1970)] {
                try connection.execute("""
                    INSERT INTO decisions (id, source, call_id, call_key, event_id, decided_by, action, latency_ms, created_at)
                    VALUES (?, 'inkbox', 'c', 'k', 'e', 'fallback', 'reject', 1, ?)
                    """, [id, created])
            }
            try connection.execute("""
                INSERT INTO endpoints (id, api, url, format, scheme, enabled_events, created_at, updated_at, deleted_at)
                VALUES ('gone-endpoint', 'callingbox', 'https://example.test/', 'callingbox', 'callingbox', '["*"]', ?, ?, ?)
                """, [old, old, old])
            try connection.execute("INSERT INTO endpoint_secrets (endpoint_id, secret, created_at) VALUES ('gone-endpoint', 'whsec_x', ?)", [old])
        }
        let before = try [1, 2, 3].map { try Self.rows(database, call: "\($0)") }
        #expect(before[0]["events"] == 2 && before[0]["claims"] ?? 0 > 0 && before[0]["attempts"] ?? 0 > 0, "\(before[0])")

        let removed = try #require(try fixture.gateway.sweepRetention())
        #expect(removed.events == 2)
        #expect(removed.deliveries == before[0]["deliveries"])
        #expect(removed.attempts == before[0]["attempts"])
        #expect(removed.claims == before[0]["claims"])
        #expect(removed.decisions == 1)
        #expect(removed.endpoints == 1)
        #expect(try Self.rows(database, call: "1") == ["events": 0, "deliveries": 0, "attempts": 0, "claims": 0])
        #expect(try Self.rows(database, call: "2") == before[1], "a pending delivery keeps its old call")
        #expect(try Self.rows(database, call: "3") == before[2], "recent history stays")
        let left = try database.read { connection in
            (try connection.scalar("SELECT group_concat(id) FROM decisions", as: String.self),
             try connection.scalar("SELECT count(*) FROM endpoint_secrets WHERE endpoint_id = 'gone-endpoint'", as: Int.self))
        }
        #expect(left.0 == "new-decision")
        #expect(left.1 == 0)

        // The removed call's de-duplication keys went with it: a resend is a new event.
        let resent = try await fixture.post(Self.started(1))
        #expect(resent.status == 202)
        #expect(resent.json?["duplicate"] == nil)
    }

    @Test("a sweep larger than one batch runs batch after batch until nothing old is left")
    func manyBatches() async throws {
        var config = try IngestFixture.config(try TemporaryDirectory())
        config.retention.batchSize = 7
        config.sources[0].webhookURL = "http://127.0.0.1:9/hook"  // refused at once: no DNS wait at shutdown
        let fixture = try IngestFixture(config: config)
        defer { fixture.close() }
        let database = try #require(fixture.gateway.database)
        for call in 1...30 { #expect(try await fixture.post(Self.started(call)).status == 202) }
        try await database.write { connection in
            try connection.execute("UPDATE events SET received_at = ?", [Date().timeIntervalSince1970 - 31 * 86_400])
            try connection.execute("UPDATE deliveries SET status = 'exhausted'")
        }
        let removed = try #require(try fixture.gateway.sweepRetention())
        #expect(removed.events == 30)
        #expect(try fixture.count("events") == 0)
        #expect(try fixture.count("deliveries") == 0)
    }

    @Test("the sweep runs by itself every sweep_interval_seconds")
    func scheduledSweep() async throws {
        var config = try IngestFixture.config(try TemporaryDirectory())
        config.retention.sweepIntervalSeconds = 1
        config.sources[0].webhookURL = nil
        let fixture = try IngestFixture(config: config)
        defer { fixture.close() }
        let database = try #require(fixture.gateway.database)
        #expect(try await fixture.post(Self.started(1)).status == 202)
        try await database.write { try $0.execute("UPDATE events SET received_at = ?", [Date().timeIntervalSince1970 - 31 * 86_400]) }
        let deadline = Date(timeIntervalSinceNow: 10)
        while try fixture.count("events") > 0, Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(try fixture.count("events") == 0)
    }

    @Test("retention settings: defaults, 0 keeps everything, unknown keys and bad values are named")
    func configuration() throws {
        let defaults = try GatewayConfig.parse(Data(#"{}"#.utf8))
        #expect(defaults.retention == RetentionConfig())
        #expect(defaults.retention.days == 30 && defaults.retention.isEnabled)
        let off = try GatewayConfig.parse(Data(#"{"retention": {"days": 0, "sweep_interval_seconds": 60, "batch_size": 10}}"#.utf8))
        #expect(!off.retention.isEnabled)
        #expect(off.retention.sweepIntervalSeconds == 60 && off.retention.batchSize == 10)
        for (json, named) in [(#"{"retention": {"dayz": 3}}"#, "dayz"), (#"{"retention": {"days": -1}}"#, "days"),
                              (#"{"retention": {"batch_size": 0}}"#, "batch_size")] {
            let error = #expect(throws: ConfigError.self) { try GatewayConfig.parse(Data(json.utf8)) }
            #expect(error?.description.contains(named) == true, "\(error?.description ?? "")")
        }
    }
}
