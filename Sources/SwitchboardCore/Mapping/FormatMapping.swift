/// One vendor format's mapping file, compiled (mappings/README.md).
public struct FormatMapping: Sendable {
    public enum DecodeRule: Sendable {
        /// `assignments` begin with the file's `common` ones, then the type's own `set`.
        case decode(kind: CallEventKind, assignments: [Assignment])
        case ignore(reason: String)
    }

    public struct Assignment: Sendable {
        let field: CanonicalField
        let value: Expression
    }

    public struct Output: Sendable {
        let type: Expression
        let body: Expression
        let when: Expression?
        let once: String?
        /// Skip this output once the call's `skipAfter` group was sent to the destination (nothing
        /// non-terminal after a terminal event).
        let skipAfter: String?
    }

    public enum EncodeRule: Sendable {
        case outputs([Output])
        case skip(reason: String)
    }

    public let format: String
    public let title: String
    let eventType: Expression
    let identity: Expression
    let time: Expression?
    let test: Expression?
    let recognize: Expression?
    let common: [Assignment]
    let decodeRules: [String: DecodeRule]
    let encodeRules: [CallEventKind: EncodeRule]
    /// How its bodies are encoded on the wire (the file's `body`: JSON unless it says `form`).
    public internal(set) var bodyEncoding = BodyEncoding.json
    /// How its bodies are delivered (the file's `delivery` block); nil for a format only decoded.
    public internal(set) var delivery: DeliveryProfile?

    /// Where `event.time` comes from, for "missing" messages.
    var timeSources: String {
        Self.describe(time?.documentPaths ?? [])
    }

    /// Where the call id of `vendorType` comes from, for "missing" messages.
    func callKeySources(_ vendorType: String) -> String {
        guard case .decode(_, let assignments)? = decodeRules[vendorType] else { return "no rule" }
        return Self.describe(assignments.filter { $0.field == .callKey }.flatMap(\.value.documentPaths))
    }

    /// Where `event.identity` is read from, for messages.
    var identitySources: String { Self.describe(identity.documentPaths) }

    private static func describe(_ paths: [String]) -> String {
        paths.isEmpty ? "no path" : "looked at " + paths.joined(separator: ", ")
    }

    /// The vendor event types this format decodes (ignored ones included).
    public var eventTypes: [String] { decodeRules.keys.sorted() }

    /// Whether the format writes at least one output for canonical events of `kind`.
    public func encodes(_ kind: CallEventKind) -> Bool {
        guard case .outputs(let outputs)? = encodeRules[kind] else { return false }
        return !outputs.isEmpty
    }

    /// Compiles a mapping document; `name` is what the format must be called (its file name).
    public static func compile(_ document: JSONValue, name: String) throws(MappingCompileError) -> FormatMapping {
        guard case .object(let root) = document else { throw MappingCompileError("", "a mapping file must be a JSON object") }
        try only(root, ["format", "title", "description", "body", "delivery", "templates", "event", "common", "decode", "encode"], at: "")
        var templateSources = JSONObject()
        if let templates = root["templates"] {
            guard case .object(let object) = templates else { throw MappingCompileError("templates", "must be an object of named templates") }
            templateSources = object
        }
        let templates = TemplateLibrary(templateSources)
        try templates.compileAll()
        guard let format = root["format"]?.stringValue, !format.isEmpty else {
            throw MappingCompileError("format", "must be the format's name")
        }
        guard format == name else { throw MappingCompileError("format", "'\(format)' must match the file name '\(name)'") }
        guard case .object(let event)? = root["event"] else { throw MappingCompileError("event", "must be an object") }
        try only(event, ["type", "identity", "time", "test", "recognize"], at: "event")
        guard let type = event["type"] else { throw MappingCompileError("event.type", "is required") }
        guard let identity = event["identity"] else { throw MappingCompileError("event.identity", "is required") }

        var decodeRules: [String: DecodeRule] = [:]
        guard case .object(let decode)? = root["decode"], !decode.isEmpty else {
            throw MappingCompileError("decode", "must be an object with at least one event type")
        }
        for (vendorType, rule) in decode {
            decodeRules[vendorType] = try compileDecode(rule, at: "decode.\(vendorType)", templates: templates)
        }
        var encodeRules: [CallEventKind: EncodeRule] = [:]
        if case .object(let encode)? = root["encode"] {
            for (kindName, rule) in encode {
                guard let kind = CallEventKind(rawValue: kindName) else {
                    throw MappingCompileError("encode.\(kindName)", "unknown canonical kind (known: \(CallEventKind.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                encodeRules[kind] = try compileEncode(rule, at: "encode.\(kindName)", templates: templates)
            }
        } else if root["encode"] != nil {
            throw MappingCompileError("encode", "must be an object")
        }
        let eventType = try ExpressionCompiler.compile(type, at: "event.type", templates: templates)
        let identityExpression = try ExpressionCompiler.compile(identity, at: "event.identity", templates: templates)
        let time = try event["time"].map { v throws(MappingCompileError) in try ExpressionCompiler.compile(v, at: "event.time", templates: templates) }
        let test = try event["test"].map { v throws(MappingCompileError) in try ExpressionCompiler.compile(v, at: "event.test", templates: templates) }
        let recognize = try event["recognize"].map { v throws(MappingCompileError) in try ExpressionCompiler.compile(v, at: "event.recognize", templates: templates) }
        let common = try compileAssignments(root["common"], at: "common", templates: templates)
        for (vendorType, rule) in decodeRules {
            if case .decode(let kind, let assignments) = rule {
                decodeRules[vendorType] = .decode(kind: kind, assignments: common + assignments)
            }
        }
        var mapping = FormatMapping(
            format: format, title: root["title"]?.stringValue ?? format,
            eventType: eventType, identity: identityExpression, time: time, test: test, recognize: recognize,
            common: common,
            decodeRules: decodeRules, encodeRules: encodeRules)
        mapping.delivery = try DeliveryProfile.compile(root["delivery"])
        mapping.bodyEncoding = try BodyEncoding.compile(root["body"])
        return mapping
    }

    private static func compileDecode(_ rule: JSONValue, at location: String,
                                      templates: TemplateLibrary) throws(MappingCompileError) -> DecodeRule {
        guard case .object(let object) = rule else { throw MappingCompileError(location, "must be an object") }
        if let reason = object["ignore"] {
            try only(object, ["ignore"], at: location)
            guard let text = reason.stringValue else { throw MappingCompileError("\(location).ignore", "must be a reason (text)") }
            return .ignore(reason: text)
        }
        try only(object, ["kind", "set"], at: location)
        guard let kindName = object["kind"]?.stringValue, let kind = CallEventKind(rawValue: kindName) else {
            throw MappingCompileError("\(location).kind", "must be a canonical kind (\(CallEventKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return .decode(kind: kind, assignments: try compileAssignments(object["set"], at: "\(location).set", templates: templates))
    }

    private static func compileAssignments(_ value: JSONValue?, at location: String,
                                           templates: TemplateLibrary) throws(MappingCompileError) -> [Assignment] {
        guard let value else { return [] }
        guard case .object(let object) = value else { throw MappingCompileError(location, "must be an object of canonical paths") }
        var assignments: [Assignment] = []
        for (path, expression) in object {
            let here = "\(location)[\"\(path)\"]"
            guard let field = CanonicalField(rawValue: path) else {
                throw MappingCompileError(here, "unknown canonical path (see mappings/README.md)")
            }
            assignments.append(Assignment(field: field, value: try ExpressionCompiler.compile(expression, at: here, templates: templates)))
        }
        return assignments
    }

    private static func compileEncode(_ rule: JSONValue, at location: String,
                                      templates: TemplateLibrary) throws(MappingCompileError) -> EncodeRule {
        if case .object(let object) = rule, let reason = object["skip"] {
            try only(object, ["skip"], at: location)
            guard let text = reason.stringValue else { throw MappingCompileError("\(location).skip", "must be a reason (text)") }
            return .skip(reason: text)
        }
        let items: [JSONValue] = if case .array(let list) = rule { list } else { [rule] }
        guard !items.isEmpty else { throw MappingCompileError(location, "needs at least one output") }
        var outputs: [Output] = []
        for (index, item) in items.enumerated() {
            let here = items.count == 1 ? location : "\(location)[\(index)]"
            guard case .object(let object) = item else { throw MappingCompileError(here, "an output must be an object") }
            try only(object, ["type", "body", "when", "once", "skip_after"], at: here)
            guard let type = object["type"] else { throw MappingCompileError("\(here).type", "is required") }
            guard let body = object["body"] else { throw MappingCompileError("\(here).body", "is required") }
            for key in ["once", "skip_after"] {
                if let group = object[key], group.stringValue == nil {
                    throw MappingCompileError("\(here).\(key)", "must be a group name (text)")
                }
            }
            outputs.append(Output(
                type: try ExpressionCompiler.compile(type, at: "\(here).type", templates: templates),
                body: try ExpressionCompiler.compile(body, at: "\(here).body", templates: templates),
                when: try object["when"].map { v throws(MappingCompileError) in try ExpressionCompiler.compile(v, at: "\(here).when", templates: templates) },
                once: object["once"]?.stringValue, skipAfter: object["skip_after"]?.stringValue))
        }
        return .outputs(outputs)
    }

    private static func only(_ object: JSONObject, _ allowed: Set<String>, at location: String) throws(MappingCompileError) {
        if let unknown = object.keys.first(where: { !allowed.contains($0) }) {
            throw MappingCompileError(location.isEmpty ? unknown : "\(location).\(unknown)", "unknown key")
        }
    }
}
