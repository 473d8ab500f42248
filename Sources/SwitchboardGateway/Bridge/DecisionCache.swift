import SwitchboardCore
import SwitchboardHTTP

/// The answers given per `X-Inkbox-Request-ID`, for `ttl` seconds: the same request id again gets the
/// same answer without asking anyone. A repeat that arrives while the first is still being decided
/// waits for that decision instead of starting another.
///
/// In memory, filled at start from the `decisions` table (so a restart keeps it). Entries expire in
/// the order they were decided; expired ones are dropped as later calls come in.
final class DecisionCache: Sendable {
    struct Key: Hashable, Sendable {
        var source: String
        var requestID: String
    }

    /// What `claim` found.
    enum Claim {
        /// Decided before: answer this.
        case answered(CallAnswer)
        /// Being decided: the responder was added to the waiters and will be answered with it.
        case waiting
        /// New: the caller decides, then calls `complete`.
        case claimed
    }

    private enum Entry {
        case pending([HTTPResponder])
        case decided(CallAnswer, expires: Double)
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        /// Decided keys in expiry order (a queue: `head` is the next to look at).
        var expiries: [(key: Key, at: Double)] = []
        var head = 0
    }

    let ttl: Double
    /// The most decided answers kept: past it the oldest decided ones are forgotten early (a flood of new
    /// request ids cannot grow memory without bound; calls still being decided are never dropped).
    let capacity: Int
    private let state = LockedValue(State())

    init(ttl: Double = 600, capacity: Int = 100_000) {
        self.ttl = ttl
        self.capacity = max(1, capacity)
    }

    func claim(_ key: Key, responder: HTTPResponder, now: Double) -> Claim {
        state.withLock { state in
            Self.expire(&state, now: now)
            switch state.entries[key] {
            case .decided(let answer, let expires)? where expires > now:
                return .answered(answer)
            case .pending(var waiters)?:
                waiters.append(responder)
                state.entries[key] = .pending(waiters)
                return .waiting
            case .decided?, nil:
                state.entries[key] = .pending([])
                return .claimed
            }
        }
    }

    /// Stores the answer of a claimed key and returns the responders that waited for it.
    func complete(_ key: Key, answer: CallAnswer, now: Double) -> [HTTPResponder] {
        state.withLock { state in
            var waiters: [HTTPResponder] = []
            if case .pending(let pending)? = state.entries[key] { waiters = pending }
            remember(&state, key, answer, expires: now + ttl)
            Self.expire(&state, now: now)
            return waiters
        }
    }

    /// Answers decided at `at` (from the store, oldest first).
    func preload(_ answers: [(key: Key, answer: CallAnswer, at: Double)]) {
        state.withLock { state in
            for item in answers { remember(&state, item.key, item.answer, expires: item.at + ttl) }
        }
    }

    var count: Int { state.withLock { $0.entries.count } }

    private func remember(_ state: inout State, _ key: Key, _ answer: CallAnswer, expires: Double) {
        state.entries[key] = .decided(answer, expires: expires)
        state.expiries.append((key, expires))
        // Over capacity: drop decided entries in expiry order until back under it.
        while state.entries.count > capacity, state.head < state.expiries.count {
            let oldest = state.expiries[state.head].key
            if case .decided? = state.entries[oldest], oldest != key { state.entries[oldest] = nil }
            state.head += 1
        }
    }

    private static func expire(_ state: inout State, now: Double) {
        while state.head < state.expiries.count, state.expiries[state.head].at <= now {
            let key = state.expiries[state.head].key
            if case .decided(_, let expires)? = state.entries[key], expires <= now { state.entries[key] = nil }
            state.head += 1
        }
        // Compact the queue once most of it has been consumed.
        if state.head > 1024, state.head * 2 > state.expiries.count {
            state.expiries.removeFirst(state.head)
            state.head = 0
        }
    }
}
