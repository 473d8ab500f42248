import Foundation
import SwitchboardCore
import SwitchboardHTTP

/// The running service: the HTTP server with its routes, and the state behind them.
///
/// Lifecycle: `init` validates and prepares, `start()` opens the store and begins serving,
/// `shutdown()` drains requests and then closes the store. Both are safe to call from any thread.
public final class Gateway: @unchecked Sendable {
    public let config: GatewayConfig
    public let logger: Logger
    private let server: HTTPServer

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

    public func start() throws {
        try server.start()
        logger.info("listening", ["host": .string(config.listen.host), "port": .int(server.port),
                                  "version": .string(SwitchboardVersion.current)])
    }

    /// Stops accepting, finishes in-flight requests, then releases the store.
    public func shutdown() {
        server.shutdown()
        logger.info("stopped")
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
