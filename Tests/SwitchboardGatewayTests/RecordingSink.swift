import Foundation
import SwitchboardCore
import SwitchboardHTTP
import SwitchboardTestSupport

/// A webhook receiver on loopback that records every request and answers as scripted: the script gets
/// the request's sequence number (1-based) and returns the status and headers to answer with.
final class RecordingSink: @unchecked Sendable {
    struct Received: Sendable {
        var headers: HTTPHeaders
        var body: [UInt8]
        var json: JSONValue? { try? JSONReader.parse(body) }
    }

    private let server: HTTPServer
    private let requests: LockedArray<Received>

    init(port: Int = 0, answer: @escaping @Sendable (Int) -> HTTPResponse = { _ in HTTPResponse(status: 200) }) throws {
        let box = LockedArray<Received>()
        var router = Router()
        router.post("/hook", .immediate { request in
            box.append(Received(headers: request.headers, body: request.body))
            return answer(box.values.count)
        })
        // Every connection comes from the gateway at 127.0.0.1: no per-address limit.
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: port, threads: 2,
                                                                   connectionLimitPerIP: 100_000), router: router)
        try server.start()
        requests = box
    }

    var url: String { "http://127.0.0.1:\(server.port)/hook" }
    var port: Int { server.port }
    var all: [Received] { requests.values }

    func stop() { server.shutdown(graceSeconds: 0) }
}
