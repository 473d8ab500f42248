/// A JSON document in memory. Objects keep their keys in order (output is deterministic and reads the
/// way the mapping file wrote it); integers that fit in 64 bits stay exact.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The member `key` of an object, or nil (for non-objects too).
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var stringValue: String? { if case .string(let text) = self { return text } else { return nil } }

    public var objectValue: JSONObject? { if case .object(let object) = self { return object } else { return nil } }

    public var arrayValue: [JSONValue]? { if case .array(let items) = self { return items } else { return nil } }

    public var boolValue: Bool? { if case .bool(let flag) = self { return flag } else { return nil } }

    /// The number as a Double (integers converted), or nil.
    public var doubleValue: Double? {
        switch self {
        case .integer(let number): return Double(number)
        case .double(let number): return number
        default: return nil
        }
    }

    /// The number as an Int64 when it is integral and in range, or nil.
    public var integerValue: Int64? {
        switch self {
        case .integer(let number): return number
        case .double(let number):
            guard number.rounded() == number, let exact = Int64(exactly: number) else { return nil }
            return exact
        default: return nil
        }
    }

    /// The type's name with its article ("an object", "a string"), for error messages.
    public var typeNameWithArticle: String {
        switch self {
        case .null: "null"
        case .object, .array: "an \(typeName)"
        default: "a \(typeName)"
        }
    }

    /// The JSON type's name, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// A JSON object with its keys in insertion order. Keys are unique (the reader refuses duplicates;
/// `set` replaces). Lookups scan linearly, which beats hashing for the small objects webhooks carry.
public struct JSONObject: Sendable, Hashable, Sequence {
    public private(set) var keys: [String] = []
    public private(set) var values: [JSONValue] = []

    public init() {}

    public init(_ pairs: [(String, JSONValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    /// Builds from parallel arrays whose keys the caller guarantees unique (the reader, compiled object
    /// templates, the canonical view): no duplicate scan.
    init(uniqueKeys keys: [String], values: [JSONValue]) {
        self.keys = keys
        self.values = values
    }

    /// Appends a member whose key the caller guarantees is not present yet (no scan).
    mutating func appendUnique(_ key: String, _ value: JSONValue) {
        keys.append(key)
        values.append(value)
    }

    mutating func reserveCapacity(_ count: Int) {
        keys.reserveCapacity(count)
        values.reserveCapacity(count)
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// The position of `key` in `keys`/`values`, or nil.
    @inline(__always)
    func index(forKey key: String) -> Int? {
        keys.firstIndex(of: key)
    }

    public subscript(key: String) -> JSONValue? {
        get {
            guard let index = index(forKey: key) else { return nil }
            return values[index]
        }
        set {
            if let index = keys.firstIndex(of: key) {
                if let newValue { values[index] = newValue } else {
                    keys.remove(at: index)
                    values.remove(at: index)
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    public func makeIterator() -> Zip2Sequence<[String], [JSONValue]>.Iterator {
        zip(keys, values).makeIterator()
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}
