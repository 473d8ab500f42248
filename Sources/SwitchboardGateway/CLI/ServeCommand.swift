import Foundation
import SwitchboardHTTP
#if canImport(Glibc)
import Glibc
#endif

/// `switchboard serve`: runs the gateway until SIGTERM or SIGINT, then shuts down gracefully.
struct ServeCommand: SwitchboardCommand {
    static let name = "serve"
    static let summary = "Run the gateway."
    static let usage = """
    Usage: switchboard serve [--config PATH] [--host H] [--port N]

    Runs the gateway until SIGTERM or SIGINT, then stops accepting, finishes in-flight requests and exits 0.

    Options:
      --config PATH   configuration file (default: \(GatewayConfig.defaultPath))
      --host H        listen address, overriding listen.host
      --port N        listen port (0 picks a free one), overriding listen.port
      --help          show this help

    Logs are JSON lines on standard error.

    """
    static let options = OptionSpec(valued: ["config", "host", "port"])

    static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        var config = try GatewayConfig.load(path: arguments.value("config") ?? GatewayConfig.defaultPath)
        if let host = arguments.value("host") { config.listen.host = host }
        if let port = try arguments.int("port", range: 0...65_535) { config.listen.port = port }

        let writer = LogWriter()
        defer { writer.close() }
        let logger = Logger(writer: writer)
        let stop = SignalWaiter(signals: [SIGTERM, SIGINT])
        let gateway = Gateway(config: config, logger: logger)
        do {
            try gateway.start()
        } catch {
            logger.error("start failed", ["error": .string("\(error)")])
            writer.flush()
            output.err("switchboard serve: \(error)\n")
            return 1
        }
        let received = stop.wait()
        logger.info("shutting down", ["signal": .int(Int(received))])
        gateway.shutdown()
        return 0
    }
}

/// Blocks until one of the given signals arrives. The signals are ignored for default handling from
/// construction on, so a signal that arrives early is not lost and does not kill the process.
final class SignalWaiter: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let sources: [DispatchSourceSignal]
    private let lock = NSLock()
    private var received: Int32 = 0

    init(signals: [Int32]) {
        var sources: [DispatchSourceSignal] = []
        let queue = DispatchQueue(label: "switchboard.signals")
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            sources.append(source)
        }
        self.sources = sources
        for (source, number) in zip(sources, signals) {
            source.setEventHandler { [self] in
                lock.withLock { if received == 0 { received = number } }
                semaphore.signal()
            }
            source.resume()
        }
    }

    func wait() -> Int32 {
        semaphore.wait()
        return lock.withLock { received }
    }
}
