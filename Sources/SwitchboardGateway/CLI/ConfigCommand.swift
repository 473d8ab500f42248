import Foundation
import SwitchboardCore

/// `switchboard config check`: validates a configuration as `serve` does at start, without starting.
struct ConfigCommand: SwitchboardCommand {
    static let name = "config"
    static let subcommand: String? = "check"
    static let summary = "Validate a configuration without starting: switchboard config check."
    static let usage = """
    Usage: switchboard config check [--config PATH] [--mappings DIR]

    Reads the configuration and runs the checks `serve` runs before starting: every key and value,
    the mapping files and each source's format, that every secret suits the scheme that uses it
    (org_default_secret included), destination URLs against the outbound policy, the listen host and
    the store's folder. Relative paths in the file are taken from the file's folder.
    Not checked (only a start can tell): whether the port is free and the store not in use.

    Options:
      --config PATH   configuration file (default: \(GatewayConfig.defaultPath))
      --mappings DIR  mapping files, overriding the mappings key (default: \(MappingLoader.defaultDirectory))
      --help          show this help

    Prints 'ok: <file>' and exits 0 when valid; otherwise one line
    'switchboard: config error: <file>: <key>: <reason>' on standard error and exit status 2.

    """
    static let options = OptionSpec(valued: ["config", "mappings"])

    static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        let file = arguments.value("config") ?? GatewayConfig.defaultPath
        let config = try load(arguments, file: file)
        output.out("ok: \(file) (\(config.sources.count) source(s), mappings \(config.mappingsDirectory))\n")
        return 0
    }

    /// Loads `file`, applies the command-line overrides (`--host`, `--port`, `--mappings` where the
    /// command has them) and runs `ConfigCheck`; every error names `file`.
    static func load(_ arguments: ParsedArguments, file: String) throws -> GatewayConfig {
        var config = try GatewayConfig.load(path: file)
        if let host = arguments.value("host") { config.listen.host = host }
        if let port = try arguments.int("port", range: 0...65_535) { config.listen.port = port }
        if let mappings = arguments.value("mappings") { config.mappingsDirectory = mappings }
        do {
            try ConfigCheck.run(config)
        } catch let error as ConfigError {
            throw error.inFile(file)
        }
        return config
    }
}
