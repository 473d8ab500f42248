/// What is known about each call across its events, in memory: numbers, direction and times seen
/// earlier fill in what a later event lacks; partial transcript segments are assembled; per destination,
/// "once" output groups are remembered (CallingBox's single terminal event).
///
/// Bounded: past `capacity` calls the oldest session is forgotten (a very late event of that call then
/// starts a fresh session).
public struct CallSessions: Sendable {
    struct Session: Sendable {
        var call: CallInfo
        var transcript: [TranscriptSegment] = []
        var claimed: Set<String> = []
    }

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
        var session = sessions[id] ?? startSession(event.call, at: event.occurredAt)
        var merged = session.call
        let incoming = event.call
        merged.createdAt = min(merged.createdAt ?? event.occurredAt, event.occurredAt)
        merged.direction = incoming.direction ?? merged.direction
        merged.from = incoming.from ?? merged.from
        merged.to = incoming.to ?? merged.to
        merged.status = incoming.status ?? merged.status
        merged.startedAt = merged.startedAt ?? incoming.startedAt
        merged.answeredAt = merged.answeredAt ?? incoming.answeredAt
        merged.endedAt = merged.endedAt ?? incoming.endedAt
        merged.durationSeconds = incoming.durationSeconds ?? merged.durationSeconds
        merged.outcome = incoming.outcome ?? merged.outcome
        merged.hangupCause = incoming.hangupCause ?? merged.hangupCause
        for (key, value) in incoming.metadata { merged.metadata[key] = value }
        session.call = merged
        if let partial = event.partial { session.transcript.append(partial) }
        sessions[id] = session
        event.call = merged
    }

    /// The transcript assembled from the call's partial segments.
    public func transcript(forCall id: String) -> [TranscriptSegment] {
        sessions[id]?.transcript ?? []
    }

    /// True the first time `group` is claimed for this call and destination; false afterwards.
    public mutating func claim(callID: String, destination: String, group: String) -> Bool {
        guard var session = sessions[callID] else { return true }
        let (inserted, _) = session.claimed.insert(destination + "\u{0}" + group)
        sessions[callID] = session
        return inserted
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
