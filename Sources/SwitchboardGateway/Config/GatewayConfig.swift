import Foundation
import SwitchboardHTTP

/// The gateway's configuration, read from JSON (`Config/switchboard.json` by default).
///
/// ```json
/// {"listen": {"host": "127.0.0.1", "port": 8080}, "store": {"path": "var/switchboard.sqlite"}}
/// ```
/// Optional tuning keys under `listen`: `threads`, `connection_limit`, `connection_limit_per_ip`,
/// `idle_timeout_seconds`, `header_timeout_ms`, `body_timeout_ms`, `max_body_bytes`, `max_header_bytes`,
/// `max_inflight_body_bytes`, `max_inflight_body_bytes_per_ip`, `shutdown_grace_seconds`; under `store`: `synchronous`
/// (`"full"` or `"normal"`), `busy_timeout_ms`. The gateway's keys: `api_keys`, `org_default_secret`,
/// `delivery`, `retention`, `limits`, `sources`, `mappings` (the mapping files' directory), `log`. Secrets may be written
/// `env:NAME` or `file:PATH`. Unknown keys are errors. `load` takes relative paths from the file's folder;
/// `ConfigCheck` runs the checks that need more than the file (mappings, schemes, URLs, host, store folder).
public struct GatewayConfig: Sendable, Equatable {
    public struct Listen: Sendable, Equatable {
        public var host = "127.0.0.1"
        public var port = 8080
        public var threads = HTTPServerConfiguration.defaultThreads
        public var connectionLimit = 10_000
        public var idleTimeoutSeconds = 60
        public var maxBodyBytes = 1 << 20
        public var maxHeaderBytes = 32 << 10
        public var shutdownGraceSeconds = 10.0
        /// Attack limits (issue 13): see `HTTPServerConfiguration` for what each does.
        public var connectionLimitPerIP = 256
        public var headerTimeoutMilliseconds = 10_000
        public var bodyTimeoutMilliseconds = 30_000
        public var maxInflightBodyBytes = 256 << 20
        public var maxInflightBodyBytesPerIP = 32 << 20
    }

    public struct Store: Sendable, Equatable {
        public var path = "var/switchboard.sqlite"
        /// `synchronous=FULL` makes every acknowledged commit survive power loss; `normal` only a crash.
        public var synchronousFull = true
        public var busyTimeoutMilliseconds = 5000
    }

    public var listen = Listen()
    public var store = Store()
    /// Bearer keys of the management APIs.
    public var apiKeys: [String] = []
    /// Signs deliveries to per-call and per-source URLs.
    public var orgDefaultSecret: String?
    public var delivery = DeliveryConfig()
    /// How long finished history is kept (`retention`).
    public var retention = RetentionConfig()
    /// Caps on what management clients create (`limits`).
    public var limits = LimitsConfig()
    public var sources: [SourceConfig] = []
    /// The mapping files' folder: the `mappings` key, else the one `MappingLoader` finds by itself.
    public var mappingsDirectory = MappingLoader.defaultDirectory
    /// `log.level`: debug, info, warn or error.
    public var logLevel = LogLevel.info
    /// `log.mask_phone_numbers` (default true).
    public var maskPhoneNumbers = true
    /// `log.rejected_per_second` (default 10): access lines of refused requests written per second per
    /// reason; the rest are counted in one `log lines suppressed` line per reason and second.
    public var rejectedLogLinesPerSecond = Logger.defaultThrottledPerSecond

    public init() {}

    /// The default location, relative to the working directory.
    public static let defaultPath = "Config/switchboard.json"

    /// Loads and validates a configuration file. Errors name the file and the offending key. Relative
    /// paths in it (`store.path`, `mappings`, `file:` secrets) are taken from the file's folder.
    public static func load(path: String,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> GatewayConfig {
        guard let bytes = FileBytes.read(atPath: path) else {
            throw ConfigError(at: "", "cannot read the file", file: path)
        }
        let absolute = ConfigReader.resolve(path, against: FileManager.default.currentDirectoryPath)
        let folder = ((absolute as NSString).deletingLastPathComponent as NSString).standardizingPath
        do {
            return try parse(Data(bytes), environment: environment, baseDirectory: folder)
        } catch let error as ConfigError {
            throw error.inFile(path)
        }
    }

    /// Parses configuration JSON; `env:` secrets are looked up in `environment`; relative paths are
    /// taken from `baseDirectory` (nil: the working directory).
    public static func parse(_ data: Data,
                             environment: [String: String] = ProcessInfo.processInfo.environment,
                             baseDirectory: String? = nil) throws -> GatewayConfig {
        var root = try ConfigReader.parse(data, baseDirectory: baseDirectory)
        var config = GatewayConfig()
        if var listen = try root.object("listen") {
            config.listen.host = try listen.string("host") ?? config.listen.host
            config.listen.port = try listen.int("port", range: 0...65_535) ?? config.listen.port
            config.listen.threads = try listen.int("threads", range: 1...256) ?? config.listen.threads
            config.listen.connectionLimit = try listen.int("connection_limit", range: 1...1_000_000)
                ?? config.listen.connectionLimit
            config.listen.idleTimeoutSeconds = try listen.int("idle_timeout_seconds", range: 1...86_400)
                ?? config.listen.idleTimeoutSeconds
            config.listen.maxBodyBytes = try listen.int("max_body_bytes", range: 1...(1 << 30))
                ?? config.listen.maxBodyBytes
            config.listen.maxHeaderBytes = try listen.int("max_header_bytes", range: 4096...(1 << 24))
                ?? config.listen.maxHeaderBytes
            config.listen.shutdownGraceSeconds = try listen.double("shutdown_grace_seconds", range: 0...3600)
                ?? config.listen.shutdownGraceSeconds
            try config.listen.parseAttackLimits(&listen)
            try listen.finish()
        }
        if var store = try root.object("store") {
            config.store.path = try store.string("path") ?? config.store.path
            if let mode = try store.string("synchronous") {
                switch mode.lowercased() {
                case "full": config.store.synchronousFull = true
                case "normal": config.store.synchronousFull = false
                default: throw ConfigError(at: "store.synchronous", "must be \"full\" or \"normal\", got \"\(mode)\"")
                }
            }
            config.store.busyTimeoutMilliseconds = try store.int("busy_timeout_ms", range: 0...600_000)
                ?? config.store.busyTimeoutMilliseconds
            try store.finish()
        }
        config.apiKeys = try root.secrets("api_keys", environment: environment) ?? []
        config.orgDefaultSecret = try root.secret("org_default_secret", environment: environment)
        if var delivery = try root.object("delivery") { config.delivery = try DeliveryConfig.parse(&delivery) }
        if var retention = try root.object("retention") { config.retention = try RetentionConfig.parse(&retention) }
        if var limits = try root.object("limits") { config.limits = try LimitsConfig.parse(&limits) }
        for var source in try root.objects("sources") ?? [] {
            let parsed = try SourceConfig.parse(&source, environment: environment)
            guard !config.sources.contains(where: { $0.name == parsed.name }) else {
                throw ConfigError(at: "sources", "the name \"\(parsed.name)\" is used twice")
            }
            config.sources.append(parsed)
        }
        config.mappingsDirectory = try root.path("mappings") ?? config.mappingsDirectory
        if var log = try root.object("log") {
            if let level = try log.string("level") {
                guard let parsed = LogLevel(rawValue: level) else {
                    throw ConfigError(at: "log.level", "must be debug, info, warn or error, got \"\(level)\"")
                }
                config.logLevel = parsed
            }
            config.maskPhoneNumbers = try log.bool("mask_phone_numbers") ?? true
            config.rejectedLogLinesPerSecond = try log.int("rejected_per_second", range: 0...1_000_000)
                ?? config.rejectedLogLinesPerSecond
            try log.finish()
        }
        try root.finish()
        guard !config.store.path.isEmpty else { throw ConfigError(at: "store.path", "must not be empty") }
        config.store.path = ConfigReader.resolve(config.store.path, against: baseDirectory)
        return config
    }

    /// The server settings this configuration describes.
    public var serverConfiguration: HTTPServerConfiguration {
        HTTPServerConfiguration(host: listen.host, port: listen.port, threads: listen.threads,
                                connectionLimit: listen.connectionLimit, connectionLimitPerIP: listen.connectionLimitPerIP,
                                idleTimeoutSeconds: listen.idleTimeoutSeconds,
                                maxBodyBytes: listen.maxBodyBytes, maxHeaderBytes: listen.maxHeaderBytes,
                                shutdownGraceSeconds: listen.shutdownGraceSeconds,
                                headerTimeoutMilliseconds: listen.headerTimeoutMilliseconds,
                                bodyTimeoutMilliseconds: listen.bodyTimeoutMilliseconds,
                                maxInflightBodyBytes: listen.maxInflightBodyBytes,
                                maxInflightBodyBytesPerIP: listen.maxInflightBodyBytesPerIP)
    }
}
