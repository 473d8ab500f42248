import SwitchboardCore
import SwitchboardHTTP

/// The JSON object of a management request body, read field by field.
///
/// Malformed JSON (duplicate keys included: `JSONReader` refuses them) is 400 `invalid_json`; a field of
/// the wrong type or value is 422 `validation_error` whose message starts with the field's name; a field
/// nothing reads is 422 as well (`finish()`), so a misspelt field is never silently ignored. An empty body
/// reads as `{}`.
struct RequestFields {
    private let object: JSONObject
    private var consumed: Set<String> = []

    init(_ object: JSONObject) {
        self.object = object
    }

    /// Parses a request body.
    init(body: [UInt8]) throws(HTTPError) {
        guard body.contains(where: { !Self.isSpace($0) }) else {
            self.init(JSONObject())
            return
        }
        let value: JSONValue
        do {
            value = try JSONReader.parse(body)
        } catch {
            throw HTTPError(400, type: "invalid_json", message: "the body is not valid JSON: \(error.description)")
        }
        guard case .object(let object) = value else {
            throw HTTPError(400, type: "invalid_json", message: "the body must be a JSON object, got \(value.typeName)")
        }
        self.init(object)
    }

    /// The error of an invalid field: 422 naming it.
    static func invalid(_ field: String, _ reason: String) -> HTTPError {
        HTTPError(422, type: "validation_error", message: "\(field): \(reason)")
    }

    /// Whether the body has `key` at all (`null` included).
    func contains(_ key: String) -> Bool { object[key] != nil }

    /// The raw value of `key`, for fields of more than one type; nil when absent or null.
    mutating func value(_ key: String) -> JSONValue? {
        consumed.insert(key)
        guard let value = object[key], !value.isNull else { return nil }
        return value
    }

    /// A string; nil when absent or null.
    mutating func string(_ key: String) throws(HTTPError) -> String? {
        consumed.insert(key)
        switch object[key] {
        case nil, .null?:
            return nil
        case .string(let text)?:
            return text
        case let other?:
            throw Self.invalid(key, "must be a string, got \(other.typeName)")
        }
    }

    /// A string that must be present (and not null).
    mutating func requiredString(_ key: String) throws(HTTPError) -> String {
        guard let text = try string(key) else { throw Self.invalid(key, "is required") }
        return text
    }

    /// A field that may be set to null on purpose: nil when absent, `.some(nil)` for an explicit null.
    mutating func nullableString(_ key: String) throws(HTTPError) -> String?? {
        guard contains(key) else {
            consumed.insert(key)
            return nil
        }
        return .some(try string(key))
    }

    /// An array of strings; nil when absent or null.
    mutating func strings(_ key: String) throws(HTTPError) -> [String]? {
        consumed.insert(key)
        switch object[key] {
        case nil, .null?:
            return nil
        case .array(let items)?:
            var strings: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let text) = item else {
                    throw Self.invalid("\(key)[\(index)]", "must be a string, got \(item.typeName)")
                }
                strings.append(text)
            }
            return strings
        case let other?:
            throw Self.invalid(key, "must be an array of strings, got \(other.typeName)")
        }
    }

    /// A boolean; nil when absent or null.
    mutating func bool(_ key: String) throws(HTTPError) -> Bool? {
        consumed.insert(key)
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?: throw Self.invalid(key, "must be true or false, got \(other.typeName)")
        }
    }

    /// A whole number within `range`; nil when absent or null. A fraction, a string or a number out of
    /// range is 422 naming the field and the range.
    mutating func int(_ key: String, range: ClosedRange<Int>) throws(HTTPError) -> Int? {
        consumed.insert(key)
        let expected = "must be an integer from \(range.lowerBound) to \(range.upperBound)"
        switch object[key] {
        case nil, .null?:
            return nil
        case .integer(let number)?:
            guard let value = Int(exactly: number), range.contains(value) else { throw Self.invalid(key, "\(expected), got \(number)") }
            return value
        case .double(let number)?:
            throw Self.invalid(key, "\(expected), got \(number)")
        case let other?:
            throw Self.invalid(key, "\(expected), got \(other.typeName)")
        }
    }

    /// Fails on the first field (in body order) that nothing read.
    func finish() throws(HTTPError) {
        if let unknown = object.keys.first(where: { !consumed.contains($0) }) {
            throw Self.invalid(unknown, "unknown field")
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}

/// Query parameters of list operations.
enum QueryParameters {
    /// An integer parameter within `range`; `defaultValue` when absent. 422 naming it otherwise.
    static func int(_ request: HTTPRequest, _ name: String, default defaultValue: Int,
                    range: ClosedRange<Int>) throws(HTTPError) -> Int {
        guard let text = request.queryValue(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw RequestFields.invalid(name, "must be an integer from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        return value
    }

    /// A UUID parameter, lowercased; nil when absent.
    static func uuid(_ request: HTTPRequest, _ name: String) throws(HTTPError) -> String? {
        guard let text = request.queryValue(name) else { return nil }
        guard let id = ResourceID.normalised(text) else { throw RequestFields.invalid(name, "must be a UUID, got \"\(text)\"") }
        return id
    }
}

/// Resource ids: lowercase UUID text.
enum ResourceID {
    /// `text` as lowercase UUID text, or nil when it is not a UUID.
    static func normalised(_ text: String) -> String? {
        guard text.utf8.count == 36 else { return nil }
        let hyphens: Set<Int> = [8, 13, 18, 23]
        for (index, byte) in text.utf8.enumerated() {
            if hyphens.contains(index) {
                guard byte == UInt8(ascii: "-") else { return nil }
            } else {
                guard Self.isHex(byte) else { return nil }
            }
        }
        return text.lowercased()
    }

    /// A new random id.
    static func make() throws(HTTPError) -> String {
        do {
            return try UUIDGenerator.version4().lowercasedText
        } catch {
            throw HTTPError(500, type: "internal_error", message: "no random id: \(error)")
        }
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }
}
