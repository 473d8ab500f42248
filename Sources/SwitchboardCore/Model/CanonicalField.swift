/// A path a mapping's `decode` may set, with its type. Unknown paths are compile errors.
public enum CanonicalField: String, Sendable, CaseIterable {
    case callKey = "call.key"
    case callDirection = "call.direction"
    case callFrom = "call.from"
    case callTo = "call.to"
    case callStatus = "call.status"
    case callStartedAt = "call.started_at"
    case callAnsweredAt = "call.answered_at"
    case callEndedAt = "call.ended_at"
    case callDurationSeconds = "call.duration_seconds"
    case callOutcome = "call.outcome"
    case callHangupCause = "call.hangup_cause"
    case callMetadata = "call.metadata"
    case transcript
    case partial
    case errorCode = "error.code"
    case errorMessage = "error.message"
    case analysisSummary = "analysis.summary"
    case analysisOutcome = "analysis.outcome"
    case analysisResult = "analysis.result"
    case recordingURL = "recording_url"
    case contacts
    case agents
    case vendorData = "vendor_data"

    /// Stores a decoded value into the event, checking its type. `null` clears nothing and sets nothing.
    func assign(_ value: JSONValue, to event: inout CallEvent) throws(EvaluationError) {
        if value.isNull { return }
        switch self {
        case .callKey: event.call.key = try Self.text(value, self)
        case .callDirection: event.call.direction = try Self.text(value, self)
        case .callFrom: event.call.from = try Self.text(value, self)
        case .callTo: event.call.to = try Self.text(value, self)
        case .callStatus: event.call.status = try Self.text(value, self)
        case .callStartedAt: event.call.startedAt = try Self.time(value, self)
        case .callAnsweredAt: event.call.answeredAt = try Self.time(value, self)
        case .callEndedAt: event.call.endedAt = try Self.time(value, self)
        case .callDurationSeconds:
            guard let seconds = value.integerValue else { throw Self.mismatch(value, self, "an integer") }
            event.call.durationSeconds = seconds
        case .callOutcome: event.call.outcome = try Self.text(value, self)
        case .callHangupCause: event.call.hangupCause = try Self.text(value, self)
        case .callMetadata: event.call.metadata = try Self.object(value, self)
        case .transcript:
            guard case .array(let items) = value else { throw Self.mismatch(value, self, "an array") }
            event.transcript = try items.map { item throws(EvaluationError) in try Self.segment(item, self) }
        case .partial: event.partial = try Self.segment(value, self)
        case .errorCode: event.errorCode = try Self.text(value, self)
        case .errorMessage: event.errorMessage = try Self.text(value, self)
        case .analysisSummary: event.analysisSummary = try Self.text(value, self)
        case .analysisOutcome: event.analysisOutcome = try Self.text(value, self)
        case .analysisResult: event.analysisResult = try Self.object(value, self)
        case .recordingURL: event.recordingURL = try Self.text(value, self)
        case .contacts: event.contacts = try Self.objects(value, self)
        case .agents: event.agents = try Self.objects(value, self)
        case .vendorData: event.vendorData = try Self.object(value, self)
        }
    }

    private static func mismatch(_ value: JSONValue, _ field: CanonicalField, _ expected: String) -> EvaluationError {
        EvaluationError("\(field.rawValue) must be \(expected), got \(value.typeNameWithArticle)")
    }

    /// Text fields take text, or a number or boolean written as text (vendor ids are often numbers).
    private static func text(_ value: JSONValue, _ field: CanonicalField) throws(EvaluationError) -> String {
        switch value {
        case .string(let text): return text
        case .integer, .double, .bool: return MappingValues.text(value)
        default: throw mismatch(value, field, "text")
        }
    }

    private static func time(_ value: JSONValue, _ field: CanonicalField) throws(EvaluationError) -> Double {
        guard let seconds = value.doubleValue, seconds.isFinite else {
            throw mismatch(value, field, "a time (use @time)")
        }
        return seconds
    }

    private static func object(_ value: JSONValue, _ field: CanonicalField) throws(EvaluationError) -> JSONObject {
        guard case .object(let object) = value else { throw mismatch(value, field, "an object") }
        return object
    }

    private static func objects(_ value: JSONValue, _ field: CanonicalField) throws(EvaluationError) -> [JSONValue] {
        guard case .array(let items) = value, items.allSatisfy({ $0.objectValue != nil }) else {
            throw mismatch(value, field, "an array of objects")
        }
        return items
    }

    private static func segment(_ value: JSONValue, _ field: CanonicalField) throws(EvaluationError) -> TranscriptSegment {
        guard case .object(let object) = value else { throw mismatch(value, field, "{speaker, text, at} objects") }
        let text = object["text"].map(MappingValues.text) ?? ""
        let speaker = object["speaker"].flatMap { $0.isNull ? nil : MappingValues.text($0) }
        var at: Double?
        if let raw = object["at"], !raw.isNull {
            at = try MappingValues.time(raw, "\(field.rawValue).at")
        }
        return TranscriptSegment(speaker: speaker, text: text, at: at)
    }
}
