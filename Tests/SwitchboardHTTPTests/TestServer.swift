import Foundation
import SwitchboardTestSupport
@testable import SwitchboardHTTP

/// Responders of `/park` requests, held so those requests stay parked until shutdown releases them.
let parkedResponders = LockedArray<HTTPResponder>()

/// Starts an `HTTPServer` on a free loopback port with the test routes below, plus any extra ones.
///
/// - `GET|POST /echo/{name}`: JSON of what arrived (method, name, query `q`, header `X-Test`, body size
///   and text).
/// - `GET /slow?ms=N`: a deferred answer after N ms, from another thread.
/// - `GET /park`: a deferred handler that never answers by itself (only shutdown releases it).
/// - `GET /fast`: an immediate 200.
func makeTestServer(_ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
                    routes: (inout Router) -> Void = { _ in }) throws -> HTTPServer {
    var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0, threads: 2)
    configure(&configuration)
    var router = Router()
    let echo = HTTPHandler.immediate { request in
        .json(200, object: [
            "method": request.method.rawValue, "name": request.pathParameters["name"] ?? "",
            "q": request.queryValue("q") ?? "", "x_test": request.headers["X-Test"] ?? "",
            "size": request.body.count, "body": String(decoding: request.body, as: UTF8.self),
        ])
    }
    router.get("/echo/{name}", echo)
    router.post("/echo/{name}", echo)
    router.get("/fast", .immediate { _ in HTTPResponse(status: 200, body: Array("fast".utf8)) })
    router.get("/slow", .deferred { request, responder in
        let delay = Int(request.queryValue("ms") ?? "50") ?? 50
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(delay)) {
            responder.respond(HTTPResponse(status: 200, body: Array("slow".utf8)))
        }
    })
    // Holding the responder keeps the request parked (dropping it would answer 500).
    router.get("/park", .deferred { _, responder in parkedResponders.append(responder) })
    routes(&router)
    let server = HTTPServer(configuration: configuration, router: router)
    try server.start()
    return server
}
