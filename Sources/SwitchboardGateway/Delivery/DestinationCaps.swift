/// How many attempts each destination may have in flight: `delivery.max_concurrency_per_endpoint`,
/// or, while its last attempt ended in a timeout (it accepts and never answers, or never accepts),
/// ``slowCap``. Such an endpoint would otherwise hold its whole cap of sockets for the whole timeout,
/// wave after wave; any other outcome (an answer of any status, a refused connection) restores its cap.
/// Part of the deliverer's locked flight state.
struct DestinationCaps: Sendable {
    let normal: Int
    private var slow: Set<String> = []

    init(normal: Int) {
        self.normal = normal
    }

    /// The cap of a destination whose last attempt timed out: an eighth of the normal one, at least 1.
    var slowCap: Int { max(1, normal / 8) }

    /// The destination's cap now.
    func cap(_ destination: String) -> Int { slow.contains(destination) ? slowCap : normal }

    /// Notes how an attempt to `destination` ended.
    mutating func record(_ destination: String, timedOut: Bool) {
        if timedOut {
            slow.insert(destination)
        } else {
            slow.remove(destination)
        }
    }
}
