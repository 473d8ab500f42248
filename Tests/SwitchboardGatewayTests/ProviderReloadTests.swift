import Foundation
import SwitchboardCore
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// `SIGHUP` in `serve` with provider sources: a new Telnyx public key and a new Twilio `public_url`
/// verify from the next request, named in `config reloaded`, no restart.
@Suite("Configuration reload of provider sources")
struct ProviderReloadTests {
    private static let oldSeed = [UInt8](repeating: 1, count: 32)
    private static let newSeed = [UInt8](repeating: 2, count: 32)

    private static func config(seed: [UInt8], publicURL: String) throws -> String {
        let key = Base64.encode(try Ed25519.publicKey(forSeed: seed))
        return """
        {"listen": {"host": "127.0.0.1", "port": 0}, "store": {"path": "gw.sqlite"},
         "sources": [{"name": "telnyx", "format": "callingbox", "auth": {"scheme": "telnyx", "public_key": "\(key)"}},
                     {"name": "twilio", "format": "twilio", "public_url": "\(publicURL)", "auth": {"scheme": "twilio", "secret": "tok"}}]}
        """
    }

    private static func telnyx(port: Int, seed: [UInt8]) throws -> Int {
        let body = Array(#"{"id": "\#(UUID().uuidString.lowercased())", "type": "call.ringing", "created": 1713268800, "api_version": "2026-04", "data": {"call": {"id": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "status": "ringing"}}}"#.utf8)
        let headers = try TelnyxSignature().sign(body: body, secrets: [Base64.encode(seed)],
                                                 timestamp: Int64(Date().timeIntervalSince1970), id: nil)
        return try RawHTTPConnection(port: port).request("POST", "/v1/ingest/telnyx", headers: headers.map { ($0.name, $0.value) },
                                                         body: body).status
    }

    private static func twilio(port: Int, signedFor url: String, sequence: Int) throws -> Int {
        let body = ProviderIngestTests.statusCallback("ringing", sequence: sequence)
        let headers = try TwilioSignature().sign(SignedRequest(body: body, url: url), secrets: ["tok"], timestamp: 0, id: nil)
        return try RawHTTPConnection(port: port).request("POST", "/v1/ingest/twilio", headers: headers.map { ($0.name, $0.value) },
                                                         body: body).status
    }

    @Test func aNewPublicKeyAndPublicURLApplyLive() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("c.json")
        let (first, second) = ("https://a.example.com/v1/ingest/twilio", "https://b.example.com/v1/ingest/twilio")
        try Self.config(seed: Self.oldSeed, publicURL: first).write(toFile: path, atomically: true, encoding: .utf8)
        let next = try Self.config(seed: Self.newSeed, publicURL: second)
        let (before, after, log) = try await blocking { () throws -> ([Int], [Int], String) in
            let serve = try ServeProcessTests.RunningServe(config: path)
            defer { if serve.process.isRunning { serve.process.terminate() } }
            let port = serve.port
            guard port > 0 else { return ([], [], serve.log) }
            let before = [try Self.telnyx(port: port, seed: Self.oldSeed), try Self.twilio(port: port, signedFor: first, sequence: 1)]
            try next.write(toFile: path, atomically: true, encoding: .utf8)
            kill(serve.process.processIdentifier, SIGHUP)
            _ = eventually { serve.log.contains("config reloaded") }
            let after = [try Self.telnyx(port: port, seed: Self.oldSeed), try Self.telnyx(port: port, seed: Self.newSeed),
                         try Self.twilio(port: port, signedFor: first, sequence: 2),
                         try Self.twilio(port: port, signedFor: second, sequence: 3)]
            kill(serve.process.processIdentifier, SIGTERM)
            serve.waitForExit()
            return (before, after, serve.log)
        }
        #expect(before == [202, 202], "\(log)")
        #expect(after == [401, 202, 401, 202], "\(log)")
        let reloaded = log.split(separator: "\n").first { $0.contains("config reloaded") } ?? ""
        #expect(reloaded.contains(#""changed":"sources.telnyx.auth, sources.twilio.public_url""#), "\(reloaded)")
    }
}
