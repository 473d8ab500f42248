import Foundation
import SwitchboardCore
import SwitchboardHTTP
import SwitchboardStore

/// The running service: the HTTP server with its routes, and the state behind them.
///
/// Lifecycle: `init` validates and prepares, `start()` opens the store and begins serving,
/// `shutdown()` drains requests and then closes the store. Both are safe to call from any thread.
public final class Gateway: @unchecked Sendable {
    public let config: GatewayConfig
    public let logger: Logger
    private let server: HTTPServer
    private let state = LockedValue<Database?>(nil)

    public init(config: GatewayConfig, logger: Logger) {
        self.config = config
        self.logger = logger
        var router = Router()
        HealthRoutes.register(on: &router)
        self.server = HTTPServer(configuration: config.serverConfiguration, router: router,
                                 onRequestCompleted: AccessLog(logger: logger).record,
                                 onServerMessage: { logger.warn("http server", ["detail": .string($0)]) })
    }

    /// The port being served (useful when the configuration asked for port 0).
    public var port: Int { server.port }

    public var serverStatistics: HTTPServerStatistics { server.statistics }

    /// The open store (nil before `start` and after `shutdown`).
    public var database: Database? { state.withLock { $0 } }

    /// Opens the store (creating its directory and file), then starts serving.
    public func start() throws {
        let database = try Gateway.openStore(config.store)
        do {
            try server.start()
        } catch {
            database.close()
            throw error
        }
        state.withLock { $0 = database }
        logger.info("listening", ["host": .string(config.listen.host), "port": .int(server.port),
                                  "store": .string(config.store.path), "version": .string(SwitchboardVersion.current)])
    }

    /// Stops accepting, finishes in-flight requests, then closes the store (after its queued writes).
    public func shutdown() {
        server.shutdown()
        let database = state.withLock { current -> Database? in
            defer { current = nil }
            return current
        }
        database?.close()
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

/// The gateway's tables, as numbered migrations. Empty until the gateway persists its first records;
/// the file is still created and put in WAL mode at start, so a bad `store.path` fails at start-up.
enum GatewaySchema {
    static let migrations: [Migration] = []
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
