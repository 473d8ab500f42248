import Foundation
import SwitchboardTestSupport
import Testing

/// Runs the real `switchboard` binary as users do.
@Suite("switchboard serve as a process")
struct ServeProcessTests {
    /// The `switchboard` executable built next to the test bundle.
    static var binary: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("switchboard").path
    }

    /// A started `switchboard serve` and the port it reported in its "listening" log line.
    final class RunningServe: @unchecked Sendable {
        let process: ChildProcess
        private(set) var port = 0

        /// Runs `serve --config config --port 0` in `directory` (default: the working directory).
        init(config: String, directory: String = FileManager.default.currentDirectoryPath) throws {
            process = try ChildProcess(executable: ServeProcessTests.binary,
                                       arguments: ["serve", "--config", config, "--port", "0"], directory: directory)
            _ = eventually { [self] in
                guard let line = log.split(separator: "\n").first(where: { $0.contains("\"msg\":\"listening\"") }),
                      let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                      let port = object["port"] as? Int else { return false }
                self.port = port
                return true
            }
        }

        /// Its standard error so far: the JSON log.
        var log: String { process.errorOutput }

        /// Waits for the process to exit.
        func waitForExit() { process.waitUntilExit() }
    }

    private func writeConfig(_ directory: TemporaryDirectory) throws -> String {
        let path = directory.file("switchboard.json")
        let json = #"{"listen": {"host": "127.0.0.1", "port": 8080}, "store": {"path": "\#(directory.file("gw.sqlite"))"}}"#
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func servesHealthzLogsJSONAndStopsCleanlyOnSIGTERMUnderLoad() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let serve = try RunningServe(config: try writeConfig(directory))
        defer { if serve.process.isRunning { serve.process.terminate() } }
        let port = serve.port
        #expect(port > 0, "no listening line in: \(serve.log)")
        let statuses = LockedArray<Int>()
        let body = try await blocking { () -> String in
            let health = try RawHTTPConnection(port: port).request("GET", "/healthz")
            let load = Thread {
                concurrently(6) { _ in
                    guard let connection = try? RawHTTPConnection(port: port, timeoutSeconds: 5) else { return }
                    while let response = try? connection.request("GET", "/healthz") {
                        statuses.append(response.status)
                    }
                }
            }
            load.start()
            _ = eventually { statuses.values.count > 200 }
            kill(serve.process.processIdentifier, SIGTERM)
            serve.waitForExit()
            return health.text
        }
        #expect(body == #"{"status":"ok"}"#)
        #expect(serve.process.terminationReason == .exit)
        #expect(serve.process.terminationStatus == 0)
        #expect(statuses.values.count > 200)
        #expect(statuses.values.allSatisfy { $0 == 200 })
        let log = serve.log
        let lines = log.split(separator: "\n")
        #expect(lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil }, "non-JSON log line")
        #expect(log.contains(#""msg":"request","method":"GET","path":"/healthz","status":200"#))
        #expect(log.contains(#""msg":"shutting down","signal":15"#))
        #expect(lines.last?.contains(#""msg":"stopped""#) == true)
    }

    @Test func badConfigExitsWithStatus2AndOneLine() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = directory.file("bad.json")
        try #"{"listen": {"port": "x"}}"#.write(toFile: config, atomically: true, encoding: .utf8)
        let process = try ChildProcess(executable: Self.binary, arguments: ["serve", "--config", config])
        process.waitUntilExit()
        let text = process.errorOutput
        #expect(process.terminationStatus == 2)
        #expect(text == "switchboard: config error: \(config): listen.port: must be an integer\n")
    }
}
