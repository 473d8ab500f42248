/// Settings for one ``HTTPClient``. Per-request fields of ``HTTPClientRequest`` override the defaults here.
public struct HTTPClientConfiguration: Sendable {
    /// Decides, after DNS resolution and before any packet is sent, whether the client may connect
    /// to an address. Return false to refuse: the request fails with ``HTTPClientError/Kind/blockedAddress``.
    ///
    /// Runs on the client's loop thread for every new connection (not for a reused one, which was
    /// allowed when it was opened); keep it fast and non-blocking.
    public typealias AddressPolicy = @Sendable (ResolvedAddress) -> Bool

    /// Size of the connection cache (`CURLMOPT_MAXCONNECTS`): idle keep-alive connections kept open.
    public var maxCachedConnections: Int = 64
    /// Most simultaneous connections to one host (`CURLMOPT_MAX_HOST_CONNECTIONS`); further requests wait
    /// inside curl for a free connection. 0 means unlimited.
    public var maxConnectionsPerHost: Int = 32
    /// Most simultaneous connections in total (`CURLMOPT_MAX_TOTAL_CONNECTIONS`); 0 means unlimited.
    public var maxTotalConnections: Int = 0
    /// Default connect timeout in milliseconds.
    public var connectTimeoutMilliseconds: Int = 5_000
    /// Default total timeout in milliseconds.
    public var totalTimeoutMilliseconds: Int = 30_000
    /// Default cap on a response body, in bytes (1 MiB).
    public var maxResponseBodyBytes: Int = 1 << 20
    /// Easy handles kept for reuse (reset with `curl_easy_reset`) instead of being recreated per request;
    /// 0 disables pooling.
    public var easyHandlePoolSize: Int = 64
    /// Outbound address policy, applied to every resolved address before connecting; nil allows all.
    public var addressPolicy: AddressPolicy?

    public init() {}
}
