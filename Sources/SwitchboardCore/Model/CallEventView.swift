extension CallEvent {
    /// The event as the JSON document encoding templates see as `$` (mappings/README.md). Times are Unix
    /// seconds; `transcript` falls back to `sessionTranscript` (assembled from partial segments).
    public func view(sessionTranscript: [TranscriptSegment]? = nil) -> JSONObject {
        var call = JSONObject()
        call["id"] = .string(self.call.id)
        call["key"] = .string(self.call.key)
        call["direction"] = Self.text(self.call.direction)
        call["from"] = Self.text(self.call.from)
        call["to"] = Self.text(self.call.to)
        call["status"] = Self.text(self.call.status)
        call["created_at"] = Self.time(self.call.createdAt)
        call["started_at"] = Self.time(self.call.startedAt)
        call["answered_at"] = Self.time(self.call.answeredAt)
        call["ended_at"] = Self.time(self.call.endedAt)
        call["duration_seconds"] = self.call.durationSeconds.map { .integer($0) } ?? .null
        call["outcome"] = Self.text(self.call.outcome)
        call["hangup_cause"] = Self.text(self.call.hangupCause)
        call["metadata"] = .object(self.call.metadata)

        var view = JSONObject()
        view["id"] = .string(id)
        view["kind"] = .string(kind.rawValue)
        view["source"] = .string(source)
        view["vendor"] = .string(vendor)
        view["vendor_type"] = .string(vendorType)
        view["is_test"] = .bool(isTest)
        view["occurred_at"] = Self.time(occurredAt)
        view["received_at"] = Self.time(receivedAt)
        view["call"] = .object(call)
        let segments = transcript ?? (sessionTranscript?.isEmpty == false ? sessionTranscript : nil)
        view["transcript"] = segments.map { .array($0.map(Self.segment)) } ?? .null
        view["partial"] = partial.map(Self.segment) ?? .null
        view["error"] = .object(JSONObject([("code", Self.text(errorCode)), ("message", Self.text(errorMessage))]))
        view["analysis"] = .object(JSONObject([("summary", Self.text(analysisSummary)), ("outcome", Self.text(analysisOutcome)),
                                               ("result", analysisResult.map { .object($0) } ?? .null)]))
        view["recording_url"] = Self.text(recordingURL)
        view["contacts"] = contacts.map { .array($0) } ?? .null
        view["agents"] = agents.map { .array($0) } ?? .null
        view["vendor_data"] = vendorData.map { .object($0) } ?? .null
        return view
    }

    private static func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }

    private static func time(_ value: Double?) -> JSONValue { value.map(MappingValues.timeValue) ?? .null }

    private static func segment(_ segment: TranscriptSegment) -> JSONValue {
        .object(JSONObject([("speaker", text(segment.speaker)), ("text", .string(segment.text)), ("at", time(segment.at))]))
    }
}
