/// A command-line usage error: reported as one line, exit status 2.
public struct UsageError: Error, Sendable, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The options one command accepts.
struct OptionSpec: Sendable {
    /// Options taking a value (`--port 8080` or `--port=8080`).
    var valued: Set<String> = []
    /// Options that may be given more than once (`--header A --header B`).
    var repeatable: Set<String> = []
    /// Options without a value.
    var flags: Set<String> = ["help"]
}

/// Parsed options of one command. Only `--name value`, `--name=value` and `--flag` forms; no positionals.
struct ParsedArguments: Sendable {
    private(set) var values: [String: [String]] = [:]
    private(set) var flags: Set<String> = []

    init(_ arguments: [String], spec: OptionSpec) throws {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw UsageError("unexpected argument '\(argument)'")
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if spec.flags.contains(name) {
                guard inlineValue == nil else { throw UsageError("option --\(name) takes no value") }
                flags.insert(name)
                continue
            }
            guard spec.valued.contains(name) else { throw UsageError("unknown option --\(name)") }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index < arguments.count else { throw UsageError("option --\(name) needs a value") }
                value = arguments[index]
                index += 1
            }
            if values[name] != nil && !spec.repeatable.contains(name) {
                throw UsageError("option --\(name) is given more than once")
            }
            values[name, default: []].append(value)
        }
    }

    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }
    func has(_ flag: String) -> Bool { flags.contains(flag) }

    /// An integer option within `range`, or nil when absent.
    func int(_ name: String, range: ClosedRange<Int>) throws -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError("--\(name) must be an integer between \(range.lowerBound) and \(range.upperBound), got '\(text)'")
        }
        return number
    }
}
