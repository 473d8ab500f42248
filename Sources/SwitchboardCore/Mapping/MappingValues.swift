import Foundation

/// Conversions and the value-level mapping functions (those that need all their arguments evaluated).
enum MappingValues {
    /// A value as template text: strings as is, numbers exactly, booleans, `null` as "".
    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: ""
        case .string(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .integer(let number): String(number)
        case .double(let number): number.rounded() == number && abs(number) < 9e15 ? String(Int64(number)) : String(number)
        case .array, .object: JSONWriter.string(value)
        }
    }

    /// Equality where 1 and 1.0 are the same number.
    static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        if let left = lhs.doubleValue, let right = rhs.doubleValue { return left == right }
        return lhs == rhs
    }

    /// Times beyond years 0000-9999 are refused: RFC 3339 cannot write them, and they are never real.
    static let timeRange = -62_167_219_200.0...253_402_300_799.999

    /// A time as Unix seconds: numbers are seconds, digit strings too, other text is RFC 3339.
    static func time(_ value: JSONValue, _ function: String) throws(EvaluationError) -> Double? {
        guard let seconds = try unboundedTime(value, function) else { return nil }
        guard timeRange.contains(seconds) else {
            throw EvaluationError("@\(function): \(MappingValues.text(value).prefix(40)) is out of range for a time (years 0000-9999)")
        }
        return seconds
    }

    private static func unboundedTime(_ value: JSONValue, _ function: String) throws(EvaluationError) -> Double? {
        switch value {
        case .null: return nil
        case .integer(let number): return Double(number)
        case .double(let number) where number.isFinite: return number
        case .string(let text):
            if let seconds = Double(text), seconds.isFinite, text.first?.isNumber == true { return seconds }
            if let seconds = Timestamp.parseISO8601(text) { return seconds }
            throw EvaluationError("@\(function): '\(text.prefix(64))' is not a time (Unix seconds or RFC 3339)")
        default:
            throw EvaluationError("@\(function): a \(value.typeName) is not a time")
        }
    }

    static func timeValue(_ seconds: Double) -> JSONValue {
        seconds.rounded() == seconds && abs(seconds) < 9e15 ? .integer(Int64(seconds)) : .double(seconds)
    }

    static func apply(_ function: MappingFunction, _ arguments: [JSONValue]) throws(EvaluationError) -> JSONValue {
        switch function {
        case .time:
            return try time(arguments[0], "time").map(timeValue) ?? .null
        case .unix:
            return try time(arguments[0], "unix").map { .integer(Int64($0.rounded(.down))) } ?? .null
        case .iso8601:
            guard let seconds = try time(arguments[0], "iso8601") else { return .null }
            return .string(Timestamp.iso8601(seconds, fractionDigits: seconds.rounded(.down) == seconds ? 0 : 3))
        case .secondsBetween:
            guard let start = try time(arguments[0], "seconds_between"),
                  let end = try time(arguments[1], "seconds_between") else { return .null }
            return .integer(Int64((end - start).rounded()))
        case .addSeconds:
            guard let start = try time(arguments[0], "add_seconds") else { return .null }
            guard let delta = arguments[1].doubleValue else { throw EvaluationError("@add_seconds: seconds must be a number") }
            return timeValue(start + delta)
        case .uuid5:
            return try uuid5(arguments[0], arguments[1])
        case .lower, .upper:
            guard case .string(let text) = arguments[0] else {
                if arguments[0].isNull { return .null }
                throw EvaluationError("@\(function.rawValue): a \(arguments[0].typeName) is not text")
            }
            return .string(function == .lower ? text.lowercased() : text.uppercased())
        case .string:
            switch arguments[0] {
            case .null: return .null
            case .array, .object: throw EvaluationError("@string: a \(arguments[0].typeName) is not a scalar")
            default: return .string(text(arguments[0]))
            }
        case .integer:
            switch arguments[0] {
            case .null: return .null
            case .string(let digits):
                guard let number = Int64(digits) else { throw EvaluationError("@integer: '\(digits.prefix(40))' is not an integer") }
                return .integer(number)
            default:
                guard let number = arguments[0].integerValue else {
                    throw EvaluationError("@integer: a \(arguments[0].typeName) is not an integer")
                }
                return .integer(number)
            }
        case .join:
            let separator = text(arguments[0])
            return .string(arguments.dropFirst().filter { !$0.isNull }.map(text).joined(separator: separator))
        case .json:
            return .string(JSONWriter.string(arguments[0]))
        case .sha256:
            let bytes: [UInt8] = if case .string(let text) = arguments[0] { Array(text.utf8) } else { JSONWriter.bytes(arguments[0]) }
            do {
                return .string(Hex.encode(try Digest.sha256(bytes)))
            } catch {
                throw EvaluationError("@sha256: \(error)")
            }
        case .omitNulls:
            guard case .object(let object) = arguments[0] else {
                throw EvaluationError("@omit_nulls: a \(arguments[0].typeName) is not an object")
            }
            return .object(JSONObject(object.filter { !$0.1.isNull }.map { ($0.0, $0.1) }))
        case .merge:
            var merged = JSONObject()
            for argument in arguments where !argument.isNull {
                guard case .object(let object) = argument else {
                    throw EvaluationError("@merge: a \(argument.typeName) is not an object")
                }
                for (key, value) in object { merged[key] = value }
            }
            return .object(merged)
        case .numberIfDigits:
            if case .string(let text) = arguments[0], !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
               text.utf8.count < 19, text.utf8.first != 0x30 || text.utf8.count == 1, let number = Int64(text) {
                return .integer(number)
            }
            return arguments[0]
        case .coalesce, .default, .if, .lookup, .exists, .eq, .ne, .in, .and, .or, .not:
            // Evaluated lazily by ExpressionEvaluator.
            throw EvaluationError("@\(function.rawValue) evaluated out of place")
        }
    }

    static func uuid5(_ namespace: JSONValue, _ name: JSONValue) throws(EvaluationError) -> JSONValue {
        let space: UUID
        switch text(namespace).lowercased() {
        case "url": space = UUIDGenerator.namespaceURL
        case "dns": space = UUIDGenerator.namespaceDNS
        case let other:
            guard let parsed = UUID(uuidString: other) else { throw EvaluationError("@uuid5: namespace '\(other)' is not url, dns or a UUID") }
            space = parsed
        }
        do {
            return .string(try UUIDGenerator.version5(namespace: space, name: text(name)).uuidString.lowercased())
        } catch {
            throw EvaluationError("@uuid5: \(error)")
        }
    }
}
