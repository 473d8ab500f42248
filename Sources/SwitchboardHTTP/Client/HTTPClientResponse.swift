/// A complete response received by ``HTTPClient``.
public struct HTTPClientResponse: Sendable {
    /// The final status code (a 3xx is returned as-is: redirects are never followed).
    public var status: Int
    /// Header fields of the final response, in the order received (interim 1xx blocks are dropped).
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Wall time of the whole transfer as curl measured it (queueing inside curl, DNS, connect, transfer).
    public var duration: Duration
    /// Diagnostics: true when the request went over a connection that was already open
    /// (curl reported `CURLINFO_NUM_CONNECTS == 0`).
    public var reusedConnection: Bool
    /// Diagnostics: the local TCP port of the connection used (`CURLINFO_LOCAL_PORT`), 0 if unknown.
    public var localPort: Int
    /// Diagnostics: the IP address of the peer the request was sent to (`CURLINFO_PRIMARY_IP`), "" if unknown.
    public var remoteAddress: String
    /// The body was longer than the request's cap: `body` holds its first bytes (the cap), the rest was
    /// never read and the connection was closed. Status and headers are the server's, whole.
    public var truncated: Bool

    public init(status: Int, headers: HTTPHeaders, body: [UInt8], duration: Duration,
                reusedConnection: Bool, localPort: Int, remoteAddress: String, truncated: Bool = false) {
        self.status = status
        self.headers = headers
        self.body = body
        self.duration = duration
        self.reusedConnection = reusedConnection
        self.localPort = localPort
        self.remoteAddress = remoteAddress
        self.truncated = truncated
    }
}
