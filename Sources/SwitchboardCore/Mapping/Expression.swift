/// A compiled mapping expression (see mappings/README.md for the language).
public indirect enum Expression: Sendable {
    case literal(JSONValue)
    case path(JSONPath)
    /// Text with `{{path}}` holes.
    case template([TemplatePart])
    case object([ObjectMember])
    case array([Expression])
    case call(MappingFunction, [Expression])
    case map(over: Expression, each: Expression)

    public struct ObjectMember: Sendable {
        public let key: String
        public let value: Expression
    }

    public enum TemplatePart: Sendable {
        case text(String)
        case hole(JSONPath)
    }
}

extension Expression {
    /// The document paths the expression reads, in order (for messages such as "call.key is missing").
    var documentPaths: [String] {
        switch self {
        case .literal: return []
        case .path(let path): return path.root == .document ? [path.description] : []
        case .template(let parts):
            return parts.compactMap { if case .hole(let path) = $0, path.root == .document { return path.description } else { return nil } }
        case .object(let members): return members.flatMap(\.value.documentPaths)
        case .array(let elements): return elements.flatMap(\.documentPaths)
        case .call(_, let arguments): return arguments.flatMap(\.documentPaths)
        case .map(let over, let each): return over.documentPaths + each.documentPaths
        }
    }
}

/// `$.a.b.0` (from the document) or `$item.a` (from the current `@map` element).
public struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    public enum Root: Sendable, Equatable { case document, item }

    public let root: Root
    public let segments: [String]
    /// Each segment read as an array index (`Int(segment)`), worked out once here rather than per lookup.
    let indices: [Int?]
    /// What the first segment names in the encoding view, and the second in its `call` object.
    let viewHead: ViewHead?
    let callField: CallViewField?

    init(root: Root, segments: [String]) {
        self.root = root
        self.segments = segments
        indices = segments.map { Int($0) }
        switch segments.first {
        case "envelope_id": viewHead = .envelopeID
        case "output_type": viewHead = .outputType
        case let first?: viewHead = ViewField(rawValue: first).map { .field($0) }
        case nil: viewHead = nil
        }
        callField = segments.count > 1 ? CallViewField(rawValue: segments[1]) : nil
    }

    public static func == (lhs: JSONPath, rhs: JSONPath) -> Bool {
        lhs.root == rhs.root && lhs.segments == rhs.segments
    }

    public var description: String {
        (root == .document ? "$" : "$item") + segments.map { "." + $0 }.joined()
    }

    /// Walks the segments: object members by name, array elements by index. Missing is nil.
    func resolve(in value: JSONValue) -> JSONValue? {
        resolve(value, from: 0)
    }

    /// The walk from segment `position` on. Each level borrows its container; only the value found is copied.
    func resolve(_ value: JSONValue, from position: Int) -> JSONValue? {
        if position == segments.count { return value }
        switch value {
        case .object(let object):
            guard let index = object.index(forKey: segments[position]) else { return nil }
            return resolve(object.values[index], from: position + 1)
        case .array(let items):
            guard let index = indices[position], items.indices.contains(index) else { return nil }
            return resolve(items[index], from: position + 1)
        default:
            return nil
        }
    }
}

/// The functions a mapping can call, with how many arguments each takes.
public enum MappingFunction: String, Sendable, CaseIterable {
    case coalesce, `default`, `if`, lookup
    case time, unix, iso8601
    case secondsBetween = "seconds_between", addSeconds = "add_seconds"
    case uuid5, lower, upper, string, integer, join, json, sha256
    case omitNulls = "omit_nulls", merge
    case numberIfDigits = "number_if_digits"
    case timeOrNull = "time_or_null"
    case exists, eq, ne, `in`, and, or, not

    /// Allowed argument counts.
    var arity: ClosedRange<Int> {
        switch self {
        case .coalesce, .and, .or, .merge: 1...64
        case .join: 2...64
        case .default, .secondsBetween, .addSeconds, .uuid5, .eq, .ne, .in: 2...2
        case .lookup: 2...3
        case .if: 3...3
        case .time, .unix, .iso8601, .lower, .upper, .string, .integer, .json, .sha256, .omitNulls, .exists, .not,
             .numberIfDigits, .timeOrNull: 1...1
        }
    }
}
