import Foundation
import SwitchboardCore
import SwitchboardHTTP
import SwitchboardTestSupport

/// A decision endpoint on loopback that records every request and answers by path:
///
/// | path | answer |
/// |---|---|
/// | `/answer` | 200 `{"action":"answer","client_websocket_url":"wss://agent.example/ws/1"}` |
/// | `/reject` | 200 `{"action":"reject"}` |
/// | `/slow` | the `/answer` body, 2 s later (past every deadline the tests configure) |
/// | `/hold` | the `/answer` body, `holdSeconds` later |
/// | `/500` | 500 |
/// | `/garbage` | 200 `not json` |
/// | `/ignore` | 200 `{"action":"ignore"}` |
/// | `/http-ws` | 200 `{"action":"answer","client_websocket_url":"http://agent.example/ws"}` |
/// | `/long` | 200, the `/answer` body then 70,000 spaces (valid JSON, longer than the 64 KiB read) |
final class DecisionEndpoint: @unchecked Sendable {
    struct Received: Sendable {
        var path: String
        var headers: HTTPHeaders
        var body: [UInt8]
        var json: JSONValue? { try? JSONReader.parse(body) }
        var fields: [HeaderField] { headers.map { HeaderField($0.name, $0.value) } }
    }

    static let answerBody = #"{"action":"answer","client_websocket_url":"wss://agent.example/ws/1"}"#

    private let server: HTTPServer
    private let requests = LockedArray<Received>()

    init(holdSeconds: Double = 1.5) throws {
        var router = Router()
        let requests = self.requests
        let answer = HTTPResponse.json(200, Array(Self.answerBody.utf8))
        let fixed: [(String, HTTPResponse)] = [
            ("/answer", answer),
            ("/reject", .json(200, Array(#"{"action":"reject"}"#.utf8))),
            ("/500", .json(500, Array(#"{"error":"boom"}"#.utf8))),
            ("/garbage", HTTPResponse(status: 200, body: Array("not json".utf8))),
            ("/ignore", .json(200, Array(#"{"action":"ignore"}"#.utf8))),
            ("/http-ws", .json(200, Array(#"{"action":"answer","client_websocket_url":"http://agent.example/ws"}"#.utf8))),
            ("/long", .json(200, Array(Self.answerBody.utf8) + Array(repeating: 0x20, count: 70_000))),
        ]
        for (path, response) in fixed {
            router.post(path, .immediate { request in
                requests.append(Received(path: path, headers: request.headers, body: request.body))
                return response
            })
        }
        for (path, delay) in [("/slow", 2.0), ("/hold", holdSeconds)] {
            router.post(path, .deferred { request, responder in
                requests.append(Received(path: path, headers: request.headers, body: request.body))
                DispatchQueue.global().asyncAfter(deadline: .now() + delay) { responder.respond(answer) }
            })
        }
        // Every connection comes from the gateway at 127.0.0.1: no per-address limit.
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, threads: 2,
                                                                   connectionLimitPerIP: 100_000, shutdownGraceSeconds: 0),
                            router: router)
        try server.start()
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(server.port)\(path)" }

    func received(_ path: String) -> [Received] { requests.values.filter { $0.path == path } }

    func stop() { server.shutdown(graceSeconds: 0) }
}
