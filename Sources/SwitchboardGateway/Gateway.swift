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
        var destinations: DestinationRegistry
    }

    private let state = LockedValue<Running?>(nil)

    public init(config: GatewayConfig, logger: Logger) {
        self.config = config
        self.logger = logger
    }

    /// The port being served (useful when the configuration asked for port 0); 0 when not running.
    public var port: Int { state.withLock { $0?.server.port } ?? 0 }

    public var serverStatistics: HTTPServerStatistics { state.withLock { $0?.server.statistics } ?? HTTPServerStatistics() }

    /// The open store (nil before `start` and after `shutdown`).
    public var database: Database? { state.withLock { $0?.database } }

    /// The destinations ingest routes to (nil when not running).
    var destinations: DestinationRegistry? { state.withLock { $0?.destinations } }

    public func start() throws {
        let mappings = try MappingLoader.load(directory: config.mappingsDirectory)
        let database = try Gateway.openStore(config.store)
        let server: HTTPServer
        let destinations = DestinationRegistry()
        do {
            let signal = DeliverySignal()
            try destinations.reload(from: database)
            let ingest = try IngestService(config: config, mappings: mappings, database: database, logger: logger,
                                           signal: signal, destinations: destinations)
            let management = ManagementAPI(config: config, mappings: mappings, database: database,
                                           destinations: destinations, signal: signal, logger: logger)
            var router = Router()
            HealthRoutes.register(on: &router)
            ingest.register(on: &router)
            management.register(on: &router)
            server = HTTPServer(configuration: config.serverConfiguration, router: router,
                                onRequestCompleted: AccessLog(logger: logger).record,
                                onServerMessage: { [logger] in logger.warn("http server", ["detail": .string($0)]) })
            try server.start()
        } catch {
            database.close()
            throw error
        }
        state.withLock { $0 = Running(server: server, database: database, destinations: destinations) }
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
        running.server.shutdown()
        running.database.close()
        logger.info("stopped")
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

/// `GET /healthz`.
enum HealthRoutes {
    static let ok = HTTPResponse.json(200, Array(#"{"status":"ok"}"#.utf8))

    static func register(on router: inout Router) {
        router.get("/healthz", .immediate { _ in ok })
    }
}

/// Turns server request records into JSON access-log lines.
struct AccessLog: Sendable {
    let logger: Logger

    func record(_ record: HTTPRequestRecord) {
        logger.log(.info, "request") { line in
            line.string("method", record.method)
            line.string("path", record.path)
            line.int("status", record.status)
            line.milliseconds("duration_ms", seconds: record.durationSeconds)
            line.int("bytes_in", record.requestBytes)
            line.string("remote", record.remoteAddress)
            line.bool("completed", record.completed)
        }
    }
}
