/// What is known about each call across its events, in memory: numbers, direction and times seen
/// earlier fill in what a later event lacks; partial transcript segments are assembled; per destination,
/// "once" output groups are remembered (CallingBox's single terminal event). At a terminal event the
/// call's end, outcome and duration are settled by `CallSettlement` (one definition for every format); the
/// session knows whether the call rang (`started_at`) and was answered (`answered_at`).
///
/// Bounded: past `capacity` calls the oldest session is forgotten (a very late event of that call then
/// starts a fresh session).
public struct CallSessions: Sendable {
    struct Session: Sendable {
        var call: CallInfo
        var transcript: [TranscriptSegment] = []
        var claimed: Set<String> = []
        /// A terminal event was seen: a late non-terminal event no longer changes the status.
        var ended = false
    }

    /// Partial segments kept per call (a runaway stream of partials cannot grow a session without bound).
    public static let maxTranscriptSegments = 2_000

    public let capacity: Int
    private var sessions: [String: Session] = [:]
    private var order: [String] = []
    private var orderStart = 0

    public init(capacity: Int = 200_000) {
        self.capacity = max(1, capacity)
    }

    public var count: Int { sessions.count }

    /// Merges the event's call fields into its session and the session's back into the event.
    public mutating func correlate(_ event: inout CallEvent) {
        let id = event.call.id
        var found = sessions.index(forKey: id)
        if found == nil {
            let fresh = startSession(event.call, at: event.occurredAt)
            sessions[id] = fresh
            found = sessions.index(forKey: id)
        }
        // The session is changed where it is stored: no copy of it (or of its transcript) per event.
        guard let index = found else { return }
        Self.merge(&event, into: &sessions.values[index])
    }

    private static func merge(_ event: inout CallEvent, into session: inout Session) {
        let incoming = event.call
        session.call.createdAt = min(session.call.createdAt ?? event.occurredAt, event.occurredAt)
        if let direction = incoming.direction { session.call.direction = direction }
        if let from = incoming.from { session.call.from = from }
        if let to = incoming.to { session.call.to = to }
        if let status = incoming.status, !session.ended || event.kind.isTerminal { session.call.status = status }
        if session.call.startedAt == nil { session.call.startedAt = incoming.startedAt }
        if session.call.answeredAt == nil { session.call.answeredAt = incoming.answeredAt }
        if session.call.endedAt == nil { session.call.endedAt = incoming.endedAt }
        if let duration = incoming.durationSeconds { session.call.durationSeconds = duration }
        if let outcome = incoming.outcome { session.call.outcome = outcome }
        if let cause = incoming.hangupCause { session.call.hangupCause = cause }
        for (key, value) in incoming.metadata { session.call.metadata[key] = value }
        if let partial = event.partial, session.transcript.count < maxTranscriptSegments { session.transcript.append(partial) }
        CallSettlement.settle(&session.call, kind: event.kind, at: event.occurredAt, statedStatus: incoming.status != nil)
        if event.kind.isTerminal { session.ended = true }
        event.call = session.call
    }

    /// The transcript assembled from the call's partial segments.
    public func transcript(forCall id: String) -> [TranscriptSegment] {
        sessions[id]?.transcript ?? []
    }

    /// True the first time `group` is claimed for this call and destination; false afterwards.
    /// Whether `group` was claimed for this call and destination.
    public func isClaimed(callID: String, destination: String, group: String) -> Bool {
        sessions[callID]?.claimed.contains(destination + "\u{0}" + group) ?? false
    }

    public mutating func claim(callID: String, destination: String, group: String) -> Bool {
        guard let index = sessions.index(forKey: callID) else { return true }
        return sessions.values[index].claimed.insert(destination + "\u{0}" + group).inserted
    }

    private mutating func startSession(_ call: CallInfo, at time: Double) -> Session {
        if sessions.count >= capacity { evictOldest() }
        order.append(call.id)
        var fresh = CallInfo(key: call.key, id: call.id)
        fresh.createdAt = time
        return Session(call: fresh)
    }

    private mutating func evictOldest() {
        while orderStart < order.count {
            let id = order[orderStart]
            orderStart += 1
            if sessions.removeValue(forKey: id) != nil { break }
        }
        if orderStart > 4096 && orderStart * 2 > order.count {
            order.removeFirst(orderStart)
            orderStart = 0
        }
    }
}
