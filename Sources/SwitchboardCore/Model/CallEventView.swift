/// The members of the canonical view (`$` when encoding), in the view's order.
enum ViewField: String, CaseIterable, Sendable {
    case id, kind, source, vendor
    case vendorType = "vendor_type"
    case isTest = "is_test"
    case occurredAt = "occurred_at"
    case receivedAt = "received_at"
    case call, transcript, partial, error, analysis
    case recordingURL = "recording_url"
    case contacts, agents
    case vendorData = "vendor_data"
}

/// The members of the view's `call` object, in order.
enum CallViewField: String, CaseIterable, Sendable {
    case id, key, direction, from, to, status
    case createdAt = "created_at"
    case startedAt = "started_at"
    case answeredAt = "answered_at"
    case endedAt = "ended_at"
    case durationSeconds = "duration_seconds"
    case outcome
    case hangupCause = "hangup_cause"
    case metadata
}

extension CallEvent {
    /// The event as the JSON document encoding templates see as `$` (mappings/README.md). Times are Unix
    /// seconds; `transcript` falls back to `sessionTranscript` (assembled from partial segments).
    public func view(sessionTranscript: [TranscriptSegment]? = nil) -> JSONObject {
        var view = JSONObject()
        view.reserveCapacity(ViewField.allCases.count + 2)
        for field in ViewField.allCases {
            view.appendUnique(field.rawValue, value(of: field, sessionTranscript: sessionTranscript))
        }
        return view
    }

    /// One member of `view(sessionTranscript:)`, built alone (encoding reads members without the whole view).
    func value(of field: ViewField, sessionTranscript: [TranscriptSegment]?) -> JSONValue {
        switch field {
        case .id: .string(id)
        case .kind: .string(kind.rawValue)
        case .source: .string(source)
        case .vendor: .string(vendor)
        case .vendorType: .string(vendorType)
        case .isTest: .bool(isTest)
        case .occurredAt: Self.time(occurredAt)
        case .receivedAt: Self.time(receivedAt)
        case .call: .object(callView())
        case .transcript:
            (transcript ?? (sessionTranscript?.isEmpty == false ? sessionTranscript : nil)).map { .array($0.map(Self.segment)) } ?? .null
        case .partial: partial.map(Self.segment) ?? .null
        case .error: .object(JSONObject(uniqueKeys: ["code", "message"], values: [Self.text(errorCode), Self.text(errorMessage)]))
        case .analysis:
            .object(JSONObject(uniqueKeys: ["summary", "outcome", "result"],
                               values: [Self.text(analysisSummary), Self.text(analysisOutcome), analysisResult.map { .object($0) } ?? .null]))
        case .recordingURL: Self.text(recordingURL)
        case .contacts: contacts.map { .array($0) } ?? .null
        case .agents: agents.map { .array($0) } ?? .null
        case .vendorData: vendorData.map { .object($0) } ?? .null
        }
    }

    /// The view's `call` object.
    func callView() -> JSONObject {
        var object = JSONObject()
        object.reserveCapacity(CallViewField.allCases.count)
        for field in CallViewField.allCases { object.appendUnique(field.rawValue, value(of: field)) }
        return object
    }

    /// One member of the view's `call` object.
    func value(of field: CallViewField) -> JSONValue {
        switch field {
        case .id: .string(call.id)
        case .key: .string(call.key)
        case .direction: Self.text(call.direction)
        case .from: Self.text(call.from)
        case .to: Self.text(call.to)
        case .status: Self.text(call.status)
        case .createdAt: Self.time(call.createdAt)
        case .startedAt: Self.time(call.startedAt)
        case .answeredAt: Self.time(call.answeredAt)
        case .endedAt: Self.time(call.endedAt)
        case .durationSeconds: call.durationSeconds.map { .integer($0) } ?? .null
        case .outcome: Self.text(call.outcome)
        case .hangupCause: Self.text(call.hangupCause)
        case .metadata: .object(call.metadata)
        }
    }

    private static func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }

    private static func time(_ value: Double?) -> JSONValue { value.map(MappingValues.timeValue) ?? .null }

    private static func segment(_ segment: TranscriptSegment) -> JSONValue {
        .object(JSONObject(uniqueKeys: ["speaker", "text", "at"], values: [text(segment.speaker), .string(segment.text), time(segment.at)]))
    }
}

/// The document encoding templates read: the correlated event seen as its view, plus the output's
/// `envelope_id` and `output_type` once they are set. Paths are answered from the typed event (their
/// first segments were matched to view members when the mapping was compiled), so no view is built
/// unless a template asks for a whole object.
struct EventDocument {
    let event: CallEvent
    let sessionTranscript: [TranscriptSegment]?
    var envelopeID: String?
    var outputType: String?

    /// The whole view, as `view(sessionTranscript:)` with `envelope_id` and `output_type` appended when set.
    var value: JSONValue {
        var view = event.view(sessionTranscript: sessionTranscript)
        if let envelopeID { view["envelope_id"] = .string(envelopeID) }
        if let outputType { view["output_type"] = .string(outputType) }
        return .object(view)
    }

    func resolve(_ path: JSONPath) -> JSONValue? {
        guard !path.segments.isEmpty else { return value }
        switch path.viewHead {
        case .field(.call):
            guard path.segments.count > 1 else { return .object(event.callView()) }
            guard let field = path.callField else { return nil }
            return path.resolve(event.value(of: field), from: 2)
        case .field(let field):
            return path.resolve(event.value(of: field, sessionTranscript: sessionTranscript), from: 1)
        case .envelopeID:
            return envelopeID.flatMap { path.resolve(.string($0), from: 1) }
        case .outputType:
            return outputType.flatMap { path.resolve(.string($0), from: 1) }
        case .none:
            return nil
        }
    }
}

/// What a path's first segment names in the encoding view.
enum ViewHead: Sendable, Equatable {
    case field(ViewField)
    case envelopeID
    case outputType
}
