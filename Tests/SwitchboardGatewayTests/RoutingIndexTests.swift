import Testing
@testable import SwitchboardCore
@testable import SwitchboardGateway

/// Routing selects endpoints from an index and encodes each format once (issue 13 §3). No timing here:
/// the cost is shown by counting the mapping runs (`Translator.formatEncodings`); the p50 comparison
/// is `scripts/system/routing_cost.py` in `make test-system`.
@Suite("Routing: endpoints from an index, each format encoded once")
struct RoutingIndexTests {
    static let source = SourceConfig(name: "salpre", format: "salpre", auth: .headerToken(header: "X", value: "y"),
                                     webhookURL: "http://127.0.0.1:9/source/", webhookFormat: "callingbox", unknownEvents: .skip)

    static func endpoint(_ id: String, _ api: EndpointAPI, _ events: [String], test: Bool = false) -> DestinationRegistry.Endpoint {
        DestinationRegistry.Endpoint(EndpointRecord(id: id, api: api, name: nil, url: "http://127.0.0.1:9/\(id)/",
                                                    enabledEvents: events, receiveTestEvents: test, now: 0))
    }

    static func event(_ translator: inout Translator, _ type: String = "call_ringing", test: Bool = false) throws -> CallEvent {
        guard case .event(var event) = try translator.decode(Array(ManagementFixture.salpre(type, test: test).utf8), format: "salpre",
                                                             source: "salpre", receivedAt: 1_760_084_555) else {
            throw TranslationError.missingEventType
        }
        translator.correlate(&event)
        return event
    }

    /// What routing gave before the index: each destination in turn, its own `encode` run, the outputs
    /// it subscribes to, with the delivery id as envelope id.
    static func perDestination(_ event: CallEvent, _ destinations: [(name: String, format: String, wants: (String) -> Bool)],
                               _ translator: inout Translator) throws -> [[String]] {
        var rows: [[String]] = []
        for destination in destinations {
            let results = try translator.encode(event, as: destination.format, destination: destination.name) { type in
                IngestService.deliveryID(eventID: event.id, destination: destination.name, type: type)
            }
            for case .output(let output) in results where destination.wants(output.type) {
                rows.append([destination.name, output.envelopeID, output.type, String(decoding: output.body, as: UTF8.self)])
            }
        }
        return rows
    }

    static func rows(_ deliveries: [NewDelivery]) -> [[String]] {
        deliveries.map { [$0.destination, $0.id, $0.eventType, String(decoding: $0.body, as: UTF8.self)] }
    }

    @Test func eachFormatIsEncodedOnceAndEveryBodyIsWhatItsOwnEncodingGives() throws {
        let mappings = try MappingLoader.load(directory: "mappings")
        var translator = Translator(mappings: mappings)
        translator.claimsInMemory = false
        let event = try Self.event(&translator, "call_answered")
        var endpoints = [Self.endpoint("cb-all", .callingBox, ["*"]),
                         Self.endpoint("ob-all", .oneInbox, EventCatalog.oneInbox),
                         Self.endpoint("cb-answered", .callingBox, ["call.answered"])]
        // 2,000 endpoints that do not want an answered call, between and after the ones that do.
        endpoints.insert(contentsOf: (0..<1_000).map { Self.endpoint("cb-done-\($0)", .callingBox, ["call.completed"]) }, at: 1)
        endpoints += (0..<1_000).map { Self.endpoint("ob-ended-\($0)", .oneInbox, ["call.ended"]) }
        var snapshot = DestinationRegistry.Snapshot()
        snapshot.endpoints = endpoints

        let routed = try IngestService.route(event, source: Self.source, destinations: snapshot, translator: &translator)
        // Two formats among the endpoints (the source's webhook_url shares callingbox): two mapping runs.
        #expect(translator.formatEncodings == 2)
        #expect(routed.map(\.destination) == ["endpoint:cb-all", "endpoint:ob-all", "endpoint:cb-answered", "source:salpre"])

        var legacy = Translator(mappings: mappings)
        legacy.claimsInMemory = false
        var wanted: [(name: String, format: String, wants: (String) -> Bool)] = []
        for endpoint in endpoints {
            wanted.append((name: "endpoint:\(endpoint.id)", format: endpoint.format, wants: { endpoint.wants($0) }))
        }
        wanted.append((name: "source:salpre", format: "callingbox", wants: { _ in true }))
        let expected = try Self.perDestination(event, wanted, &legacy)
        #expect(Self.rows(routed) == expected)
        // Each body carries its own delivery id, so they differ although the mapping ran once.
        #expect(Set(routed.map(\.body)).count == routed.count)
        #expect(routed.allSatisfy { String(decoding: $0.body, as: UTF8.self).contains($0.id) })
    }

    @Test func aBodyThatTransformsTheEnvelopeIDIsRenderedPerDestination() throws {
        let document = try JSONReader.parse(Array(#"""
        {"format": "hashed", "title": "envelope id through functions",
         "event": {"type": "$.t", "identity": "$.i"},
         "decode": {"x": {"kind": "call.ringing", "set": {"call.key": "$.c"}}},
         "encode": {"call.ringing": {"type": "call.ringing",
                    "body": {"upper": {"@upper": "$.envelope_id"}, "plain": "$.envelope_id", "text": "id={{$.envelope_id}}",
                             "whole": {"@sha256": {"@json": "$"}}}}}}
        """#.utf8))
        let hashed = try FormatMapping.compile(document, name: "hashed")
        var translator = Translator(mappings: try MappingLoader.load(directory: "mappings") + [hashed])
        translator.claimsInMemory = false
        let event = try Self.event(&translator)
        var snapshot = DestinationRegistry.Snapshot()
        snapshot.endpoints = [Self.endpoint("a", .callingBox, ["*"]), Self.endpoint("b", .callingBox, ["*"])]
        snapshot.endpoints = snapshot.endpoints.map { var endpoint = $0; endpoint.format = "hashed"; return endpoint }
        let routed = try IngestService.route(event, source: Self.source, destinations: snapshot, translator: &translator)
        var legacy = Translator(mappings: try MappingLoader.load(directory: "mappings") + [hashed])
        let expected = try Self.perDestination(event, [(name: "endpoint:a", format: "hashed", wants: { _ in true }),
                                                       (name: "endpoint:b", format: "hashed", wants: { _ in true }),
                                                       (name: "source:salpre", format: "callingbox", wants: { _ in true })], &legacy)
        #expect(Self.rows(routed) == expected)
        #expect(String(decoding: routed[0].body, as: UTF8.self).contains(routed[0].id.uppercased()))
    }

    @Test func testEventsReachOnlyEndpointsThatOptInAndOtherFormatsAreNotEncoded() throws {
        var translator = Translator(mappings: try MappingLoader.load(directory: "mappings"))
        translator.claimsInMemory = false
        let event = try Self.event(&translator, test: true)
        var snapshot = DestinationRegistry.Snapshot()
        snapshot.endpoints = [Self.endpoint("cb-live", .callingBox, ["*"]), Self.endpoint("ob-live", .oneInbox, EventCatalog.oneInbox),
                              Self.endpoint("cb-test", .callingBox, ["*"], test: true)]
        let routed = try IngestService.route(event, source: Self.source, destinations: snapshot, translator: &translator)
        #expect(routed.map(\.destination) == ["endpoint:cb-test"])
        #expect(translator.formatEncodings == 1)

        snapshot.endpoints = Array(snapshot.endpoints.prefix(2))
        let none = try IngestService.route(event, source: Self.source, destinations: snapshot, translator: &translator)
        #expect(none.isEmpty)
        #expect(translator.formatEncodings == 1)
        #expect(NoDeliveryReason.of(event, source: Self.source, destinations: snapshot, routed: none) == .testEventNoSubscriber)
    }

    @Test func theRegistryKeepsEachEndpointsPlaceAndHoldsDisabledOnes() {
        let registry = DestinationRegistry()
        func record(_ id: String, events: [String]) -> EndpointRecord {
            EndpointRecord(id: id, api: .callingBox, name: nil, url: "http://127.0.0.1:9/\(id)/", enabledEvents: events,
                           receiveTestEvents: false, now: 0)
        }
        for id in ["a", "b", "c"] { registry.apply(record(id, events: ["call.completed"])) }
        var a = record("a", events: ["call.ringing"])
        _ = a.setEnabled(false, now: 1)
        registry.apply(a)
        // Disabled: still routed (its deliveries are held), in its place, under its new subscription.
        #expect(registry.snapshot.endpoints.map(\.id) == ["a", "b", "c"])
        #expect(registry.snapshot.index.subscribers(format: "callingbox", type: "call.ringing", test: false).map(\.endpoint.id) == ["a"])
        #expect(registry.snapshot.index.subscribers(format: "callingbox", type: "call.completed", test: false)
            .map(\.endpoint.id).sorted() == ["b", "c"])
        var b = record("b", events: ["call.completed"])
        b.deletedAt = 2
        registry.apply(b)
        #expect(registry.snapshot.endpoints.map(\.id) == ["a", "c"])
        #expect(registry.snapshot.index.subscribers(format: "callingbox", type: "call.completed", test: false).map(\.endpoint.id) == ["c"])
        registry.apply(record("b2", events: ["*"]))
        #expect(registry.snapshot.endpoints.map(\.id) == ["a", "c", "b2"])
        // `*` on a CallingBox endpoint is the documented eight: never call.incoming.
        #expect(registry.snapshot.index.subscribers(format: "callingbox", type: EventCatalog.incoming, test: false).isEmpty)
    }
}
