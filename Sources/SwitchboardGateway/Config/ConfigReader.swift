import Foundation
import SwitchboardCore

/// Reads one JSON object of the configuration strictly: every key must be consumed, so a misspelt or
/// unknown key is an error that names it (with its dotted path) instead of being silently ignored.
/// Keys starting with `//` are comments.
struct ConfigReader {
    private let object: [String: Any]
    private let path: String
    private var consumed: Set<String> = []
    /// The folder relative paths are resolved against (the configuration file's); nil: as given.
    let baseDirectory: String?

    init(object: [String: Any], path: String = "", baseDirectory: String? = nil) {
        self.object = object
        self.path = path
        self.baseDirectory = baseDirectory
    }

    /// Parses a whole configuration document; relative paths in it are taken from `baseDirectory`.
    static func parse(_ data: Data, baseDirectory: String? = nil) throws -> ConfigReader {
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw ConfigError("not valid JSON: \(Self.describe(error))")
        }
        guard let object = value as? [String: Any] else { throw ConfigError("the top level must be a JSON object") }
        return ConfigReader(object: object, baseDirectory: baseDirectory)
    }

    /// The object's keys, sorted (comments included).
    var keys: [String] { object.keys.sorted() }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func string(_ key: String) throws -> String? {
        consumed.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        guard let value = raw as? String else { throw ConfigError(at: name(key), "must be a string") }
        return value
    }

    mutating func int(_ key: String, range: ClosedRange<Int>) throws -> Int? {
        consumed.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        // JSONSerialization yields NSNumber for both numbers and booleans; refuse booleans and fractions.
        guard let number = raw as? NSNumber, !Self.isBoolean(number),
              let value = Int(exactly: number.doubleValue) else {
            throw ConfigError(at: name(key), "must be an integer")
        }
        guard range.contains(value) else {
            throw ConfigError(at: name(key), "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    mutating func double(_ key: String, range: ClosedRange<Double>) throws -> Double? {
        consumed.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        guard let number = raw as? NSNumber, !Self.isBoolean(number) else {
            throw ConfigError(at: name(key), "must be a number")
        }
        let value = number.doubleValue
        guard range.contains(value) else {
            throw ConfigError(at: name(key), "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    mutating func bool(_ key: String) throws -> Bool? {
        consumed.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        guard let number = raw as? NSNumber, Self.isBoolean(number) else {
            throw ConfigError(at: name(key), "must be true or false")
        }
        return number.boolValue
    }

    mutating func object(_ key: String) throws -> ConfigReader? {
        consumed.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        guard let value = raw as? [String: Any] else { throw ConfigError(at: name(key), "must be an object") }
        return ConfigReader(object: value, path: name(key), baseDirectory: baseDirectory)
    }

    /// A moment: RFC 3339 text (`2026-12-08T00:00:00Z`) or Unix seconds (a number), as Unix seconds.
    mutating func timestamp(_ key: String) throws -> Double? {
        consumed.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        if let number = raw as? NSNumber, !Self.isBoolean(number), number.doubleValue >= 0 { return number.doubleValue }
        if let text = raw as? String, let seconds = Timestamp.parseISO8601(text) { return seconds }
        throw ConfigError(at: name(key), "must be an RFC 3339 date-time (2026-12-08T00:00:00Z) or Unix seconds")
    }

    /// An array of strings.
    mutating func strings(_ key: String) throws -> [String]? {
        consumed.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        guard let items = raw as? [Any], let strings = items as? [String], strings.count == items.count else {
            throw ConfigError(at: name(key), "must be an array of strings")
        }
        return strings
    }

    /// An array of integers within `range`.
    mutating func ints(_ key: String, range: ClosedRange<Int>) throws -> [Int]? {
        consumed.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        guard let items = raw as? [Any] else { throw ConfigError(at: name(key), "must be an array of integers") }
        return try items.enumerated().map { index, item in
            guard let number = item as? NSNumber, !Self.isBoolean(number), let value = Int(exactly: number.doubleValue) else {
                throw ConfigError(at: "\(name(key))[\(index)]", "must be an integer")
            }
            guard range.contains(value) else {
                throw ConfigError(at: "\(name(key))[\(index)]", "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
            }
            return value
        }
    }

    /// An array of objects, each read strictly with its index in the path (`sources[1].auth`).
    mutating func objects(_ key: String) throws -> [ConfigReader]? {
        consumed.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        guard let items = raw as? [Any] else { throw ConfigError(at: name(key), "must be an array of objects") }
        return try items.enumerated().map { index, item in
            guard let member = item as? [String: Any] else { throw ConfigError(at: "\(name(key))[\(index)]", "must be an object") }
            return ConfigReader(object: member, path: "\(name(key))[\(index)]", baseDirectory: baseDirectory)
        }
    }

    /// A secret: a literal, `env:NAME` (the environment variable) or `file:PATH` (the file's contents,
    /// without a trailing newline). Missing variables, unreadable files and empty secrets are errors.
    mutating func secret(_ key: String, environment: [String: String]) throws -> String? {
        guard let text = try string(key) else { return nil }
        return try Self.resolveSecret(text, name: name(key), environment: environment, baseDirectory: baseDirectory)
    }

    /// An array of secrets, each resolved like `secret`.
    mutating func secrets(_ key: String, environment: [String: String]) throws -> [String]? {
        guard let texts = try strings(key) else { return nil }
        return try texts.enumerated().map { index, text in
            try Self.resolveSecret(text, name: "\(name(key))[\(index)]", environment: environment, baseDirectory: baseDirectory)
        }
    }

    static func resolveSecret(_ text: String, name: String, environment: [String: String],
                              baseDirectory: String? = nil) throws -> String {
        let value: String
        if text.hasPrefix("env:") {
            let variable = String(text.dropFirst(4))
            guard let found = environment[variable] else {
                throw ConfigError(at: name, "environment variable \(variable) is not set")
            }
            value = found
        } else if text.hasPrefix("file:") {
            let path = Self.resolve(String(text.dropFirst(5)), against: baseDirectory)
            guard let data = FileBytes.read(atPath: path) else {
                throw ConfigError(at: name, "cannot read secret file '\(path)'")
            }
            var contents = String(decoding: data, as: UTF8.self)
            while contents.hasSuffix("\n") || contents.hasSuffix("\r") { contents.removeLast() }
            value = contents
        } else {
            value = text
        }
        guard !value.isEmpty else { throw ConfigError(at: name, "is empty") }
        return value
    }

    /// A path option (`store.path`, `mappings`): relative ones are taken from the configuration file's folder.
    mutating func path(_ key: String) throws -> String? {
        try string(key).map { Self.resolve($0, against: baseDirectory) }
    }

    /// `path` itself when absolute or when there is no base, else `base/path` without `.`/`..` parts.
    static func resolve(_ path: String, against base: String?) -> String {
        guard let base, !path.isEmpty, !path.hasPrefix("/") else { return path }
        return ((base as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }

    /// Where this object sits in the document (`sources[0]`), for messages.
    var location: String { path }

    /// Fails on the first key (in sorted order, for a stable message) that nothing read.
    func finish() throws {
        // Keys starting with "//" are comments (JSON has none of its own).
        if let unknown = object.keys.sorted().first(where: { !consumed.contains($0) && !$0.hasPrefix("//") }) {
            throw ConfigError(at: name(unknown), "unknown key")
        }
    }

    /// JSONSerialization gives NSNumber for both numbers and booleans; booleans report `objCType` "c"
    /// (JSON never yields a char-sized integer otherwise).
    private static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    static func describe(_ error: Error) -> String {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        return text ?? error.localizedDescription
    }
}
