/// One outbound HTTP request for ``HTTPClient``.
///
/// A value type: build it, hand it to ``HTTPClient/execute(_:)``; the client copies what it needs.
/// Redirects are never followed: a 3xx is returned to the caller as-is.
public struct HTTPClientRequest: Sendable {
    public var method: HTTPMethod
    /// An absolute `http://` or `https://` URL; other schemes fail with ``HTTPClientError/Kind/invalidURL``.
    public var url: String
    /// Request header fields, sent in order. Names must be HTTP tokens and values must not contain
    /// CR, LF or NUL, otherwise the request fails with ``HTTPClientError/Kind/invalidRequest``.
    ///
    /// The client suppresses curl's implicit `Expect: 100-continue` and
    /// `Content-Type: application/x-www-form-urlencoded`; set either here to send it.
    public var headers: HTTPHeaders
    /// Request body. Sent (with `Content-Length`) when non-empty, and always for POST, PUT and PATCH.
    public var body: [UInt8]
    /// Limit for establishing the connection (DNS + TCP + TLS), in milliseconds; nil uses the
    /// client's ``HTTPClientConfiguration/connectTimeoutMilliseconds``.
    public var connectTimeoutMilliseconds: Int?
    /// Limit for the whole transfer, in milliseconds; nil uses the client's
    /// ``HTTPClientConfiguration/totalTimeoutMilliseconds``.
    public var totalTimeoutMilliseconds: Int?
    /// Cap on the response body in bytes; nil uses the client's ``HTTPClientConfiguration/maxResponseBodyBytes``.
    /// Past it the client stops reading: the response keeps its status and headers, its body is the first
    /// `maxResponseBodyBytes` bytes and ``HTTPClientResponse/truncated`` is true.
    public var maxResponseBodyBytes: Int?

    public init(method: HTTPMethod = .GET, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                connectTimeoutMilliseconds: Int? = nil, totalTimeoutMilliseconds: Int? = nil,
                maxResponseBodyBytes: Int? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.totalTimeoutMilliseconds = totalTimeoutMilliseconds
        self.maxResponseBodyBytes = maxResponseBodyBytes
    }
}
