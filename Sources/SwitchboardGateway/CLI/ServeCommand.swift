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
    Usage: switchboard serve [--config PATH] [--host H] [--port N] [--mappings DIR]

    Runs the gateway until SIGTERM or SIGINT, then stops accepting, finishes in-flight requests and exits 0.
    SIGHUP re-reads and checks the configuration: api_keys and sources' auth (secrets, secret_previous)
    change live; the log line 'config reloaded' names what changed and what waits for a restart. An
    invalid file is logged ('config reload failed') and the running configuration kept.
    Before starting it checks the configuration as `switchboard config check` does, that the port is free
    and that no other gateway serves the same store (a lock file `<store>.lock`); a problem is one line
    `switchboard: config error: <file>: <key>: <reason>` and exit status 2.

    Options:
      --config PATH   configuration file (default: \(GatewayConfig.defaultPath))
      --host H        listen address, overriding listen.host
      --port N        listen port (0 picks a free one), overriding listen.port
      --mappings DIR  mapping files, overriding the mappings key (default: \(MappingLoader.defaultDirectory))
      --help          show this help

    Logs are JSON lines on standard error.

    """
    static let options = OptionSpec(valued: ["config", "host", "port", "mappings"])

    static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        let file = arguments.value("config") ?? GatewayConfig.defaultPath
        let config = try ConfigCommand.load(arguments, file: file)
        let lock: StoreLock
        do {
            lock = try StoreLock(store: config.store.path)
            try ListenPortProbe.check(host: config.listen.host, port: config.listen.port)
        } catch let error as ConfigError {
            throw error.inFile(file)
        }
        defer { lock.release() }

        // First, before any thread exists: every thread created later inherits the blocked signals.
        let stop = SignalWaiter(signals: [SIGTERM, SIGINT, SIGHUP])
        let writer = LogWriter()
        defer { writer.close() }
        let logger = Logger(writer: writer, minimumLevel: config.logLevel, maskPhoneNumbers: config.maskPhoneNumbers,
                            throttledPerSecond: config.rejectedLogLinesPerSecond)
        let gateway = Gateway(config: config, logger: logger)
        do {
            try gateway.start()
        } catch let error as ConfigError {
            throw error.inFile(file)
        } catch {
            logger.error("start failed", ["error": .string("\(error)")])
            writer.flush()
            output.err("switchboard serve: \(error)\n")
            return 1
        }
        var reloader = ConfigReloader(file: file, arguments: arguments, served: config)
        var received = stop.wait()
        while received == SIGHUP {
            reloader.reload(gateway, logger: logger)
            received = stop.wait()
        }
        logger.info("shutting down", ["signal": .int(Int(received))])
        gateway.shutdown()
        return 0
    }
}

/// Waits for one of the given signals with `sigwait`.
///
/// The signals are blocked in the calling thread at construction, so construct it before creating any
/// thread: threads inherit the mask, no thread ever runs a handler or the default action for them, and
/// a signal that arrives early stays pending until `wait()` takes it.
struct SignalWaiter {
    private var set = sigset_t()

    init(signals: [Int32]) {
        sigemptyset(&set)
        for number in signals { sigaddset(&set, number) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Blocks until one of the signals is pending and returns its number.
    func wait() -> Int32 {
        var set = self.set
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }
}
