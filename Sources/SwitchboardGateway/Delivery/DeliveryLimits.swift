#if canImport(Glibc)
import Glibc
#endif
import SwitchboardHTTP

/// How many delivery attempts may be in flight, and the HTTP client that makes them.
///
/// Isolation between endpoints rests on one rule: an endpoint's attempts are limited per endpoint
/// (`delivery.max_concurrency_per_endpoint`, grown from an eighth by answers: `DestinationCaps`, claimed
/// by `Deliverer`), and no other limit on the way is small enough for a few slow endpoints to fill. An
/// endpoint that accepts connections and never answers holds its own slots for the whole
/// `delivery.timeout_ms`, and nobody else's:
/// - the deliverer's total (``maxInFlight(fileDescriptorLimit:)``) leaves room for many endpoints
///   (at 4,096, for 128 at a full cap of 32, or 1,024 hanging ones at their starting 4);
/// - libcurl gets no per-host limit: two endpoints on one host (say, two paths) are two endpoints, and
///   requests queued inside curl would spend their timeout there; its total limit is the deliverer's;
/// - curl's connection cache may hold as many connections as may be open, so a healthy endpoint's
///   keep-alive connections are not closed to make room while slow ones hold theirs.
enum DeliveryLimits {
    /// The most attempts in flight at once, over all endpoints: each holds a socket, so a quarter of
    /// the process's file descriptor limit (the rest serve ingest and the store), between 256 and 4,096.
    static func maxInFlight(fileDescriptorLimit: Int? = currentFileDescriptorLimit()) -> Int {
        guard let fileDescriptorLimit else { return 256 }
        return min(4_096, max(256, fileDescriptorLimit / 4))
    }

    /// The soft `RLIMIT_NOFILE`, or nil when unknown or unlimited.
    static func currentFileDescriptorLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return Int(clamping: limit.rlim_cur)
    }

    /// The delivery client's settings: `timeoutMilliseconds` per attempt, destinations checked by
    /// `addressPolicy` after DNS resolution, connection limits as described above.
    static func clientConfiguration(timeoutMilliseconds: Int, maxInFlight: Int,
                                    addressPolicy: HTTPClientConfiguration.AddressPolicy?) -> HTTPClientConfiguration {
        var configuration = HTTPClientConfiguration()
        configuration.totalTimeoutMilliseconds = timeoutMilliseconds
        configuration.maxConnectionsPerHost = 0
        configuration.maxTotalConnections = maxInFlight
        configuration.maxCachedConnections = maxInFlight
        configuration.addressPolicy = addressPolicy
        return configuration
    }
}
