import Foundation
import SwitchboardCore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// `SIGHUP` in `serve`: api_keys and sources' auth change live, other changes are named as needing a
/// restart, an invalid file is refused with one log line and the served configuration kept.
@Suite("Configuration reload on SIGHUP")
struct ConfigReloadTests {
    private func config(apiKey: String, auth: String, threads: Int = 2, format: String = "callingbox") -> String {
        #"""
        {"listen": {"host": "127.0.0.1", "port": 0, "threads": \#(threads)}, "store": {"path": "gw.sqlite"},
         "api_keys": ["\#(apiKey)"],
         "sources": [{"name": "cb", "format": "\#(format)", "auth": \#(auth)}]}
        """#
    }

    private func ingest(port: Int, secret: String) throws -> Int {
        let body = Array(#"{"id": "\#(UUID().uuidString.lowercased())", "type": "call.completed", "created": 1713268800, "api_version": "2026-04", "data": {"call": {"id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "status": "completed", "duration_seconds": 34}}}"#.utf8)
        let headers = try CallingBoxSignature().sign(body: body, secrets: [secret], timestamp: Int64(Date().timeIntervalSince1970), id: nil)
        return try RawHTTPConnection(port: port).request("POST", "/v1/ingest/cb", headers: headers.map { ($0.name, $0.value) },
                                                         body: body).status
    }

    private func list(port: Int, key: String) throws -> Int {
        try RawHTTPConnection(port: port).request("GET", "/v1/webhook_endpoints", headers: [("Authorization", "Bearer \(key)")]).status
    }

    /// The JSON log lines with `msg` equal to `message`.
    private static func lines(_ log: String, _ message: String) -> [[String: String]] {
        log.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  object["msg"] as? String == message else { return nil }
            return object.compactMapValues { $0 as? String }
        }
    }

    /// What the served gateway answered at each step, collected off the cooperative pool.
    struct Observed: Sendable {
        var before: [Int] = []
        var afterReload: [Int] = []
        var afterInvalid: [Int] = []
        var log = ""
        var exitStatus: Int32 = -1
    }

    @Test func secretsAndAPIKeysChangeLiveAndAnInvalidFileIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("c.json")
        try config(apiKey: "sk_old", auth: #"{"scheme": "callingbox", "secret": "whsec_a"}"#)
            .write(toFile: path, atomically: true, encoding: .utf8)
        let expiry = Int(Date().timeIntervalSince1970) + 3600
        let rolled = config(apiKey: "sk_new", auth: #"{"scheme": "callingbox", "secret": "whsec_b", "secret_previous": "whsec_a", "secret_previous_expires_at": \#(expiry)}"#,
                            threads: 3)
        let invalid = config(apiKey: "sk_newer", auth: #"{"scheme": "callingbox", "secret": "whsec_d"}"#, format: "telepathy")
        let observed = try await blocking { [self] () throws -> Observed in
            var observed = Observed()
            let serve = try ServeProcessTests.RunningServe(config: path)
            defer { if serve.process.isRunning { serve.process.terminate() } }
            let port = serve.port
            guard port > 0 else { observed.log = serve.log; return observed }
            observed.before = [try list(port: port, key: "sk_old"), try ingest(port: port, secret: "whsec_a")]

            try rolled.write(toFile: path, atomically: true, encoding: .utf8)
            kill(serve.process.processIdentifier, SIGHUP)
            _ = eventually { Self.lines(serve.log, "config reloaded").count == 1 }
            observed.afterReload = [try list(port: port, key: "sk_old"), try list(port: port, key: "sk_new"),
                                    try ingest(port: port, secret: "whsec_a"), try ingest(port: port, secret: "whsec_b"),
                                    try ingest(port: port, secret: "whsec_c")]

            try invalid.write(toFile: path, atomically: true, encoding: .utf8)
            kill(serve.process.processIdentifier, SIGHUP)
            _ = eventually { Self.lines(serve.log, "config reload failed").count == 1 }
            observed.afterInvalid = [try list(port: port, key: "sk_new"), try list(port: port, key: "sk_newer"),
                                     try ingest(port: port, secret: "whsec_b")]
            kill(serve.process.processIdentifier, SIGTERM)
            serve.waitForExit()
            observed.log = serve.log
            observed.exitStatus = serve.process.terminationStatus
            return observed
        }
        #expect(observed.before == [200, 202], "\(observed.log)")
        let reloaded = try #require(Self.lines(observed.log, "config reloaded").first, "\(observed.log)")
        #expect(reloaded["changed"] == "api_keys, sources.cb.auth")
        #expect(reloaded["restart_required"] == "listen")
        #expect(!observed.log.contains("whsec_b") && !observed.log.contains("sk_new"), "no secret in the log")
        // sk_old refused, sk_new accepted; the previous secret verifies until its expiry, the new one too, others not.
        #expect(observed.afterReload == [401, 200, 202, 202, 401])
        let failed = try #require(Self.lines(observed.log, "config reload failed").first)
        #expect(failed["error"]?.hasPrefix("\(path): sources[0].format: unknown format \"telepathy\"") == true)
        #expect(failed["level"] == "error")
        // The served configuration is kept.
        #expect(observed.afterInvalid == [200, 401, 202])
        #expect(observed.exitStatus == 0)
    }

    @Test func changesAreSplitIntoLiveAndRestartRequired() throws {
        func parse(_ json: String) throws -> GatewayConfig { try GatewayConfig.parse(Data(json.utf8), environment: [:]) }
        let old = try parse(#"{"api_keys": ["k"], "sources": [{"name": "a", "format": "salpre", "auth": {"scheme": "header-token", "header": "X-T", "value": "1"}}, {"name": "b", "format": "inkbox", "auth": {"scheme": "inkbox", "secret": "s"}}]}"#)
        let same = ConfigChanges(from: old, to: old)
        #expect(same.live.isEmpty && same.restartRequired.isEmpty && same.effective == old)
        let new = try parse(#"{"api_keys": ["k"], "listen": {"port": 9}, "sources": [{"name": "a", "format": "salpre", "auth": {"scheme": "header-token", "header": "X-Other", "value": "1"}}, {"name": "b", "format": "inkbox", "auth": {"scheme": "inkbox", "secret": "t", "tolerance_seconds": 60}}, {"name": "c", "format": "salpre", "auth": {"scheme": "header-token", "header": "X-T", "value": "1"}}]}"#)
        let changes = ConfigChanges(from: old, to: new)
        #expect(changes.live == ["sources.b.auth"])
        #expect(changes.restartRequired == ["listen", "sources.c (added)", "sources.a"])
        #expect(changes.effective.sources.map(\.name) == ["a", "b"])
        #expect(changes.effective.sources[1] == new.sources[1])
        #expect(changes.effective.sources[0] == old.sources[0])
        #expect(changes.effective.listen == old.listen)
    }
}
