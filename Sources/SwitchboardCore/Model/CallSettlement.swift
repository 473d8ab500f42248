import Foundation

/// The facts of a call that Switchboard works out itself, with one definition for every format
/// (mappings/README.md, "The facts of a call"). Pure; `CallSessions` applies them as events arrive.
public enum CallSettlement {
    /// The call's UUID: the vendor's call id itself when it is a UUID (lowercased), so a call keeps its id
    /// through any chain of formats (CallingBox → Salpre → CallingBox); otherwise
    /// UUIDv5(URL, `switchboard:call:<source>:<key>`), the same for every event of the call.
    public static func callID(source: String, key: String) -> String {
        if key.utf8.count == 36, let uuid = UUID(uuidString: key) { return uuid.uuidString.lowercased() }
        return (try? UUIDGenerator.version5(namespace: UUIDGenerator.namespaceURL, name: "switchboard:call:\(source):\(key)")
            .lowercasedText) ?? ""
    }

    /// How a call that ended (`call.ended`) without a stated outcome ended: answered → `completed`;
    /// rang (ringing started) and never answered → `no_answer`; neither seen → `completed` (nothing
    /// says otherwise).
    public static func outcome(of call: CallInfo) -> String {
        if call.answeredAt == nil, call.startedAt != nil { return "no_answer" }
        return "completed"
    }

    /// Talk time in whole seconds: from `answered_at` to `ended_at`, rounded to the nearest second
    /// (never negative); 0 when the call was never answered; nil while it has not ended. A figure the
    /// provider states (`call.duration_seconds` decoded) is used instead, and is not computed here.
    public static func durationSeconds(of call: CallInfo) -> Int64? {
        guard let answered = call.answeredAt else { return 0 }
        guard let ended = call.endedAt else { return nil }
        return max(0, Int64((ended - answered).rounded()))
    }

    /// Settles the call's facts as an event of `kind` occurring at `time` is merged into its session:
    /// a `call.ringing` starts the ringing and a `call.answered` answers the call at the event's time when
    /// the vendor states no such time (so "rang" and "answered" never depend on a format naming the field);
    /// at a terminal event (`call.ended`, `call.failed`), the end time (the event's time when the vendor
    /// states none), the outcome of a `call.ended` that states none (and its status, when the event states
    /// no status, is the outcome), and the duration when the provider states none.
    static func settle(_ call: inout CallInfo, kind: CallEventKind, at time: Double, statedStatus: Bool) {
        switch kind {
        case .ringing: if call.startedAt == nil { call.startedAt = time }
        case .answered: if call.answeredAt == nil { call.answeredAt = time }
        default: break
        }
        guard kind.isTerminal else { return }
        if call.endedAt == nil { call.endedAt = time }
        if kind == .ended {
            let outcome = call.outcome ?? outcome(of: call)
            call.outcome = outcome
            if !statedStatus { call.status = outcome }
        }
        if call.durationSeconds == nil { call.durationSeconds = durationSeconds(of: call) }
    }
}
