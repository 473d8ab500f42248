import Foundation
import SwitchboardStore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// One slow endpoint never slows another (issue 13 §2): endpoints that accept connections and never
/// answer hold their own in-flight slots and nobody else's. A destination starts at an eighth of
/// `max_concurrency_per_endpoint` (32 / 8 = 4) and grows only by answers, so a hanging one holds 4.
/// The attempt timeout is long (60 s), so no hanging attempt ends during most tests: the assertions
/// count deliveries and open requests, they do not time anything.
@Suite("Endpoint isolation")
struct EndpointIsolationTests {
    private static let delivery = #"{"allow_private_networks": true, "timeout_ms": 60000, "retry_schedule_seconds": [0, 60], "jitter": 0}"#
    private static let cap = DeliveryConfig().maxConcurrencyPerEndpoint
    private static let startCap = 4
    private static let events = 50

    /// Creates an endpoint for every event type; returns its destination name.
    @discardableResult
    private static func subscribe(_ fixture: ManagementFixture, _ url: String) async throws -> String {
        let created = try await fixture.call("POST", "/v1/webhook_endpoints", #"{"url": "\#(url)", "enabled_events": ["*"]}"#)
        try #require((200...201).contains(created.status), "\(created.text)")
        return "endpoint:\(created.string("id") ?? "")"
    }

    /// Posts `events` Salpre events, one call each (ids from `firstCall`), from 4 connections.
    private static func post(_ fixture: ManagementFixture, firstCall: Int = 5_000) async throws {
        let before = try fixture.query("SELECT count(*) AS n FROM events").first?.get("n", as: Int.self) ?? 0
        let port = fixture.gateway.port
        try await blocking {
            concurrently(4) { worker in
                guard let connection = try? RawHTTPConnection(port: port) else { return }
                for call in stride(from: worker, to: events, by: 4) {
                    _ = try? connection.request("POST", "/v1/ingest/salpre", headers: [("X-Salpre-Token", ManagementFixture.salpreToken)],
                                                body: Array(ManagementFixture.salpre("call_initiated", call: firstCall + call).utf8))
                }
            }
        }
        let stored = try fixture.query("SELECT count(*) AS n FROM events").first?.get("n", as: Int.self)
        try #require(stored == before + events)
    }

    /// Nine endpoints that hang (9 × 32 attempts were more than the deliverer's old total of 256) and one
    /// that never accepts a connection: the healthy endpoint gets all its deliveries while every hanging
    /// one holds its starting cap of requests open, and no more.
    @Test func hangingEndpointsHoldOnlyTheirOwnSlots() async throws {
        let fixture = try ManagementFixture(delivery: Self.delivery)
        defer { fixture.close() }
        let sink = try RecordingSink()
        defer { sink.stop() }
        let hanging = try (0..<9).map { _ in try HangingReceiver() }
        let refusing = try HangingReceiver(acceptsConnections: false)
        defer { for receiver in hanging + [refusing] { receiver.stop() } }
        for receiver in hanging + [refusing] { try await Self.subscribe(fixture, receiver.url("/hang")) }
        try await Self.subscribe(fixture, sink.url)
        try await Self.post(fixture)

        let isolated = try await blocking {
            eventually(30) { sink.all.count == Self.events && hanging.allSatisfy { $0.held == Self.startCap } }
        }
        #expect(DestinationCaps(normal: Self.cap).startCap == Self.startCap)
        #expect(isolated, "healthy: \(sink.all.count) of \(Self.events); hanging endpoints hold \(hanging.map(\.held))")
        #expect(hanging.allSatisfy { $0.held == Self.startCap }, "\(hanging.map(\.held))")
    }

    /// Nine endpoints on one host and port, eight paths hanging (8 × 4 requests, as many as libcurl's
    /// old per-host limit of 32): the ninth path's deliveries do not queue behind the hanging ones'
    /// connections inside curl, their timeout running, until the hanging requests time out.
    @Test func hangingPathsDoNotHoldUpAnotherPathOnTheSameHost() async throws {
        let fixture = try ManagementFixture(delivery: Self.delivery)
        defer { fixture.close() }
        let receiver = try HangingReceiver(answering: "/ok")
        defer { receiver.stop() }
        for path in 1...8 { try await Self.subscribe(fixture, receiver.url("/hang\(path)")) }
        try await Self.subscribe(fixture, receiver.url("/ok"))
        try await Self.post(fixture)

        let isolated = try await blocking {
            eventually(30) { receiver.answered == Self.events && receiver.held == 8 * Self.startCap }
        }
        #expect(isolated, "healthy path: \(receiver.answered) of \(Self.events); hanging paths hold \(receiver.held)")
    }

    /// The due query ranks only a window of the oldest due rows. A hanging endpoint's rows, older than
    /// everyone else's and more than the window holds, once filled it: nothing else was read until they
    /// were attempted. Destinations at their cap are now left out before the window is taken.
    @Test func aSaturatedEndpointsOlderRowsDoNotFillTheDueWindow() async throws {
        let fixture = try ManagementFixture(delivery: Self.delivery)
        defer { fixture.close() }
        let slow = try HangingReceiver()
        let other = try HangingReceiver()
        defer { for receiver in [slow, other] { receiver.stop() } }
        let saturated = try await Self.subscribe(fixture, slow.url("/hang"))
        try await Self.post(fixture, firstCall: 1_000)
        let waiting = try await Self.subscribe(fixture, other.url("/hang"))
        try await Self.post(fixture, firstCall: 2_000)
        let window = Self.events  // as many rows as the slow endpoint has pending, all older than the other's
        func due(excluding: [String]) throws -> Set<String> {
            let rows = try fixture.gateway.database?.read { connection in
                try DeliveryRecords.due(connection, now: Date().timeIntervalSince1970 + 1, perDestination: 1_000, limit: 1_000,
                                        excluding: excluding, scanLimit: window)
            } ?? []
            return Set(rows.map(\.destination))
        }
        #expect(try due(excluding: []) == [saturated])
        #expect(try due(excluding: [saturated]) == [waiting])
    }

    /// An endpoint whose attempts time out never gets past its starting cap: 50 deliveries, each
    /// attempt timing out after 200 ms, go 4 at a time (each would hold a socket for the whole timeout).
    @Test func anEndpointThatTimesOutStaysAtItsStartingCap() async throws {
        let fixture = try ManagementFixture(delivery: #"{"allow_private_networks": true, "timeout_ms": 200, "retry_schedule_seconds": [0, 3600], "jitter": 0}"#)
        defer { fixture.close() }
        let receiver = try HangingReceiver()
        defer { receiver.stop() }
        try await Self.subscribe(fixture, receiver.url("/hang"))
        @Sendable func attempts() -> Int { (try? fixture.query("SELECT count(*) AS n FROM attempts").first?.get("n", as: Int.self)) ?? -1 }
        try await Self.post(fixture, firstCall: 1_000)
        let done = try await blocking { eventually(30) { attempts() == Self.events && receiver.open == 0 } }
        try #require(done, "\(attempts()) attempts, \(receiver.open) open")
        #expect(receiver.maxOpen > 0)
        // The receiver may see a new connection just before it notices the one it replaces closed, so
        // allow twice the cap (before, 32 were open at once).
        #expect(receiver.maxOpen <= 2 * Self.startCap, "\(receiver.maxOpen) open at once")
    }

    /// The total in flight follows the open-file limit: a quarter of it, between 256 and 4,096.
    @Test func theTotalInFlightIsAQuarterOfTheFileLimitWithinBounds() {
        #expect(DeliveryLimits.maxInFlight(fileDescriptorLimit: 1_024) == 256)
        #expect(DeliveryLimits.maxInFlight(fileDescriptorLimit: 6_000) == 1_500)
        #expect(DeliveryLimits.maxInFlight(fileDescriptorLimit: 1_048_576) == 4_096)
        #expect(DeliveryLimits.maxInFlight(fileDescriptorLimit: nil) == 256)
        let client = DeliveryLimits.clientConfiguration(timeoutMilliseconds: 10_000, maxInFlight: 1_500, addressPolicy: nil)
        #expect(client.maxConnectionsPerHost == 0 && client.maxTotalConnections == 1_500 && client.maxCachedConnections == 1_500)
    }

    /// A destination's cap: 4 to start, one more per attempt that did not time out (up to 32), back to 4
    /// after a timeout, and the start again once forgotten; idle destinations keep theirs while few.
    @Test func aDestinationsCapGrowsByAnswersAndFallsBackOnATimeout() {
        var caps = DestinationCaps(normal: 32)
        #expect(caps.cap("a") == 4)
        for _ in 0..<10 { caps.record("a", timedOut: false) }
        #expect(caps.cap("a") == 14)
        for _ in 0..<100 { caps.record("a", timedOut: false) }
        #expect(caps.cap("a") == 32)
        #expect(caps.cap("b") == 4)
        caps.record("a", timedOut: true)
        #expect(caps.cap("a") == 4)
        caps.record("a", timedOut: false)
        caps.forget("a")
        #expect(caps.cap("a") == 4)
        #expect(DestinationCaps(normal: 1).cap("a") == 1)
        // A grown cap survives idleness (the deliverer's pipeline empties between batches) until more
        // than `remembered` destinations are known; then the idle ones start over.
        for _ in 0..<28 { caps.record("a", timedOut: false) }
        caps.forgetIdle(keeping: [])
        #expect(caps.cap("a") == 32)
        for index in 0...DestinationCaps.remembered { caps.record("d\(index)", timedOut: false) }
        caps.forgetIdle(keeping: ["d0"])
        #expect(caps.cap("a") == 4 && caps.cap("d0") == 5 && caps.cap("d1") == 4)
    }
}
