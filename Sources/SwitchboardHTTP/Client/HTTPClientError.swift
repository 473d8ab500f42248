/// Why an ``HTTPClient`` request did not produce a response.
///
/// An HTTP error status (4xx, 5xx) is not an error here: it is a response.
public struct HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The URL was malformed or its scheme is not http/https.
        case invalidURL
        /// The request itself could not be sent as given (bad method token, CR/LF in a header, ...).
        case invalidRequest
        /// The host name could not be resolved.
        case dns
        /// No connection could be established (refused, unreachable, ...).
        case connect
        /// The connect or total timeout elapsed.
        case timeout
        /// TLS handshake or certificate verification failed.
        case tls
        /// The outbound address policy refused the resolved address (see ``blockedAddress``).
        case blockedAddress
        /// The client was shut down before the request completed.
        case shutdown
        /// The task awaiting the request was cancelled; the transfer was aborted.
        case cancelled
        /// Anything else; see ``curlCode`` and ``message``.
        case other
    }

    public var kind: Kind
    /// The libcurl `CURLcode` (or `CURLMcode` for multi-handle failures), nil when the error did not come from curl.
    public var curlCode: Int?
    /// curl's error buffer (`CURLOPT_ERRORBUFFER`) if it said anything, else curl's generic text, else ours.
    public var message: String
    /// For ``Kind/blockedAddress``: the address the policy refused.
    public var blockedAddress: ResolvedAddress?

    public init(_ kind: Kind, curlCode: Int? = nil, message: String, blockedAddress: ResolvedAddress? = nil) {
        self.kind = kind
        self.curlCode = curlCode
        self.message = message
        self.blockedAddress = blockedAddress
    }

    public var description: String {
        var text = "HTTPClientError.\(kind.rawValue): \(message)"
        if let curlCode { text += " (curl code \(curlCode))" }
        return text
    }

    static let shutdown = HTTPClientError(.shutdown, message: "the HTTP client was shut down")
    static let cancelled = HTTPClientError(.cancelled, message: "the request was cancelled")
}
