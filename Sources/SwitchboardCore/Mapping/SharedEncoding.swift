/// One output of an event encoded once for every destination of a format: the mapping ran once, and
/// each destination's body is derived from it with that destination's envelope id.
///
/// The gateway's envelope id is the delivery id (UUIDv5 of event, destination and output type), so the
/// bodies of one format differ only by it. When the output's body template writes `$.envelope_id` only
/// as it is (a value or a `{{hole}}`, never through a function), the body is rendered once with a
/// private placeholder where the id goes and `body(envelopeID:)` splices the id in; otherwise (an id
/// hashed, upper-cased, wrapped in `@json`…) `body(envelopeID:)` renders that output again, so the
/// bytes are always what `Translator.encode` would give.
public struct SharedOutput: Sendable {
    public let type: String
    /// The output's `once` and `skip_after` groups, for the caller to claim per destination.
    public let once: String?
    public let skipAfter: String?
    /// The body with `SharedOutput.placeholder` at `idOffsets`; nil when each body must be rendered.
    let template: [UInt8]?
    let idOffsets: [Int]
    let expression: Expression
    let document: EventDocument
    let format: String

    /// The body this output has for a destination whose envelope id is `envelopeID`.
    public func body(envelopeID: String) throws(TranslationError) -> [UInt8] {
        if let template, Self.needsNoEscaping(envelopeID) {
            guard !idOffsets.isEmpty else { return template }
            let id = Array(envelopeID.utf8)
            var body: [UInt8] = []
            body.reserveCapacity(template.count + idOffsets.count * (id.count - Self.placeholderBytes.count))
            var start = 0
            for offset in idOffsets {
                body.append(contentsOf: template[start..<offset])
                body.append(contentsOf: id)
                start = offset + Self.placeholderBytes.count
            }
            body.append(contentsOf: template[start...])
            return body
        }
        var document = document
        document.envelopeID = envelopeID
        return try Self.render(expression, document, format: format)
    }

    /// Writes `expression` for `document`; an evaluation error is the format's `encodeFailed`.
    static func render(_ expression: Expression, _ document: EventDocument, format: String) throws(TranslationError) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(1024)
        do { try ExpressionEvaluator.write(expression, document, nil, into: &body) } catch {
            throw .encodeFailed(format: format, kind: document.event.kind.rawValue, reason: error.description)
        }
        return body
    }

    /// A random token no input can know: 32 hex digits, fixed per process (nil if there is no randomness,
    /// and then every body is rendered).
    static let placeholder: String? = (try? SecureRandom.bytes(count: 16)).map { "sb" + Hex.encode($0) }
    static let placeholderBytes: [UInt8] = placeholder.map { Array($0.utf8) } ?? []

    /// Where `placeholderBytes` occur in `body`.
    static func offsets(in body: [UInt8]) -> [Int] {
        let needle = placeholderBytes
        guard let first = needle.first, body.count >= needle.count else { return [] }
        var found: [Int] = []
        var index = 0
        while index <= body.count - needle.count {
            if body[index] == first, body[index..<index + needle.count].elementsEqual(needle) {
                found.append(index)
                index += needle.count
            } else {
                index += 1
            }
        }
        return found
    }

    /// Whether `text` is written into JSON as it is (letters, digits, `-`): a UUID is.
    static func needsNoEscaping(_ text: String) -> Bool {
        text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D }
    }
}

extension Translator {
    /// Encodes a correlated event as `format` once for all of its destinations (the gateway's routing):
    /// the same outputs, types and bodies as `encode`, each destination's body then taken with
    /// `SharedOutput.body(envelopeID:)`. Once-per-call groups are not decided here whatever
    /// `claimsInMemory` says: the caller claims `once`/`skip_after` per destination (the gateway does,
    /// in its commit). Counts one in `formatEncodings`.
    public mutating func encodeShared(_ event: CallEvent, as format: String) throws(TranslationError) -> [SharedOutput] {
        let mapping = try mapping(format)
        formatEncodings += 1
        guard case .outputs(let outputs)? = mapping.encodeRules[event.kind] else { return [] }
        let base = EventDocument(event: event, sessionTranscript: sessions.transcript(forCall: event.call.id))
        var results: [SharedOutput] = []
        for output in outputs {
            var document = base
            let type: String
            do {
                if let when = output.when, !ExpressionEvaluator.isTrue(try ExpressionEvaluator.value(when, document, nil)) {
                    continue
                }
                type = MappingValues.text(try ExpressionEvaluator.value(output.type, document, nil))
            } catch {
                throw .encodeFailed(format: format, kind: event.kind.rawValue, reason: error.description)
            }
            document.outputType = type
            var template: [UInt8]?
            var offsets: [Int] = []
            if let placeholder = SharedOutput.placeholder, output.body.writesEnvelopeIDVerbatim {
                var rendered = document
                rendered.envelopeID = placeholder
                let body = try SharedOutput.render(output.body, rendered, format: format)
                offsets = SharedOutput.offsets(in: body)
                template = body
            }
            results.append(SharedOutput(type: type, once: output.once, skipAfter: output.skipAfter, template: template,
                                        idOffsets: offsets, expression: output.body, document: document, format: format))
        }
        return results
    }
}

extension Expression {
    /// Whether every read of `$.envelope_id` puts the id into the output as it is: a plain path or a
    /// template hole, never an argument of a function, never the whole view (`$`).
    var writesEnvelopeIDVerbatim: Bool {
        switch self {
        case .literal: return true
        case .path(let path): return !path.readsEnvelopeID || path.segments.count == 1
        case .template(let parts):
            return parts.allSatisfy { if case .hole(let path) = $0 { !path.readsEnvelopeID || path.segments.count == 1 } else { true } }
        case .object(let members): return members.allSatisfy(\.value.writesEnvelopeIDVerbatim)
        case .array(let elements): return elements.allSatisfy(\.writesEnvelopeIDVerbatim)
        case .map(let over, let each): return over.writesEnvelopeIDVerbatim && each.writesEnvelopeIDVerbatim
        case .call(_, let arguments): return !arguments.contains(where: \.readsEnvelopeID)
        }
    }

    /// Whether evaluating it can read the envelope id at all.
    var readsEnvelopeID: Bool {
        switch self {
        case .literal: return false
        case .path(let path): return path.readsEnvelopeID
        case .template(let parts): return parts.contains { if case .hole(let path) = $0 { path.readsEnvelopeID } else { false } }
        case .object(let members): return members.contains(where: \.value.readsEnvelopeID)
        case .array(let elements): return elements.contains(where: \.readsEnvelopeID)
        case .map(let over, let each): return over.readsEnvelopeID || each.readsEnvelopeID
        case .call(_, let arguments): return arguments.contains(where: \.readsEnvelopeID)
        }
    }
}

extension JSONPath {
    /// A document path that names the envelope id, or the whole view (which holds it).
    var readsEnvelopeID: Bool {
        root == .document && (segments.isEmpty || viewHead == .envelopeID)
    }
}
