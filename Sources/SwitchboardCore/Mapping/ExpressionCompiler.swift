/// A problem in a mapping file: where (`decode.call_ended.set["call.started_at"]`) and what.
public struct MappingCompileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let location: String
    public let reason: String

    public init(_ location: String, _ reason: String) {
        self.location = location
        self.reason = reason
    }

    public var description: String { location.isEmpty ? reason : "\(location): \(reason)" }
}

/// A mapping file's named templates, compiled on first use and inlined where `@template` names them.
public final class TemplateLibrary {
    private let sources: JSONObject
    private var compiled: [String: Expression] = [:]
    private var compiling: [String] = []

    public init(_ sources: JSONObject = JSONObject()) { self.sources = sources }

    func expression(named name: String, at location: String) throws(MappingCompileError) -> Expression {
        if let done = compiled[name] { return done }
        guard let source = sources[name] else { throw MappingCompileError(location, "unknown template '\(name)'") }
        guard !compiling.contains(name) else {
            throw MappingCompileError(location, "template '\(name)' refers to itself (\((compiling + [name]).joined(separator: " → ")))")
        }
        compiling.append(name)
        defer { compiling.removeLast() }
        let expression = try ExpressionCompiler.compile(source, at: "templates.\(name)", templates: self)
        compiled[name] = expression
        return expression
    }

    /// Compiles every template, so one never used is still checked.
    func compileAll() throws(MappingCompileError) {
        for name in sources.keys { _ = try expression(named: name, at: "templates.\(name)") }
    }
}

/// Compiles the JSON form of an expression (mappings/README.md) into an `Expression`.
public enum ExpressionCompiler {
    public static func compile(_ value: JSONValue, at location: String,
                               templates: TemplateLibrary = TemplateLibrary()) throws(MappingCompileError) -> Expression {
        switch value {
        case .null, .bool, .integer, .double:
            return .literal(value)
        case .string(let text):
            return try compileString(text, at: location)
        case .array(let items):
            var compiled: [Expression] = []
            for (index, item) in items.enumerated() {
                compiled.append(try compile(item, at: "\(location)[\(index)]", templates: templates))
            }
            return folded(.array(compiled))
        case .object(let object):
            if object.count > 1, let stray = object.keys.first(where: { $0.hasPrefix("@") }) {
                throw MappingCompileError(location, "'\(stray)' is a function but the object has other keys; a function is an object with that one key (use @literal for a key starting with '@')")
            }
            if object.count == 1, let name = object.keys.first, name.hasPrefix("@") {
                return try compileCall(String(name.dropFirst()), object.values[0], at: location, templates: templates)
            }
            var members: [Expression.ObjectMember] = []
            for (key, member) in object {
                members.append(.init(key: key, value: try compile(member, at: "\(location).\(key)", templates: templates)))
            }
            return folded(.object(members))
        }
    }

    /// An object or array whose members are all literals is itself a literal: built once, here.
    private static func folded(_ expression: Expression) -> Expression {
        switch expression {
        case .array(let elements):
            var values: [JSONValue] = []
            for element in elements {
                guard case .literal(let value) = element else { return expression }
                values.append(value)
            }
            return .literal(.array(values))
        case .object(let members):
            var object = JSONObject()
            for member in members {
                guard case .literal(let value) = member.value else { return expression }
                object.appendUnique(member.key, value)
            }
            return .literal(.object(object))
        default:
            return expression
        }
    }

    private static func compileString(_ text: String, at location: String) throws(MappingCompileError) -> Expression {
        if text.hasPrefix("$") {
            guard let path = parsePath(text) else {
                throw MappingCompileError(location, "'\(text)' is neither a path ($.a.b, $item.a) nor a literal (write {\"@literal\": \"\(text)\"})")
            }
            return .path(path)
        }
        guard text.contains("{{") else { return .literal(.string(text)) }
        var parts: [Expression.TemplatePart] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.range(of: "}}") else {
                throw MappingCompileError(location, "template '\(text)' has '{{' without '}}'")
            }
            let inner = afterOpen[..<close.lowerBound].trimmingSpaces()
            guard let path = parsePath(String(inner)) else {
                throw MappingCompileError(location, "template hole '{{\(inner)}}' must be a path like $.call.key")
            }
            parts.append(.hole(path))
            rest = afterOpen[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        return .template(parts)
    }

    static func parsePath(_ text: String) -> JSONPath? {
        let root: JSONPath.Root
        let remainder: Substring
        if text == "$" || text.hasPrefix("$.") {
            root = .document
            remainder = text.dropFirst(1)
        } else if text == "$item" || text.hasPrefix("$item.") {
            root = .item
            remainder = text.dropFirst(5)
        } else {
            return nil
        }
        if remainder.isEmpty { return JSONPath(root: root, segments: []) }
        let segments = remainder.dropFirst().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !segments.contains(where: \.isEmpty) else { return nil }
        return JSONPath(root: root, segments: segments)
    }

    private static func compileCall(_ name: String, _ argument: JSONValue, at location: String,
                                    templates: TemplateLibrary) throws(MappingCompileError) -> Expression {
        let here = "\(location).@\(name)"
        if name == "literal" { return .literal(argument) }
        if name == "template" {
            guard let templateName = argument.stringValue else { throw MappingCompileError(here, "@template takes a template name") }
            return try templates.expression(named: templateName, at: here)
        }
        if name == "map" {
            guard case .object(let spec) = argument, let over = spec["over"], let each = spec["each"], spec.count == 2 else {
                throw MappingCompileError(here, "@map takes {\"over\": expression, \"each\": template}")
            }
            return .map(over: try compile(over, at: "\(here).over", templates: templates),
                        each: try compile(each, at: "\(here).each", templates: templates))
        }
        guard let function = MappingFunction(rawValue: name) else {
            throw MappingCompileError(location, "unknown function @\(name)")
        }
        let arguments: [JSONValue]
        if case .array(let items) = argument { arguments = items } else { arguments = [argument] }
        guard function.arity.contains(arguments.count) else {
            let expected = function.arity.count == 1 ? "\(function.arity.lowerBound)"
                : "\(function.arity.lowerBound) to \(function.arity.upperBound)"
            throw MappingCompileError(here, "@\(name) takes \(expected) argument(s), got \(arguments.count)")
        }
        var compiled: [Expression] = []
        for (index, item) in arguments.enumerated() {
            compiled.append(try compile(item, at: "\(here)[\(index)]", templates: templates))
        }
        return .call(function, compiled)
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var text = self
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
