/// The routable endpoints indexed by what selects them — format, then output type, and whether they take
/// test events — so that routing an event costs the same with 1 endpoint or 10,000 that do not want it.
///
/// Each endpoint keeps the place it became routable at (`order`): deliveries of an event are created in
/// that order, as when every endpoint was visited in turn.
struct RoutingIndex: Sendable {
    struct Entry: Sendable {
        var endpoint: DestinationRegistry.Endpoint
        var order: Int
    }

    /// The endpoints of one format.
    fileprivate struct FormatRoutes: Sendable {
        /// Subscribed to every output type of the format (no `enabled_events` filter).
        var everyType: Set<String> = []
        var byType: [String: Set<String>] = [:]
        var count = 0
        var testSubscribers = 0
    }

    private var entries: [String: Entry] = [:]
    private var formats: [String: FormatRoutes] = [:]
    private var nextOrder = 0
    /// Endpoints with `receive_test_events`.
    private(set) var testSubscribers = 0

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }

    /// Every endpoint, in routing order.
    var ordered: [DestinationRegistry.Endpoint] {
        entries.values.sorted { $0.order < $1.order }.map(\.endpoint)
    }

    /// Adds an endpoint, or replaces it keeping its place.
    mutating func upsert(_ endpoint: DestinationRegistry.Endpoint) {
        let order: Int
        if let existing = entries[endpoint.id] {
            order = existing.order
            unlink(existing.endpoint)
        } else {
            order = nextOrder
            nextOrder += 1
        }
        entries[endpoint.id] = Entry(endpoint: endpoint, order: order)
        link(endpoint)
    }

    mutating func remove(id: String) {
        guard let existing = entries.removeValue(forKey: id) else { return }
        unlink(existing.endpoint)
    }

    /// The formats that have endpoints taking this event (for a test event: endpoints that opted in),
    /// sorted, so they are encoded in a stable order.
    func formats(test: Bool) -> [String] {
        formats.filter { test ? $0.value.testSubscribers > 0 : $0.value.count > 0 }.keys.sorted()
    }

    /// The endpoints of `format` that receive outputs of `type` (for a test event: those that opted in).
    func subscribers(format: String, type: String, test: Bool) -> [Entry] {
        guard let routes = formats[format] else { return [] }
        var found: [Entry] = []
        for id in routes.everyType.union(routes.byType[type] ?? []) {
            guard let entry = entries[id], !test || entry.endpoint.receiveTestEvents else { continue }
            found.append(entry)
        }
        return found
    }

    private mutating func link(_ endpoint: DestinationRegistry.Endpoint) {
        if endpoint.receiveTestEvents { testSubscribers += 1 }
        // Changed in place: a copy taken out of the dictionary would copy its sets on every change.
        formats[endpoint.format, default: FormatRoutes()].add(endpoint)
    }

    private mutating func unlink(_ endpoint: DestinationRegistry.Endpoint) {
        if endpoint.receiveTestEvents { testSubscribers -= 1 }
        formats[endpoint.format]?.remove(endpoint)
        if formats[endpoint.format]?.count == 0 { formats[endpoint.format] = nil }
    }
}

extension RoutingIndex.FormatRoutes {
    mutating func add(_ endpoint: DestinationRegistry.Endpoint) {
        count += 1
        if endpoint.receiveTestEvents { testSubscribers += 1 }
        if let types = endpoint.eventTypes {
            for type in types { byType[type, default: []].insert(endpoint.id) }
        } else {
            everyType.insert(endpoint.id)
        }
    }

    mutating func remove(_ endpoint: DestinationRegistry.Endpoint) {
        count -= 1
        if endpoint.receiveTestEvents { testSubscribers -= 1 }
        if let types = endpoint.eventTypes {
            for type in types {
                byType[type]?.remove(endpoint.id)
                if byType[type]?.isEmpty == true { byType[type] = nil }
            }
        } else {
            everyType.remove(endpoint.id)
        }
    }
}
