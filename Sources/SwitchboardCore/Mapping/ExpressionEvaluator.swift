import Foundation

/// A mapping expression that could not be evaluated on this input (e.g. `@time` of "soon").
public struct EvaluationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Evaluates compiled expressions against a document. Pure: no clock, no I/O.
public enum ExpressionEvaluator {
    public static func evaluate(_ expression: Expression, document: JSONValue,
                                item: JSONValue? = nil) throws(EvaluationError) -> JSONValue {
        try value(expression, document, item)
    }

    /// Evaluates against any document: a JSON value (decoding) or the event's view (encoding).
    static func value<Document: MappingDocument>(_ expression: Expression, _ document: Document,
                                                 _ item: JSONValue?) throws(EvaluationError) -> JSONValue {
        switch expression {
        case .literal(let value):
            return value
        case .path(let path):
            return resolve(path, document: document, item: item) ?? .null
        case .template(let parts):
            var text = ""
            for part in parts {
                switch part {
                case .text(let literal): text += literal
                case .hole(let path): text += MappingValues.text(resolve(path, document: document, item: item) ?? .null)
                }
            }
            return .string(text)
        case .object(let members):
            // Keys of an object template are unique (the reader refused duplicates in the mapping file).
            var object = JSONObject()
            object.reserveCapacity(members.count)
            for member in members {
                object.appendUnique(member.key, try value(member.value, document, item))
            }
            return .object(object)
        case .array(let elements):
            var values: [JSONValue] = []
            values.reserveCapacity(elements.count)
            for element in elements { values.append(try value(element, document, item)) }
            return .array(values)
        case .map(let over, let each):
            let source = try value(over, document, item)
            guard case .array(let elements) = source else {
                if source.isNull { return .null }
                throw EvaluationError("@map over \(source.typeNameWithArticle), not an array")
            }
            var values: [JSONValue] = []
            values.reserveCapacity(elements.count)
            for element in elements { values.append(try value(each, document, element)) }
            return .array(values)
        case .call(let function, let arguments):
            return try call(function, arguments, document: document, item: item)
        }
    }

    /// Evaluates `expression` and writes its JSON text straight into `out`: object and array templates,
    /// literals and paths are written as they are walked, without building the output tree first (the
    /// same bytes `JSONWriter` would give for `evaluate`'s result). Function results are built, then written.
    public static func emit(_ expression: Expression, document: JSONValue, item: JSONValue? = nil,
                            into out: inout [UInt8]) throws(EvaluationError) {
        try write(expression, document, item, into: &out)
    }

    static func write<Document: MappingDocument>(_ expression: Expression, _ document: Document, _ item: JSONValue?,
                                                 into out: inout [UInt8]) throws(EvaluationError) {
        switch expression {
        case .object(let members):
            out.append(0x7B)
            for index in members.indices {
                if index > 0 { out.append(0x2C) }
                JSONString.append(members[index].key, to: &out)
                out.append(0x3A)
                try write(members[index].value, document, item, into: &out)
            }
            out.append(0x7D)
        case .array(let elements):
            out.append(0x5B)
            for index in elements.indices {
                if index > 0 { out.append(0x2C) }
                try write(elements[index], document, item, into: &out)
            }
            out.append(0x5D)
        case .call(.omitNulls, let arguments):
            guard case .object(let members) = arguments[0] else {
                JSONWriter.write(try value(expression, document, item), to: &out)
                return
            }
            try writeOmittingNulls(members, document, item, into: &out)
        case .literal(let value):
            JSONWriter.write(value, to: &out)
        case .path(let path):
            JSONWriter.write(resolve(path, document: document, item: item) ?? .null, to: &out)
        case .template, .call, .map:
            JSONWriter.write(try value(expression, document, item), to: &out)
        }
    }

    /// `@omit_nulls` of an object template, written as walked: members that can never be `null` (objects,
    /// arrays, templates) are streamed; the others are evaluated and left out when `null`.
    private static func writeOmittingNulls<Document: MappingDocument>(_ members: [Expression.ObjectMember], _ document: Document,
                                                                      _ item: JSONValue?, into out: inout [UInt8]) throws(EvaluationError) {
        out.append(0x7B)
        var first = true
        for member in members {
            var found: JSONValue?
            switch member.value {
            case .object, .array, .template: break
            default:
                let computed = try value(member.value, document, item)
                if computed.isNull { continue }
                found = computed
            }
            if !first { out.append(0x2C) }
            first = false
            JSONString.append(member.key, to: &out)
            out.append(0x3A)
            if let found { JSONWriter.write(found, to: &out) } else { try write(member.value, document, item, into: &out) }
        }
        out.append(0x7D)
    }

    /// The value at `path`, from the document or the current `@map` element, without copying either.
    @inline(__always)
    static func resolve<Document: MappingDocument>(_ path: JSONPath, document: Document, item: JSONValue?) -> JSONValue? {
        if path.root == .document { return document.resolve(path) }
        if let item { return path.resolve(item, from: 0) }
        return path.resolve(.null, from: 0)
    }

    /// Conditions: `false` and `null` are false, everything else true.
    public static func isTrue(_ value: JSONValue) -> Bool {
        switch value {
        case .null, .bool(false): false
        default: true
        }
    }

    private static func call<Document: MappingDocument>(_ function: MappingFunction, _ arguments: [Expression], document: Document,
                                                        item: JSONValue?) throws(EvaluationError) -> JSONValue {
        func argument(_ index: Int) throws(EvaluationError) -> JSONValue {
            try value(arguments[index], document, item)
        }
        switch function {
        case .coalesce:
            for index in arguments.indices {
                let value = try argument(index)
                if !value.isNull { return value }
            }
            return .null
        case .default:
            let value = try argument(0)
            return value.isNull ? try argument(1) : value
        case .if:
            return isTrue(try argument(0)) ? try argument(1) : try argument(2)
        case .lookup:
            let key = MappingValues.text(try argument(0))
            // A table written in the mapping: evaluate only the member that matches.
            if case .object(let members) = arguments[1] {
                if let member = members.first(where: { $0.key == key }) {
                    return try value(member.value, document, item)
                }
                return arguments.count > 2 ? try argument(2) : .null
            }
            guard case .object(let table) = try argument(1) else { throw EvaluationError("@lookup's table must be an object") }
            if let found = table[key] { return found }
            return arguments.count > 2 ? try argument(2) : .null
        case .and:
            for index in arguments.indices where !isTrue(try argument(index)) { return .bool(false) }
            return .bool(true)
        case .or:
            for index in arguments.indices where isTrue(try argument(index)) { return .bool(true) }
            return .bool(false)
        case .not:
            return .bool(!isTrue(try argument(0)))
        case .exists:
            return .bool(!(try argument(0)).isNull)
        case .eq:
            return .bool(MappingValues.equal(try argument(0), try argument(1)))
        case .ne:
            return .bool(!MappingValues.equal(try argument(0), try argument(1)))
        case .in:
            let value = try argument(0)
            guard case .array(let options) = try argument(1) else { throw EvaluationError("@in's second argument must be an array") }
            return .bool(options.contains { MappingValues.equal(value, $0) })
        case .sha256:
            // `@sha256` of `@json`: the JSON text is hashed as written, without becoming a `String` first.
            if case .call(.json, let inner) = arguments[0] {
                var bytes: [UInt8] = []
                bytes.reserveCapacity(256)
                try write(inner[0], document, item, into: &bytes)
                return try MappingValues.sha256(bytes)
            }
            return try MappingValues.apply(function, try argument(0))
        case .join:
            let separator = MappingValues.text(try argument(0))
            var text = ""
            var first = true
            for index in arguments.indices.dropFirst() {
                let value = try argument(index)
                if value.isNull { continue }
                if !first { text += separator }
                text += MappingValues.text(value)
                first = false
            }
            return .string(text)
        case .merge:
            // Every argument is evaluated before a non-object one is reported (as when they were collected first).
            var merged = JSONObject()
            var refused: JSONValue?
            for index in arguments.indices {
                let value = try argument(index)
                guard refused == nil else { continue }
                switch value {
                case .null: continue
                case .object(let object):
                    if merged.isEmpty {
                        merged = object
                    } else {
                        for position in 0..<object.count { merged[object.keys[position]] = object.values[position] }
                    }
                default: refused = value
                }
            }
            if let refused { throw EvaluationError("@merge: \(refused.typeNameWithArticle) is not an object") }
            return .object(merged)
        case .secondsBetween, .addSeconds, .uuid5:
            return try MappingValues.apply(function, try argument(0), try argument(1))
        case .time, .unix, .iso8601, .lower, .upper, .string, .integer, .json, .omitNulls, .numberIfDigits, .timeOrNull:
            return try MappingValues.apply(function, try argument(0))
        }
    }
}

/// What a path's `$` can be: a JSON document, or the event view encoding reads.
protocol MappingDocument {
    func resolve(_ path: JSONPath) -> JSONValue?
}

extension JSONValue: MappingDocument {
    func resolve(_ path: JSONPath) -> JSONValue? { path.resolve(self, from: 0) }
}

extension EventDocument: MappingDocument {}
