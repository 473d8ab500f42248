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
        case .double(let number): JSONWriter.integral(number).map(String.init) ?? String(number)
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

    /// A time as Unix seconds: numbers are seconds, digit strings too, other text is RFC 3339 or RFC 2822
    /// (`Mon, 16 Aug 2010 03:45:01 +0000`, Twilio's form).
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
            if let seconds = MailDate.parse(text) { return seconds }
            throw EvaluationError("@\(function): '\(text.prefix(64))' is not a time (Unix seconds, RFC 3339 or RFC 2822)")
        default:
            throw EvaluationError("@\(function): \(value.typeNameWithArticle) is not a time")
        }
    }

    static func timeValue(_ seconds: Double) -> JSONValue {
        JSONWriter.integral(seconds).map(JSONValue.integer) ?? .double(seconds)
    }

    /// The functions of one argument.
    static func apply(_ function: MappingFunction, _ argument: JSONValue) throws(EvaluationError) -> JSONValue {
        switch function {
        case .time:
            return try time(argument, "time").map(timeValue) ?? .null
        case .timeOrNull:
            // Lenient: a value that is not a usable time becomes null instead of failing the event.
            return ((try? time(argument, "time_or_null")) ?? nil).map(timeValue) ?? .null
        case .unix:
            return try time(argument, "unix").map { .integer(Int64($0.rounded(.down))) } ?? .null
        case .iso8601:
            guard let seconds = try time(argument, "iso8601") else { return .null }
            return .string(Timestamp.iso8601(seconds, fractionDigits: seconds.rounded(.down) == seconds ? 0 : 3))
        case .lower, .upper:
            guard case .string(let text) = argument else {
                if argument.isNull { return .null }
                throw EvaluationError("@\(function.rawValue): \(argument.typeNameWithArticle) is not text")
            }
            return .string(function == .lower ? text.lowercased() : text.uppercased())
        case .string:
            switch argument {
            case .null: return .null
            case .string: return argument
            case .array, .object: throw EvaluationError("@string: \(argument.typeNameWithArticle) is not a scalar")
            default: return .string(text(argument))
            }
        case .integer:
            switch argument {
            case .null: return .null
            case .string(let digits):
                guard let number = Int64(digits) else { throw EvaluationError("@integer: '\(digits.prefix(40))' is not an integer") }
                return .integer(number)
            default:
                guard let number = argument.integerValue else {
                    throw EvaluationError("@integer: \(argument.typeNameWithArticle) is not an integer")
                }
                return .integer(number)
            }
        case .json:
            return .string(JSONWriter.string(argument))
        case .sha256:
            if case .string(let text) = argument { return try sha256(Array(text.utf8)) }
            return try sha256(JSONWriter.bytes(argument))
        case .omitNulls:
            guard case .object(let object) = argument else {
                throw EvaluationError("@omit_nulls: \(argument.typeNameWithArticle) is not an object")
            }
            var kept = JSONObject()
            kept.reserveCapacity(object.count)
            for index in 0..<object.count where !object.values[index].isNull {
                kept.appendUnique(object.keys[index], object.values[index])
            }
            return .object(kept)
        case .numberIfDigits:
            if case .string(let text) = argument, !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
               text.utf8.count < 19, text.utf8.first != 0x30 || text.utf8.count == 1, let number = Int64(text) {
                return .integer(number)
            }
            return argument
        default:
            throw EvaluationError("@\(function.rawValue) evaluated out of place")
        }
    }

    /// The functions of two arguments that need both evaluated.
    static func apply(_ function: MappingFunction, _ first: JSONValue, _ second: JSONValue) throws(EvaluationError) -> JSONValue {
        switch function {
        case .secondsBetween:
            guard let start = try time(first, "seconds_between"),
                  let end = try time(second, "seconds_between") else { return .null }
            return .integer(Int64((end - start).rounded()))
        case .addSeconds:
            guard let start = try time(first, "add_seconds") else { return .null }
            guard let delta = second.doubleValue else { throw EvaluationError("@add_seconds: seconds must be a number") }
            return timeValue(start + delta)
        case .uuid5:
            return try uuid5(first, second)
        default:
            throw EvaluationError("@\(function.rawValue) evaluated out of place")
        }
    }

    /// The lowercase hex SHA-256 of `bytes` (`@sha256`).
    static func sha256(_ bytes: [UInt8]) throws(EvaluationError) -> JSONValue {
        do {
            return .string(Hex.encode(try Digest.sha256(bytes)))
        } catch {
            throw EvaluationError("@sha256: \(error)")
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
            return .string(try UUIDGenerator.version5(namespace: space, name: text(name)).lowercasedText)
        } catch {
            throw EvaluationError("@uuid5: \(error)")
        }
    }
}
