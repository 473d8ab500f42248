import Foundation
import SwitchboardCore
import SwitchboardStore
import SwitchboardTestSupport
@testable import SwitchboardGateway

/// A running gateway with the management APIs (key `sk_test_1`), one Salpre source (header token) and
/// an `org_default_secret`, on a real SQLite file, driven over loopback HTTP.
final class ManagementFixture: @unchecked Sendable {
    static let apiKey = "sk_test_1"
    static let salpreToken = "tok_123"

    let directory: TemporaryDirectory
    let writer: LogWriter
    let gateway: Gateway

    /// `delivery` is the configuration's `delivery` object (loopback destinations allowed by default, so
    /// tests can use `http://127.0.0.1:9/...`, which nothing answers).
    /// `logFile`: where the JSON log goes (default: nowhere).
    /// `limits`: the configuration's `limits` object, if any.
    init(delivery: String = #"{"allow_private_networks": true}"#, sources: String? = nil, logFile: String? = nil,
         limits: String? = nil) throws {
        directory = try TemporaryDirectory()
        writer = LogWriter(fileDescriptor: open(logFile ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o600))
        let json = """
        {"listen": {"host": "127.0.0.1", "port": 0},
         "store": {"path": "\(directory.file("gw.sqlite"))", "busy_timeout_ms": 100},
         "api_keys": ["sk_other", "\(Self.apiKey)"], "org_default_secret": "whsec_org_default",
         "delivery": \(delivery),\(limits.map { #" "limits": \#($0),"# } ?? "")
         "sources": \(sources ?? """
            [{"name": "salpre", "format": "salpre",
              "auth": {"scheme": "header-token", "header": "X-Salpre-Token", "value": "\(Self.salpreToken)"}}]
            """)}
        """
        gateway = Gateway(config: try GatewayConfig.parse(Data(json.utf8), environment: [:]), logger: Logger(writer: writer))
        try gateway.start()
    }

    /// A management request with the API key (or `key`), a JSON body given as text.
    func call(_ method: String, _ path: String, _ body: String? = nil,
              key: String? = ManagementFixture.apiKey) async throws -> Reply {
        var headers: [(String, String)] = []
        if let key { headers.append(("Authorization", "Bearer \(key)")) }
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let port = gateway.port
        let fields = headers
        let response = try await blocking {
            try RawHTTPConnection(port: port).request(method, path, headers: fields, body: Array((body ?? "").utf8))
        }
        return Reply(response)
    }

    /// Posts a Salpre event to ingest; returns the status.
    @discardableResult
    func ingest(_ body: String) async throws -> Int {
        let port = gateway.port
        return try await blocking {
            try RawHTTPConnection(port: port).request("POST", "/v1/ingest/salpre", headers: [("X-Salpre-Token", Self.salpreToken)],
                                                      body: Array(body.utf8)).status
        }
    }

    func query(_ sql: String, _ bindings: [any SQLValueConvertible] = []) throws -> [SQLiteRow] {
        try gateway.database?.read { try $0.query(sql, bindings) } ?? []
    }

    func close() {
        gateway.shutdown()
        writer.close()
        directory.remove()
    }

    /// A Salpre event of call `call` (`call_ringing` unless `type` says otherwise).
    static func salpre(_ type: String = "call_ringing", call: Int = 1, at time: Int = 1_760_084_555, test: Bool = false) -> String {
        #"{"event_type":"\#(type)","timestamp_utc":\#(time),"payload":{"call_id":\#(call),"from":"+15550100","to":"+15550199","direction":"outbound"},"is_test":\#(test)}"#
    }
}

/// A response with its JSON body.
struct Reply: Sendable {
    let status: Int
    let text: String
    let headers: [(String, String)]

    init(_ response: RawHTTPConnection.Response) {
        status = response.status
        text = response.text
        headers = response.headers
    }

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:] }
    subscript(key: String) -> Any? { json[key] }
    func string(_ key: String) -> String? { json[key] as? String }
    var data: [[String: Any]] { json["data"] as? [[String: Any]] ?? [] }
    var errorType: String? { (json["error"] as? [String: Any])?["type"] as? String }
    var errorMessage: String { ((json["error"] as? [String: Any])?["message"] as? String) ?? "" }
}
