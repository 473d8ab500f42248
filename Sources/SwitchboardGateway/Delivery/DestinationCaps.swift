/// How many attempts each destination may have in flight, grown from a small start by the answers it
/// gives: a destination starts at ``startCap`` (an eighth of `delivery.max_concurrency_per_endpoint`, at
/// least 1), each attempt that ends other than in a timeout (an answer of any status, a refused
/// connection) raises its cap by one up to ``normal``, and a timeout drops it back to the start.
///
/// An endpoint that accepts and never answers (or never accepts) thus holds ``startCap`` sockets for the
/// whole timeout, never its full cap, however many endpoints do the same and however low the total is;
/// a healthy one reaches its full cap after a few answers. A grown cap is kept while the destination is
/// idle: the deliverer's pipeline often empties for a moment between batches (each call's deliveries go
/// one at a time), and forgetting then held a healthy endpoint at the start cap for a whole drain. Past
/// ``remembered`` destinations, those with nothing in flight are forgotten, so the table stays bounded.
/// Part of the deliverer's locked state.
struct DestinationCaps: Sendable {
    let normal: Int
    private var grown: [String: Int] = [:]

    init(normal: Int) {
        self.normal = normal
    }

    /// Where every destination starts, and where a timeout puts it back.
    var startCap: Int { max(1, normal / 8) }

    /// The destination's cap now.
    func cap(_ destination: String) -> Int { grown[destination] ?? startCap }

    /// Notes how an attempt to `destination` ended.
    mutating func record(_ destination: String, timedOut: Bool) {
        grown[destination] = timedOut ? startCap : min(normal, cap(destination) + 1)
    }

    /// How many destinations' caps are kept before idle ones are forgotten.
    static let remembered = 10_000

    /// Drops what is known of a destination (it starts again from ``startCap``).
    mutating func forget(_ destination: String) {
        grown[destination] = nil
    }

    /// When more than ``remembered`` destinations are known, forgets those not in `busy`.
    mutating func forgetIdle(keeping busy: Set<String>) {
        guard grown.count > Self.remembered else { return }
        grown = grown.filter { busy.contains($0.key) }
    }
}
