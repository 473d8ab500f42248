/// How many attempts each destination may have in flight, grown from a small start by the answers it
/// gives: a destination starts at ``startCap`` (an eighth of `delivery.max_concurrency_per_endpoint`, at
/// least 1), each attempt that ends other than in a timeout (an answer of any status, a refused
/// connection) raises its cap by one up to ``normal``, and a timeout drops it back to the start.
///
/// An endpoint that accepts and never answers (or never accepts) thus holds ``startCap`` sockets for the
/// whole timeout, never its full cap, however many endpoints do the same and however low the total is;
/// a healthy one reaches its full cap after a few answers. A destination's cap is forgotten when it has
/// nothing in flight, so the table holds only busy destinations. Part of the deliverer's locked state.
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

    /// Drops what is known of a destination with nothing in flight.
    mutating func forget(_ destination: String) {
        grown[destination] = nil
    }
}
