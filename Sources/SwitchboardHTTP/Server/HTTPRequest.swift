/// A complete inbound request, body included, as a handler sees it.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The request path, percent-decoded, without the query string.
    public var path: String
    /// Query parameters in order of appearance, percent-decoded.
    public var query: [(name: String, value: String)]
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Values of `{name}` segments of the matched route pattern.
    public var pathParameters: [String: String]
    /// The peer's numeric address ("" when unknown).
    public var remoteAddress: String

    public init(method: HTTPMethod, path: String, query: [(name: String, value: String)] = [],
                headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                pathParameters: [String: String] = [:], remoteAddress: String = "") {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.pathParameters = pathParameters
        self.remoteAddress = remoteAddress
    }

    /// The first value of query parameter `name`, or nil.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }
}
