import Foundation
import SwitchboardCore
import SwitchboardHTTP
import SwitchboardStore

/// The running service: the HTTP server with its routes, and the state behind them.
///
/// Lifecycle: `start()` loads the mapping files and opens the store (both fail at start-up, never at the
/// first event), builds the routes and begins serving; `shutdown()` drains requests, then closes the store
/// after its queued writes. Both are safe to call from any thread.
public final class Gateway: @unchecked Sendable {
    public let config: GatewayConfig
    public let logger: Logger

    private struct Running {
        var server: HTTPServer
        var database: Database
        var client: HTTPClient
        /// Asks incoming-call decision endpoints (nil when no source has one).
        var decisionClient: HTTPClient?
        var deliverer: Deliverer
        var retention: RetentionSweeper
        var destinations: DestinationRegistry
        var signal: DeliverySignal
        var bridge: IncomingCallBridge?
        /// What `reload` (SIGHUP) changes live.
        var ingest: IngestService
        var management: ManagementAPI
    }

    private let state = LockedValue<Running?>(nil)

    public init(config: GatewayConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    /// The port being served (useful when the configuration asked for port 0); 0 when not running.
    public var port: Int { state.withLock { $0?.server.port } ?? 0 }

    public var serverStatistics: HTTPServerStatistics { state.withLock { $0?.server.statistics } ?? HTTPServerStatistics() }

    /// Wakes the deliverer, for deliveries written outside the ingest path (operators' tools, tests).
    public func wakeDeliverer() { state.withLock { $0?.signal }?.notify() }

    /// The open store (nil before `start` and after `shutdown`).
    public var database: Database? { state.withLock { $0?.database } }

    /// Runs the retention sweep now rather than at its next interval (operators' tools, tests); nil when
    /// not running. Throws the store's error if a batch could not commit.
    @discardableResult
    func sweepRetention() throws -> RetentionRecords.Removed? {
        try state.withLock { $0?.retention }?.sweep()
    }

    /// The destinations ingest routes to (nil when not running).
    var destinations: DestinationRegistry? { state.withLock { $0?.destinations } }

    public func start() throws {
        let mappings = try MappingLoader.load(directory: config.mappingsDirectory)
        let database = try Gateway.openStore(config.store)
        let server: HTTPServer
        let client: HTTPClient
        let deliverer: Deliverer
        let retention: RetentionSweeper
        var decisionClient: HTTPClient?
        var incomingCalls: IncomingCallBridge?
        let ingest: IngestService
        let management: ManagementAPI
        let destinations = DestinationRegistry()
        let signal = DeliverySignal()
        do {
            let metrics = Metrics()
            let health = StoreHealth(database: database, logger: logger)
            try destinations.reload(from: database)
            // The descriptor limit is raised (as the server does when it starts) before the delivery total
            // is derived from it.
            let maxInFlight = DeliveryLimits.maxInFlight(fileDescriptorLimit: ProcessResources.raiseDescriptorLimit())
            // Destinations are checked after DNS resolution, on every connection (SSRF guard).
            client = try HTTPClient(configuration: DeliveryLimits.clientConfiguration(
                timeoutMilliseconds: config.delivery.timeoutMilliseconds, maxInFlight: maxInFlight,
                addressPolicy: try config.delivery.outboundPolicy().clientAddressPolicy(logger: logger)))
            deliverer = Deliverer(
                database: database, client: client,
                settings: Deliverer.Settings(timeoutMilliseconds: config.delivery.timeoutMilliseconds,
                                             retry: config.delivery.retryPolicy,
                                             maxPerDestination: config.delivery.maxConcurrencyPerEndpoint, maxInFlight: maxInFlight,
                                             orgDefaultSecret: config.orgDefaultSecret, formats: DeliveryFormats(mappings)),
                signal: signal, logger: logger, metrics: metrics, health: health,
                endpointMayHaveChanged: { [logger] id in destinations.refresh(endpointID: id, from: database, logger: logger) })
            retention = RetentionSweeper(database: database, config: config.retention, logger: logger, metrics: metrics)
            let bridge = try BridgeSetup.make(config: config, database: database, logger: logger, metrics: metrics,
                                              signal: signal, health: health)
            decisionClient = bridge?.client
            incomingCalls = bridge?.bridge
            ingest = try IngestService(config: config, mappings: mappings, database: database, logger: logger,
                                           signal: signal, destinations: destinations, health: health,
                                           bridge: bridge?.bridge)
            management = try ManagementAPI(config: config, mappings: mappings, database: database,
                                               destinations: destinations, signal: signal, logger: logger)
            var router = Router()
            // The /metrics route reads the server's counters, and the server owns the route: the route
            // holds the server weakly, or the two would keep each other (and the whole gateway) alive.
            let statistics = WeakServer()
            HealthRoutes.register(on: &router, health: health, authenticator: management.authenticator)
            ObservabilityRoutes.register(on: &router, metrics: metrics, database: database,
                                         server: { statistics.server?.statistics ?? HTTPServerStatistics() })
            ingest.register(on: &router)
            management.register(on: &router)
            let accessLog = AccessLog(logger: logger, rejections: metrics.rejections)
            server = HTTPServer(configuration: config.serverConfiguration, router: router,
                                onRequestCompleted: { record in
                                    accessLog.record(record)
                                    metrics.record(record)
                                },
                                onServerMessage: ServerMessageLog(logger: logger, rejections: metrics.rejections).record)
            statistics.server = server
            try server.start()
        } catch {
            decisionClient?.shutdown()
            database.close()
            throw error
        }
        deliverer.start()
        retention.start()
        state.withLock {
            $0 = Running(server: server, database: database, client: client, decisionClient: decisionClient,
                         deliverer: deliverer, retention: retention, destinations: destinations, signal: signal, bridge: incomingCalls,
                         ingest: ingest, management: management)
        }
        logger.info("listening", ["host": .string(config.listen.host), "port": .int(server.port),
                                  "store": .string(config.store.path), "sources": .int(config.sources.count),
                                  "version": .string(SwitchboardVersion.current)])
    }

    /// Stops accepting, finishes in-flight requests, then closes the store (after its queued writes).
    public func shutdown() {
        guard let running = state.withLock({ current -> Running? in
            defer { current = nil }
            return current
        }) else { return }
        // Calls waiting for a decision are answered (with their fallback) before the server stops, which
        // would otherwise answer them 503: Inkbox takes any non-200 as "decline routing".
        running.bridge?.drain()
        running.server.shutdown()
        running.deliverer.stop()
        running.retention.stop()
        running.client.shutdown()
        running.decisionClient?.shutdown()
        running.database.close()
        logger.info("stopped")
    }

    /// `SIGHUP`: applies the live part of `changes` (api_keys, sources' auth) to the running gateway;
    /// false when it is not running.
    @discardableResult
    public func reload(_ changes: ConfigChanges) throws -> Bool {
        guard let running = state.withLock({ $0 }) else { return false }
        try running.ingest.replaceAuthentication(changes.effective.sources)
        running.management.authenticator.replace(keys: changes.effective.apiKeys)
        return true
    }

    static func openStore(_ store: GatewayConfig.Store) throws -> Database {
        let directory = (store.path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw ConfigError("store.path: cannot create directory '\(directory)': \(error.localizedDescription)")
            }
        }
        var connection = SQLiteConnection.Options()
        connection.synchronous = store.synchronousFull ? .full : .normal
        connection.busyTimeout = .milliseconds(store.busyTimeoutMilliseconds)
        return try Database.open(path: store.path, options: Database.Options(connection: connection),
                                 migrations: GatewaySchema.migrations)
    }
}

/// `GET /metrics`: Prometheus text format.
enum ObservabilityRoutes {
    static func register(on router: inout Router, metrics: Metrics, database: Database,
                         server: @escaping @Sendable () -> HTTPServerStatistics) {
        router.get("/metrics", .immediate { _ in
            let now = Date().timeIntervalSince1970
            let queue = try? database.read { connection -> (Int, Double?, Int) in
                let row = try connection.query("SELECT count(*) AS n, min(created_at) AS oldest FROM deliveries WHERE status = 'pending'").first
                let held = try connection.scalar("SELECT count(*) FROM deliveries WHERE status = 'held'", as: Int.self) ?? 0
                return (try row?.get("n", as: Int.self) ?? 0, try row?.get("oldest", as: Double?.self) ?? nil, held)
            }
            let text = metrics.render(queueDepth: queue?.0, oldestPendingAgeSeconds: queue?.1.map { max(0, now - $0) }, held: queue?.2,
                                      server: server(), writer: database.writer.statistics,
                                      checkpointer: database.checkpointer?.statistics)
            return HTTPResponse(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"],
                                body: Array(text.utf8))
        })
    }
}

/// A weak, lock-guarded reference to the server (see `/metrics` in `Gateway.start`).
final class WeakServer: @unchecked Sendable {
    private let lock = NSLock()
    private weak var reference: HTTPServer?

    var server: HTTPServer? {
        get { lock.withLock { reference } }
        set { lock.withLock { reference = newValue } }
    }
}
