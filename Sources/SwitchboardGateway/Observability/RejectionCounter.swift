import SwitchboardCore

/// Refused requests by reason, for `/metrics` (`switchboard_http_rejected_total{reason}`, rendered with the
/// server's own counters by `HTTPRejectionMetrics`). Any part of
/// the gateway may count a refusal with `count(reason:)`; the access log counts every 4xx answer and 503 refusal
/// by its error `type` (`AccessLog`), so a refusal answered through the server must not be counted twice.
final class RejectionCounter: Sendable {
    /// Distinct reasons kept; later new ones count as `other`, so a bug can never grow the label set.
    static let maxReasons = 64

    private let counts = LockedValue<[String: Int]>([:])

    func count(reason: String) {
        counts.withLock { counts in
            let key = counts[reason] != nil || counts.count < Self.maxReasons ? reason : "other"
            counts[key, default: 0] += 1
        }
    }

    var snapshot: [String: Int] { counts.withLock { $0 } }
}
