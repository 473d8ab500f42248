import SwitchboardHTTP

/// The event names a subscription may name, per management API: the output types that API's format
/// produces (an endpoint's `enabled_events` is compared with the type of each body encoded for it).
enum EventCatalog {
    /// "Every event" in CallingBox's `enabled_events`.
    static let all = "*"

    /// CallingBox's eight call events, plus our `call.incoming` extension.
    static let callingBox = [
        "call.queued", "call.ringing", "call.answered", "call.completed", "call.failed", "call.no_answer",
        "call.busy", "call.canceled", "call.incoming",
    ]

    /// OneInbox's events, plus our `call.incoming` extension.
    static let oneInbox = [
        "call.started", "call.ended", "call.analyzed", "call.failed", "call.recording.available",
        "transcript.partial", "transcript.final", "call.incoming",
    ]

    /// `names` checked against `known` (and `*` when `allowAll`), duplicates dropped in order. Throws
    /// 422 naming `field` and the offending item.
    static func validate(_ names: [String], known: [String], allowAll: Bool, field: String,
                         count range: ClosedRange<Int>) throws(HTTPError) -> [String] {
        guard range.contains(names.count) else {
            throw RequestFields.invalid(field, "must have \(range.lowerBound) to \(range.upperBound) items, got \(names.count)")
        }
        var seen: [String] = []
        for (index, name) in names.enumerated() {
            guard known.contains(name) || (allowAll && name == all) else {
                let choices = (allowAll ? [all] : []) + known
                throw RequestFields.invalid("\(field)[\(index)]",
                                            "unknown event \"\(name)\" (one of: \(choices.joined(separator: ", ")))")
            }
            if !seen.contains(name) { seen.append(name) }
        }
        return seen.contains(all) ? [all] : seen
    }
}
