import SwitchboardCore
import SwitchboardStore

/// The destinations ingest routes to, in memory: the routable (undeleted) endpoints and the per-call webhooks.
///
/// Loaded from the store at start; after that every committed change is applied from the writer's
/// completion (which runs in commit order), so the registry follows the store without ingest querying
/// the endpoint table per request. Anything else that changes endpoints in the store (the deliverer
/// auto-disabling one) calls `refresh(endpointID:from:logger:)`.
final class DestinationRegistry: Sendable {
    /// An endpoint as routing needs it.
    struct Endpoint: Sendable, Equatable {
        var id: String
        var url: String
        var format: String
        var scheme: String
        /// The output types it receives (`*` expanded by `EventCatalog.subscribedTypes`); nil: every type.
        var eventTypes: Set<String>?
        var receiveTestEvents: Bool

        init(_ record: EndpointRecord) {
            id = record.id
            url = record.url
            format = record.format
            scheme = record.scheme
            eventTypes = EventCatalog.subscribedTypes(record.enabledEvents, api: record.api)
            receiveTestEvents = record.receiveTestEvents
        }

        /// Whether it subscribes to bodies of output `type`.
        func wants(_ type: String) -> Bool { eventTypes?.contains(type) ?? true }
    }

    /// What routing reads: a consistent copy.
    struct Snapshot: Sendable {
        /// The endpoints, indexed by format and output type (routing reads only those an event selects).
        var index = RoutingIndex()
        var callWebhooks: [String: CallWebhookRecord] = [:]

        /// Every endpoint, in the order they became routable (deliveries of an event are created in this
        /// order); setting it re-indexes them in the order given.
        var endpoints: [Endpoint] {
            get { index.ordered }
            set {
                index = RoutingIndex()
                for endpoint in newValue { index.upsert(endpoint) }
            }
        }
    }

    private let state = LockedValue(Snapshot())

    init() {}

    /// The current destinations.
    var snapshot: Snapshot { state.withLock { $0 } }

    /// Replaces everything with what the store holds.
    func reload(from database: Database) throws {
        // Read under the lock so that an `apply` of a later commit cannot be overwritten by an older read.
        try state.withLock { snapshot in
            let (endpoints, webhooks) = try database.read { connection in
                (try EndpointRecords.routable(connection), try CallWebhookRecords.all(connection))
            }
            snapshot.endpoints = endpoints.map(Endpoint.init)
            snapshot.callWebhooks = Dictionary(webhooks.map { ($0.callID, $0) }, uniquingKeysWith: { _, last in last })
        }
    }

    /// Applies a committed endpoint row: routed while not deleted (held while disabled), dropped once deleted.
    func apply(_ record: EndpointRecord) {
        state.withLock { snapshot in
            if record.isRoutable {
                snapshot.index.upsert(Endpoint(record))
            } else {
                snapshot.index.remove(id: record.id)
            }
        }
    }

    /// Re-reads one endpoint after something outside the management APIs changed it (the deliverer
    /// disabling it). Runs on the writer thread, in commit order; a failed read is logged and leaves the
    /// registry as it was.
    func refresh(endpointID: String, from database: Database, logger: Logger) {
        do {
            if let record = try database.read({ try EndpointRecords.find($0, id: endpointID) }) { apply(record) }
        } catch {
            logger.error("endpoint not refreshed", ["endpoint": .string(endpointID), "error": .string("\(error)")])
        }
    }

    /// Applies a committed per-call webhook (nil: removed).
    func apply(callWebhook: CallWebhookRecord?, callID: String) {
        state.withLock { $0.callWebhooks[callID] = callWebhook }
    }
}
