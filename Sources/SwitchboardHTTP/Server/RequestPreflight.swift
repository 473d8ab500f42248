/// What a server knows of a request once its header block has arrived, before any body byte is read.
public struct HTTPRequestHead: Sendable {
    public var method: HTTPMethod
    /// The request path, without the query string.
    public var path: String
    public var headers: HTTPHeaders
    /// Values of `{name}` segments of the matched route pattern.
    public var pathParameters: [String: String]
    /// The peer's numeric address ("" when unknown).
    public var remoteAddress: String
    /// The declared `Content-Length`, nil when the body is chunked or absent.
    public var declaredBodyBytes: Int?

    public init(method: HTTPMethod, path: String, headers: HTTPHeaders = HTTPHeaders(),
                pathParameters: [String: String] = [:], remoteAddress: String = "", declaredBodyBytes: Int? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.pathParameters = pathParameters
        self.remoteAddress = remoteAddress
        self.declaredBodyBytes = declaredBodyBytes
    }
}

/// A route's check of a request's head, run on a server thread as soon as the headers are complete:
/// an answer refuses the request at once (the body is never read or buffered, and the connection is
/// closed after the answer); nil lets it through to the body and the handler. Must be cheap and
/// must not block: it runs on the worker that serves other connections too.
public typealias HTTPPreflight = @Sendable (HTTPRequestHead) -> HTTPResponse?
