import SwitchboardHTTP

/// The event names a subscription may name, per management API: the output types that API's format
/// produces (an endpoint's `enabled_events` is compared with the type of each body encoded for it).
enum EventCatalog {
    /// "Every event" in CallingBox's `enabled_events`.
    static let all = "*"

    /// Our extension: Inkbox's incoming call, a decision request. Its synchronous request goes to the
    /// source's `incoming_call.decision` endpoint only; a subscriber gets an asynchronous copy (whose
    /// answer decides nothing) only when it names `call.incoming` itself: `*` never includes it.
    static let incoming = "call.incoming"

    /// CallingBox's documented catalog: its eight call events (REFERENCE §1.3), what `*` stands for.
    static let callingBoxDocumented = [
        "call.queued", "call.ringing", "call.answered", "call.completed", "call.failed", "call.no_answer",
        "call.busy", "call.canceled",
    ]

    /// What a CallingBox endpoint may name: the documented catalog plus `call.incoming`.
    static let callingBox = callingBoxDocumented + [incoming]

    /// OneInbox's events, plus our `call.incoming` extension.
    static let oneInbox = [
        "call.started", "call.ended", "call.analyzed", "call.failed", "call.recording.available",
        "transcript.partial", "transcript.final", "call.incoming",
    ]

    /// The output types an endpoint of `api` with `enabledEvents` receives: the names themselves, or for
    /// `*` the API's documented catalog (never `call.incoming`). OneInbox subscriptions have no `*`.
    static func subscribedTypes(_ enabledEvents: [String], api: EndpointAPI) -> Set<String> {
        var types = Set(enabledEvents)
        if types.remove(all) != nil {
            switch api {
            case .callingBox: types.formUnion(callingBoxDocumented)
            case .oneInbox: types.formUnion(oneInbox.filter { $0 != incoming })
            }
        }
        return types
    }

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
