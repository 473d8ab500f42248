/// How a route answers.
///
/// - `immediate`: computes the response on the server thread. For cheap work only.
/// - `deferred`: receives a responder and may answer later from any thread; the connection is suspended
///   meanwhile, so no server thread waits (a group commit, an outbound decision request).
/// - `async`: runs in a Swift `Task`; the connection is suspended until it returns. A thrown `HTTPError`
///   becomes its JSON error response; any other error becomes a 500.
public enum HTTPHandler: Sendable {
    case immediate(@Sendable (HTTPRequest) -> HTTPResponse)
    case deferred(@Sendable (HTTPRequest, HTTPResponder) -> Void)
    case async(@Sendable (HTTPRequest) async throws -> HTTPResponse)
}

/// Maps method + path pattern to handlers. Patterns are `/`-separated literal segments and `{name}`
/// parameters, e.g. `/v1/webhook_endpoints/{id}/rotate_secret`.
public struct Router: Sendable {
    /// The outcome of matching a request.
    public enum Match: Sendable {
        /// `route` is the matched pattern (`/v1/webhook_endpoints/{id}`): a bounded label for metrics.
        case found(HTTPHandler, parameters: [String: String], route: String)
        /// The path exists for other methods only; `allowed` feeds the `Allow` header.
        case methodNotAllowed(allowed: [HTTPMethod])
        case notFound
    }

    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    private struct Route: Sendable {
        let pattern: String
        let segments: [Segment]
        var handlers: [HTTPMethod: HTTPHandler]
        var hasParameters: Bool {
            segments.contains { if case .parameter = $0 { return true } else { return false } }
        }
    }

    private var routes: [Route] = []
    /// Preflight checks by route pattern and method (see `HTTPPreflight`).
    private var preflights: [String: [HTTPMethod: HTTPPreflight]] = [:]
    /// Routes without parameters, by exact path, for an allocation-light lookup.
    private var literalRoutes: [String: Int] = [:]

    public init() {}

    /// Registers `handler` for `method` on `pattern`. A later registration of the same pair replaces it.
    /// `preflight`, when given, sees the request's head before its body is read and may refuse it.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: HTTPHandler,
                             preflight: HTTPPreflight? = nil) {
        preflights[Router.normalise(pattern), default: [:]][method] = preflight
        let segments = Router.split(pattern).map { part -> Segment in
            if part.hasPrefix("{") && part.hasSuffix("}") && part.count > 2 {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            return .literal(String(part))
        }
        if let index = routes.firstIndex(where: { $0.segments == segments }) {
            routes[index].handlers[method] = handler
            return
        }
        routes.append(Route(pattern: Router.normalise(pattern), segments: segments, handlers: [method: handler]))
        if segments.allSatisfy({ if case .literal = $0 { return true } else { return false } }) {
            literalRoutes[Router.normalise(pattern)] = routes.count - 1
        }
    }

    public mutating func get(_ pattern: String, _ handler: HTTPHandler) { add(.GET, pattern, handler) }
    public mutating func post(_ pattern: String, _ handler: HTTPHandler, preflight: HTTPPreflight? = nil) {
        add(.POST, pattern, handler, preflight: preflight)
    }
    public mutating func put(_ pattern: String, _ handler: HTTPHandler) { add(.PUT, pattern, handler) }
    public mutating func patch(_ pattern: String, _ handler: HTTPHandler) { add(.PATCH, pattern, handler) }
    public mutating func delete(_ pattern: String, _ handler: HTTPHandler) { add(.DELETE, pattern, handler) }

    /// Finds the handler for a request. `HEAD` falls back to the `GET` handler (the server drops the body).
    /// A literal route wins over a parameterised one for the same method; when no route of the path has
    /// the method, `allowed` lists every method any route of the path has.
    public func match(method: HTTPMethod, path: String) -> Match {
        var allowed = Set<HTTPMethod>()
        if let index = literalRoutes[Router.normalise(path)] {
            if let handler = Router.handler(in: routes[index], for: method) {
                return .found(handler, parameters: [:], route: routes[index].pattern)
            }
            allowed.formUnion(routes[index].handlers.keys)
        }
        let parts = Router.split(path)
        for route in routes where route.hasParameters && route.segments.count == parts.count {
            guard let parameters = Router.bind(route.segments, to: parts) else { continue }
            if let handler = Router.handler(in: route, for: method) {
                return .found(handler, parameters: parameters, route: route.pattern)
            }
            allowed.formUnion(route.handlers.keys)
        }
        guard !allowed.isEmpty else { return .notFound }
        if allowed.contains(.GET) { allowed.insert(.HEAD) }
        return .methodNotAllowed(allowed: allowed.sorted { $0.rawValue < $1.rawValue })
    }

    /// The preflight check registered for `method` on the route `pattern` (as `match` reports it), if any.
    /// `HEAD` falls back to `GET`'s, as handlers do.
    public func preflight(method: HTTPMethod, route pattern: String) -> HTTPPreflight? {
        guard let checks = preflights[pattern] else { return nil }
        return checks[method] ?? (method == .HEAD ? checks[.GET] : nil)
    }

    private static func handler(in route: Route, for method: HTTPMethod) -> HTTPHandler? {
        if let handler = route.handlers[method] { return handler }
        if method == .HEAD { return route.handlers[.GET] }
        return nil
    }

    private static func bind(_ segments: [Segment], to parts: [Substring]) -> [String: String]? {
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let text):
                guard part == text else { return nil }
            case .parameter(let name):
                guard !part.isEmpty else { return nil }
                parameters[name] = String(part)
            }
        }
        return parameters
    }

    private static func split(_ path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }

    /// `/a/b/` and `/a/b` are the same route.
    private static func normalise(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}
