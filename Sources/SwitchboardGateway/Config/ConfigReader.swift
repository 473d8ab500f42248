import Foundation

/// A configuration problem, reported as one line naming the file and the key.
public struct ConfigError: Error, Sendable, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Reads one JSON object of the configuration strictly: every key must be consumed, so a misspelt or
/// unknown key is an error that names it (with its dotted path) instead of being silently ignored.
struct ConfigReader {
    private let object: [String: Any]
    private let path: String
    private var consumed: Set<String> = []

    init(object: [String: Any], path: String = "") {
        self.object = object
        self.path = path
    }

    /// Parses a whole configuration document.
    static func parse(_ data: Data) throws -> ConfigReader {
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw ConfigError("not valid JSON: \(Self.describe(error))")
        }
        guard let object = value as? [String: Any] else { throw ConfigError("the top level must be a JSON object") }
        return ConfigReader(object: object)
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func string(_ key: String) throws -> String? {
        consumed.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        guard let value = raw as? String else { throw ConfigError("'\(name(key))' must be a string") }
        return value
    }

    mutating func int(_ key: String, range: ClosedRange<Int>) throws -> Int? {
        consumed.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        // JSONSerialization yields NSNumber for both numbers and booleans; refuse booleans and fractions.
        guard let number = raw as? NSNumber, !Self.isBoolean(number),
              let value = Int(exactly: number.doubleValue) else {
            throw ConfigError("'\(name(key))' must be an integer")
        }
        guard range.contains(value) else {
            throw ConfigError("'\(name(key))' must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    mutating func double(_ key: String, range: ClosedRange<Double>) throws -> Double? {
        consumed.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        guard let number = raw as? NSNumber, !Self.isBoolean(number) else {
            throw ConfigError("'\(name(key))' must be a number")
        }
        let value = number.doubleValue
        guard range.contains(value) else {
            throw ConfigError("'\(name(key))' must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    mutating func bool(_ key: String) throws -> Bool? {
        consumed.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        guard let number = raw as? NSNumber, Self.isBoolean(number) else {
            throw ConfigError("'\(name(key))' must be true or false")
        }
        return number.boolValue
    }

    mutating func object(_ key: String) throws -> ConfigReader? {
        consumed.insert(key)
        guard let raw = object[key], !(raw is NSNull) else { return nil }
        guard let value = raw as? [String: Any] else { throw ConfigError("'\(name(key))' must be an object") }
        return ConfigReader(object: value, path: name(key))
    }

    /// Fails on the first key (in sorted order, for a stable message) that nothing read.
    func finish() throws {
        if let unknown = object.keys.sorted().first(where: { !consumed.contains($0) }) {
            throw ConfigError("unknown key '\(name(unknown))'")
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
