/// A configuration problem: the file, the key path in it and the reason, printed as one line
/// `switchboard: config error: <file>: <key path>: <reason>` with exit status 2.
///
/// Parsing fills in `key` and `reason`; `GatewayConfig.load` (or the start-up checks) add the file.
/// A problem with the whole document (not JSON, unreadable) has no key.
public struct ConfigError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The configuration (or mapping) file, when known.
    public var file: String?
    /// The dotted key path (`sources[0].auth.secret`); empty for the whole document.
    public var key: String
    /// What is wrong, e.g. `must be an integer`.
    public var reason: String

    /// A problem at `key`.
    public init(at key: String, _ reason: String, file: String? = nil) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    /// A problem with no key (the whole document).
    public init(_ reason: String) {
        self.init(at: "", reason)
    }

    /// `<file>: <key path>: <reason>`, leaving out what is unknown.
    public var description: String {
        [file, key.isEmpty ? nil : key, reason].compactMap { $0 }.joined(separator: ": ")
    }

    /// The same problem, naming `file` unless a file is already named (a mapping file's error keeps it).
    public func inFile(_ file: String) -> ConfigError {
        var named = self
        if named.file == nil { named.file = file }
        return named
    }

    /// The line the command line prints (without the newline).
    public var line: String { "switchboard: config error: \(description)" }
}
