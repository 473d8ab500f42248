extension CallEvent {
    /// The event as the JSON document encoding templates see as `$` (mappings/README.md). Times are Unix
    /// seconds; `transcript` falls back to `sessionTranscript` (assembled from partial segments).
    public func view(sessionTranscript: [TranscriptSegment]? = nil) -> JSONObject {
        var call = JSONObject()
        call.reserveCapacity(14)
        call.appendUnique("id", .string(self.call.id))
        call.appendUnique("key", .string(self.call.key))
        call.appendUnique("direction", Self.text(self.call.direction))
        call.appendUnique("from", Self.text(self.call.from))
        call.appendUnique("to", Self.text(self.call.to))
        call.appendUnique("status", Self.text(self.call.status))
        call.appendUnique("created_at", Self.time(self.call.createdAt))
        call.appendUnique("started_at", Self.time(self.call.startedAt))
        call.appendUnique("answered_at", Self.time(self.call.answeredAt))
        call.appendUnique("ended_at", Self.time(self.call.endedAt))
        call.appendUnique("duration_seconds", self.call.durationSeconds.map { .integer($0) } ?? .null)
        call.appendUnique("outcome", Self.text(self.call.outcome))
        call.appendUnique("hangup_cause", Self.text(self.call.hangupCause))
        call.appendUnique("metadata", .object(self.call.metadata))

        var view = JSONObject()
        view.reserveCapacity(22)
        view.appendUnique("id", .string(id))
        view.appendUnique("kind", .string(kind.rawValue))
        view.appendUnique("source", .string(source))
        view.appendUnique("vendor", .string(vendor))
        view.appendUnique("vendor_type", .string(vendorType))
        view.appendUnique("is_test", .bool(isTest))
        view.appendUnique("occurred_at", Self.time(occurredAt))
        view.appendUnique("received_at", Self.time(receivedAt))
        view.appendUnique("call", .object(call))
        let segments = transcript ?? (sessionTranscript?.isEmpty == false ? sessionTranscript : nil)
        view.appendUnique("transcript", segments.map { .array($0.map(Self.segment)) } ?? .null)
        view.appendUnique("partial", partial.map(Self.segment) ?? .null)
        view.appendUnique("error", .object(JSONObject([("code", Self.text(errorCode)), ("message", Self.text(errorMessage))])))
        view.appendUnique("analysis", .object(JSONObject([("summary", Self.text(analysisSummary)), ("outcome", Self.text(analysisOutcome)),
                                               ("result", analysisResult.map { .object($0) } ?? .null)])))
        view.appendUnique("recording_url", Self.text(recordingURL))
        view.appendUnique("contacts", contacts.map { .array($0) } ?? .null)
        view.appendUnique("agents", agents.map { .array($0) } ?? .null)
        view.appendUnique("vendor_data", vendorData.map { .object($0) } ?? .null)
        return view
    }

    private static func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }

    private static func time(_ value: Double?) -> JSONValue { value.map(MappingValues.timeValue) ?? .null }

    private static func segment(_ segment: TranscriptSegment) -> JSONValue {
        .object(JSONObject([("speaker", text(segment.speaker)), ("text", .string(segment.text)), ("at", time(segment.at))]))
    }
}
