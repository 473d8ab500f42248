import Foundation

/// Why a body could not be translated, precisely enough for a 4xx body or a `translate` error line.
public enum TranslationError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownFormat(String)
    case invalidJSON(JSONReadError)
    /// A form-encoded body (a format whose mapping declares `"body": "form"`) that cannot be read.
    case invalidForm(String)
    case notAnObject(String)
    case notThisFormat(String)
    case missingEventType
    case unknownEventType(String)
    case decodeFailed(eventType: String, reason: String)
    case encodeFailed(format: String, kind: String, reason: String)

    public var description: String {
        switch self {
        case .unknownFormat(let name): "unknown format '\(name)'"
        case .invalidJSON(let error): error.description
        case .invalidForm(let reason): "malformed form body: \(reason)"
        case .notAnObject(let type): "the body must be a JSON object, got \(type)"
        case .notThisFormat(let format): "not a \(format) event"
        case .missingEventType: "the event type is missing"
        case .unknownEventType(let type): "unknown event type '\(type)'"
        case .decodeFailed(let type, let reason): "\(type): \(reason)"
        case .encodeFailed(let format, let kind, let reason): "encoding \(kind) as \(format): \(reason)"
        }
    }
}

/// The result of decoding one body.
public enum DecodeResult: Sendable {
    case event(CallEvent)
    /// A known event type that carries nothing to forward.
    case ignored(eventType: String, reason: String)
    /// An event type the mapping does not know (an error instead when `unknownEventsAreErrors`).
    case unknown(eventType: String)
}

/// One body produced for a destination.
public struct EncodedOutput: Sendable, Equatable {
    public var type: String
    public var envelopeID: String
    public var body: [UInt8]
    /// The output's `once` group and `skip_after` group: when the translator does not keep claims in
    /// memory (`claimsInMemory` false), whoever commits the output must apply them (the gateway, in the
    /// same transaction as the delivery, so a claim exists only for what was committed).
    public var once: String?
    public var skipAfter: String?
}

/// One body produced for a destination, or why none was.
public enum EncodeResult: Sendable, Equatable {
    case output(EncodedOutput)
    case skipped(reason: String)

    /// The output, if this result is one.
    public var output: EncodedOutput? {
        if case .output(let output) = self { return output }
        return nil
    }
}

/// Translates between vendor formats through the canonical `CallEvent`, following compiled mapping
/// files. Pure: the caller supplies the receive time and owns the call sessions.
public struct Translator: Sendable {
    public let mappings: [String: FormatMapping]
    public var sessions: CallSessions
    public var unknownEventsAreErrors: Bool
    /// Whether `once`/`skip_after` are decided here, in memory (offline translation), or left to the
    /// caller (the gateway decides them in its commit, durably).
    public var claimsInMemory = true
    /// How many times `encodeShared` ran a format's mapping (what routing's cost grows with).
    public internal(set) var formatEncodings = 0

    public init(mappings: [FormatMapping], sessions: CallSessions = CallSessions(), unknownEventsAreErrors: Bool = false) {
        self.mappings = Dictionary(mappings.map { ($0.format, $0) }, uniquingKeysWith: { first, _ in first })
        self.sessions = sessions
        self.unknownEventsAreErrors = unknownEventsAreErrors
    }

    public func mapping(_ format: String) throws(TranslationError) -> FormatMapping {
        guard let mapping = mappings[format] else { throw .unknownFormat(format) }
        return mapping
    }

    /// Decodes a raw body of `format` into a canonical event (not yet correlated with its call).
    public func decode(_ body: [UInt8], format: String, source: String, receivedAt: Double) throws(TranslationError) -> DecodeResult {
        try decode(body[...], format: format, source: source, receivedAt: receivedAt)
    }

    /// `decode` of a body that is part of a larger buffer (a line of JSON Lines), read in place.
    public func decode(_ body: ArraySlice<UInt8>, format: String, source: String, receivedAt: Double) throws(TranslationError) -> DecodeResult {
        let mapping = try mapping(format)
        let document = try mapping.bodyEncoding.document(body)
        guard case .object = document else { throw .notAnObject(document.typeName) }
        return try decode(document, mapping: mapping, source: source, receivedAt: receivedAt)
    }

    func decode(_ document: JSONValue, mapping: FormatMapping, source: String,
                receivedAt: Double) throws(TranslationError) -> DecodeResult {
        func evaluate(_ expression: Expression, _ what: String, _ type: String) throws(TranslationError) -> JSONValue {
            do { return try ExpressionEvaluator.evaluate(expression, document: document) } catch {
                throw .decodeFailed(eventType: type, reason: "\(what): \(error.description)")
            }
        }
        if let recognize = mapping.recognize, !ExpressionEvaluator.isTrue(try evaluate(recognize, "event.recognize", "?")) {
            throw .notThisFormat(mapping.format)
        }
        let typeValue = try evaluate(mapping.eventType, "event.type", "?")
        let vendorType: String
        switch typeValue {
        case .string(let text) where !text.isEmpty: vendorType = text
        case .integer: vendorType = MappingValues.text(typeValue)
        case .null, .string: throw .missingEventType
        default: throw .decodeFailed(eventType: "?", reason: "event.type must be text, got \(typeValue.typeNameWithArticle)")
        }
        guard let rule = mapping.decodeRules[vendorType] else {
            if unknownEventsAreErrors { throw .unknownEventType(vendorType) }
            return .unknown(eventType: vendorType)
        }
        guard case .decode(let kind, let assignments) = rule else {
            if case .ignore(let reason) = rule { return .ignored(eventType: vendorType, reason: reason) }
            return .unknown(eventType: vendorType)
        }
        let identity = MappingValues.text(try evaluate(mapping.identity, "event.identity", vendorType))
        guard !identity.isEmpty else { throw .decodeFailed(eventType: vendorType, reason: "event.identity is empty") }
        var occurredAt = receivedAt
        if let time = mapping.time {
            // A format that dates its events must date this one: output never takes its time from the clock.
            // The one exception is an incoming-call request (Twilio's Voice URL, Vonage's answer URL): it is
            // synchronous and undated, so it happens when it arrives.
            let value = try evaluate(time, "event.time", vendorType)
            if value.isNull, kind == .incoming {
                occurredAt = receivedAt
            } else if value.isNull {
                throw .decodeFailed(eventType: vendorType, reason: "event.time is missing (\(mapping.timeSources))")
            } else if let seconds = value.doubleValue {
                occurredAt = seconds
            } else {
                throw .decodeFailed(eventType: vendorType, reason: "event.time must be a time (use @time), got \(value.typeNameWithArticle)")
            }
        }
        let isTest = try mapping.test.map { e throws(TranslationError) in
            try Self.testFlag(try evaluate(e, "event.test", vendorType), of: e, eventType: vendorType)
        } ?? false

        var event = CallEvent(kind: kind, id: Self.uuid("switchboard:event:\(source):\(identity)"), identity: identity,
                              source: source, vendor: mapping.format, vendorType: vendorType, occurredAt: occurredAt,
                              receivedAt: receivedAt, isTest: isTest, call: CallInfo(key: "", id: ""), raw: document)
        for assignment in assignments {
            let value = try evaluate(assignment.value, assignment.field.rawValue, vendorType)
            do { try assignment.field.assign(value, to: &event) } catch {
                throw .decodeFailed(eventType: vendorType, reason: error.description)
            }
        }
        guard !event.call.key.isEmpty else {
            throw .decodeFailed(eventType: vendorType, reason: "call.key is missing: the vendor's call id (\(mapping.callKeySources(vendorType)))")
        }
        let sources = { (field: String) in
            field == CanonicalField.callKey.rawValue ? mapping.callKeySources(vendorType) : mapping.identitySources
        }
        if let reason = IdentifierBounds.violation(of: event, sources: sources) {
            throw .decodeFailed(eventType: vendorType, reason: reason)
        }
        event.call.id = CallSettlement.callID(source: source, key: event.call.key)
        return .event(event)
    }

    /// `event.test`'s value: a JSON boolean, or `null` for "not a test". Anything else (`"false"`, `"no"`,
    /// `0`) is refused, naming the vendor field it came from: taking it as true would quietly deliver a
    /// live event nowhere, taking it as false would deliver a test event as live.
    static func testFlag(_ value: JSONValue, of expression: Expression, eventType: String) throws(TranslationError) -> Bool {
        switch value {
        case .bool(let flag): return flag
        case .null: return false
        default:
            let field = expression.documentPaths.first.map { $0.hasPrefix("$.") ? String($0.dropFirst(2)) : $0 } ?? "event.test"
            throw .decodeFailed(eventType: eventType, reason: "\(field) must be a JSON boolean (true or false), got "
                                + "\(value.typeNameWithArticle) \(JSONWriter.string(value).prefix(40))")
        }
    }

    /// Merges the event with what its call session knows (and updates the session).
    public mutating func correlate(_ event: inout CallEvent) {
        sessions.correlate(&event)
    }

    /// Encodes a correlated event for one destination. `envelopeID` gives the id an output carries
    /// (the gateway's delivery id); by default it is derived from the event, the format and the output type.
    public mutating func encode(_ event: CallEvent, as format: String, destination: String,
                                envelopeID: ((String) -> String)? = nil) throws(TranslationError) -> [EncodeResult] {
        let mapping = try mapping(format)
        guard let rule = mapping.encodeRules[event.kind] else {
            return [.skipped(reason: "\(format) has no encoding for \(event.kind.rawValue)")]
        }
        guard case .outputs(let outputs) = rule else {
            if case .skip(let reason) = rule { return [.skipped(reason: reason)] }
            return []
        }
        var document = EventDocument(event: event, sessionTranscript: sessions.transcript(forCall: event.call.id))
        var results: [EncodeResult] = []
        for output in outputs {
            do {
                document.envelopeID = nil
                document.outputType = nil
                if claimsInMemory, let group = output.skipAfter,
                   sessions.isClaimed(callID: event.call.id, destination: destination, group: group) {
                    results.append(.skipped(reason: "the call's \(group) event was already sent to this destination"))
                    continue
                }
                if let when = output.when, !ExpressionEvaluator.isTrue(try ExpressionEvaluator.value(when, document, nil)) {
                    continue
                }
                let type = MappingValues.text(try ExpressionEvaluator.value(output.type, document, nil))
                if claimsInMemory, let group = output.once,
                   sessions.isClaimed(callID: event.call.id, destination: destination, group: group) {
                    results.append(.skipped(reason: "\(type): a \(group) event was already sent for this call"))
                    continue
                }
                let id = envelopeID?(type) ?? Self.uuid("switchboard:envelope:\(event.id):\(format):\(type)")
                document.envelopeID = id
                document.outputType = type
                var body: [UInt8] = []
                body.reserveCapacity(1024)
                try ExpressionEvaluator.write(output.body, document, nil, into: &body)
                // Claimed only once the body exists: an output that fails to encode does not use up the slot.
                if claimsInMemory, let group = output.once {
                    _ = sessions.claim(callID: event.call.id, destination: destination, group: group)
                }
                results.append(.output(EncodedOutput(type: type, envelopeID: id, body: body, once: output.once,
                                                     skipAfter: output.skipAfter)))
            } catch {
                throw .encodeFailed(format: format, kind: event.kind.rawValue, reason: error.description)
            }
        }
        return results
    }

    static func uuid(_ name: String) -> String {
        // SHA-1 of a short name cannot fail short of OpenSSL being unusable, which start-up would have shown.
        (try? UUIDGenerator.version5(namespace: UUIDGenerator.namespaceURL, name: name).lowercasedText) ?? ""
    }
}
