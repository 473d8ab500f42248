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
        switch expression {
        case .literal(let value):
            return value
        case .path(let path):
            let base = path.root == .document ? document : (item ?? .null)
            return path.resolve(in: base) ?? .null
        case .template(let parts):
            var text = ""
            for part in parts {
                switch part {
                case .text(let literal): text += literal
                case .hole(let path): text += MappingValues.text(path.resolve(in: path.root == .document ? document : (item ?? .null)) ?? .null)
                }
            }
            return .string(text)
        case .object(let members):
            // Keys of an object template are unique (the reader refused duplicates in the mapping file).
            var object = JSONObject()
            object.reserveCapacity(members.count)
            for member in members {
                object.appendUnique(member.key, try evaluate(member.value, document: document, item: item))
            }
            return .object(object)
        case .array(let elements):
            var values: [JSONValue] = []
            values.reserveCapacity(elements.count)
            for element in elements { values.append(try evaluate(element, document: document, item: item)) }
            return .array(values)
        case .map(let over, let each):
            let source = try evaluate(over, document: document, item: item)
            guard case .array(let elements) = source else {
                if source.isNull { return .null }
                throw EvaluationError("@map over a \(source.typeName), not an array")
            }
            var values: [JSONValue] = []
            values.reserveCapacity(elements.count)
            for element in elements { values.append(try evaluate(each, document: document, item: element)) }
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
        switch expression {
        case .object(let members):
            out.append(0x7B)
            for index in members.indices {
                if index > 0 { out.append(0x2C) }
                JSONString.append(members[index].key, to: &out)
                out.append(0x3A)
                try emit(members[index].value, document: document, item: item, into: &out)
            }
            out.append(0x7D)
        case .array(let elements):
            out.append(0x5B)
            for index in elements.indices {
                if index > 0 { out.append(0x2C) }
                try emit(elements[index], document: document, item: item, into: &out)
            }
            out.append(0x5D)
        case .literal(let value):
            JSONWriter.write(value, to: &out)
        case .path(let path):
            JSONWriter.write(path.resolve(in: path.root == .document ? document : (item ?? .null)) ?? .null, to: &out)
        case .template, .call, .map:
            JSONWriter.write(try evaluate(expression, document: document, item: item), to: &out)
        }
    }

    /// Conditions: `false` and `null` are false, everything else true.
    public static func isTrue(_ value: JSONValue) -> Bool {
        switch value {
        case .null, .bool(false): false
        default: true
        }
    }

    private static func call(_ function: MappingFunction, _ arguments: [Expression], document: JSONValue,
                             item: JSONValue?) throws(EvaluationError) -> JSONValue {
        func argument(_ index: Int) throws(EvaluationError) -> JSONValue {
            try evaluate(arguments[index], document: document, item: item)
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
                    return try evaluate(member.value, document: document, item: item)
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
        default:
            var values: [JSONValue] = []
            for index in arguments.indices { values.append(try argument(index)) }
            return try MappingValues.apply(function, values)
        }
    }
}
