import SwitchboardHTTP

/// The project's `HTTPServer` on an ephemeral loopback port, with the routes the client tests use:
///
/// - `GET|POST|PUT /echo`: 200 echoing the body; `X-Method` is the request method, `X-Echoed` the request's `X-Test`.
/// - `GET /bytes/{count}`: 200 with `count` bytes of `x`.
/// - `GET /redirect`: 302 to `/echo`.
/// - `GET /slow`: deferred, never answered (the server answers 503 when it shuts down).
final class HTTPClientTestServer: Sendable {
    let server: HTTPServer
    let baseURL: String

    init() throws {
        var router = Router()
        let echo = HTTPHandler.immediate { request in
            HTTPResponse(status: 200, headers: ["X-Method": request.method.rawValue,
                                                "X-Echoed": request.headers["X-Test"] ?? ""],
                         body: request.body)
        }
        for method in [HTTPMethod.GET, .POST, .PUT] { router.add(method, "/echo", echo) }
        router.add(.GET, "/bytes/{count}", .immediate { request in
            let count = request.pathParameters["count"].flatMap { Int($0) } ?? 0
            return HTTPResponse(status: 200, body: [UInt8](repeating: UInt8(ascii: "x"), count: count))
        })
        router.add(.GET, "/redirect", .immediate { _ in HTTPResponse(status: 302, headers: ["Location": "/echo"]) })
        // The responder is held (in `parkedResponders`) so the request stays parked.
        router.add(.GET, "/slow", .deferred { _, responder in parkedResponders.append(responder) })
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, threads: 2),
                            router: router)
        try server.start()
        baseURL = "http://127.0.0.1:\(server.port)"
    }

    func url(_ path: String) -> String { baseURL + path }

    func shutdown() { server.shutdown(graceSeconds: 0) }
}

/// Runs `body` with a started test server and a fresh client, shutting both down afterwards.
func withClientAndServer(configuration: HTTPClientConfiguration = HTTPClientConfiguration(),
                         _ body: (HTTPClient, HTTPClientTestServer) async throws -> Void) async throws {
    let server = try HTTPClientTestServer()
    defer { server.shutdown() }
    let client = try HTTPClient(configuration: configuration)
    defer { client.shutdown() }
    try await body(client, server)
}

/// The error `request` fails with, or nil if it succeeded.
func clientError(_ client: HTTPClient, _ request: HTTPClientRequest) async -> HTTPClientError? {
    do {
        _ = try await client.execute(request)
        return nil
    } catch {
        return error
    }
}
