import Foundation
import SwitchboardTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real binary at start-up: configuration errors are one line and exit 2, a store or port in use is
/// refused, relative paths and the mappings are found from any working directory, `config check`, and
/// `make install`. Processes are run and waited for off the cooperative pool (`blocking`), and the
/// results asserted after.
@Suite("switchboard start-up checks as a process")
struct ServeStartupTests {
    struct Finished: Sendable {
        var status: Int32
        var out: String
        var err: String
    }

    /// Runs the binary (or `executable`) to its end in `directory`.
    static func run(_ arguments: [String], executable: String = ServeProcessTests.binary,
                    directory: String = FileManager.default.currentDirectoryPath,
                    environment: [String: String]? = nil, input: String? = nil) throws -> Finished {
        let process = try ChildProcess(executable: executable, arguments: arguments, directory: directory,
                                       environment: environment, input: input)
        process.waitUntilExit()
        return Finished(status: process.terminationStatus, out: process.output, err: process.errorOutput)
    }

    private func write(_ json: String, to path: String) throws {
        try json.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func aSecondServeOnTheSameStoreIsRefusedNamingThePID() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = directory.file("c.json")
        try write(#"{"listen": {"host": "127.0.0.1", "port": 0}, "store": {"path": "gw.sqlite"}}"#, to: config)
        let (firstPID, firstPort, second, health, thirdPort) = try await blocking {
            let first = try ServeProcessTests.RunningServe(config: config)
            defer { if first.process.isRunning { first.process.terminate() } }
            let second = try Self.run(["serve", "--config", config, "--port", "0"])
            // The first keeps serving; once it is gone the store is free again.
            let health = first.port > 0 ? try RawHTTPConnection(port: first.port).request("GET", "/healthz").status : 0
            first.process.terminate()
            first.waitForExit()
            let third = try ServeProcessTests.RunningServe(config: config)
            third.process.terminate()
            third.waitForExit()
            return (first.process.processIdentifier, first.port, second, health, third.port)
        }
        let store = (directory.file("gw.sqlite") as NSString).standardizingPath
        #expect(firstPort > 0)
        #expect(second.status == 2)
        #expect(second.err == "switchboard: config error: \(config): store.path: store \(store) is in use by pid \(firstPID)\n")
        #expect(health == 200)
        #expect(thirdPort > 0)
    }

    @Test func aPortInUseIsOneLineNamingThePortAndItsProcess() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // This test process listens on a free port.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let config = directory.file("c.json")
        try write(#"{"listen": {"host": "127.0.0.1", "port": \#(port)}, "store": {"path": "gw.sqlite"}}"#, to: config)
        let result = try await blocking { try Self.run(["serve", "--config", config]) }
        #expect(result.status == 2)
        #expect(result.err.hasPrefix("switchboard: config error: \(config): listen.port: port \(port) on 127.0.0.1 is in use by pid \(getpid()) ("),
                "\(result.err)")
        #expect(result.err.filter { $0 == "\n" }.count == 1)
    }

    @Test func errorsFoundAtStartAreTheOnlyLineOnStderr() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = directory.file("c.json")
        let cases: [(String, String)] = [
            (#"{"store": {"path": "gw.sqlite"}, "sources": [{"name": "x", "format": "telepathy", "auth": {"scheme": "inkbox", "secret": "k"}}]}"#,
             #"sources[0].format: unknown format "telepathy" (known: "# + shippedFormatNames().joined(separator: ", ") + ")"),
            (#"{"store": {"path": "gw.sqlite"}, "mappings": "nowhere"}"#,
             "mappings: folder \((directory.path as NSString).standardizingPath)/nowhere does not exist"),
            (#"{"listen": {"host": "not a host.invalid"}, "store": {"path": "gw.sqlite"}}"#, #"listen.host: cannot listen on "not a host.invalid": "#),
        ]
        for (json, message) in cases {
            try write(json, to: config)
            for command in [["serve", "--config", config], ["config", "check", "--config", config]] {
                let result = try await blocking { try Self.run(command) }
                #expect(result.status == 2, "\(command)")
                #expect(result.err.hasPrefix("switchboard: config error: \(config): \(message)"), "\(command): \(result.err)")
                #expect(result.err.filter { $0 == "\n" }.count == 1, "\(command): \(result.err)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: directory.file("gw.sqlite")), "nothing started")
    }

    /// An unwritable store folder: run as an unprivileged user (root writes anywhere), on a folder it cannot write.
    @Test func anUnwritableStoreFolderIsOneLine() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let folder = (directory.file("ro") as NSString).standardizingPath
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder)
        let config = directory.file("c.json")
        try write(#"{"store": {"path": "ro/gw.sqlite"}}"#, to: config)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: config)
        let asNobody = getuid() == 0 ? ["--reuid=65534", "--regid=65534", "--clear-groups", ServeProcessTests.binary] : []
        let results = try await blocking {
            try [["serve", "--config", config], ["config", "check", "--config", config]].map { command in
                try Self.run(asNobody + command, executable: asNobody.isEmpty ? ServeProcessTests.binary : "/usr/bin/setpriv")
            }
        }
        for result in results {
            #expect(result.status == 2)
            #expect(result.err == "switchboard: config error: \(config): store.path: folder \(folder) is not writable\n")
        }
    }

    @Test func relativePathsAndMappingsWorkFromAnyWorkingDirectory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.file("etc"), withIntermediateDirectories: true)
        let config = directory.file("etc/c.json")
        try write(#"""
        {"listen": {"host": "127.0.0.1", "port": 0}, "store": {"path": "../data/gw.sqlite"},
         "sources": [{"name": "salpre", "format": "salpre", "auth": {"scheme": "header-token", "header": "X-T", "value": "t"}}]}
        """#, to: config)
        let event = #"{"event_type":"call_ringing","timestamp_utc":1760084555,"payload":{"call_id":1},"is_test":false}"#
        let (check, port, ingest, translated) = try await blocking {
            let check = try Self.run(["config", "check", "--config", config], directory: "/")
            let serve = try ServeProcessTests.RunningServe(config: config, directory: "/")
            defer { serve.process.terminate(); serve.waitForExit() }
            let ingest = serve.port > 0 ? try RawHTTPConnection(port: serve.port).request(
                "POST", "/v1/ingest/salpre", headers: [("X-T", "t"), ("Content-Type", "application/json")], body: Array(event.utf8)).status : 0
            let translated = try Self.run(["translate", "--from", "salpre", "--to", "callingbox"], directory: "/", input: event)
            return (check, serve.port, ingest, translated)
        }
        #expect(check.status == 0, "\(check.err)")
        #expect(check.out.hasPrefix("ok: \(config)"))
        #expect(port > 0)
        #expect(ingest == 202)
        #expect(FileManager.default.fileExists(atPath: directory.file("data/gw.sqlite")))
        #expect(FileManager.default.fileExists(atPath: directory.file("data/gw.sqlite.lock")))
        #expect(translated.status == 0, "\(translated.err)")
        #expect(translated.out.contains(#""type":"call.ringing""#))
    }

    @Test func makeInstallPutsTheBinaryMappingsAndAnExampleConfigUnderThePrefix() async throws {
        let prefix = try TemporaryDirectory()
        defer { prefix.remove() }
        let installed = prefix.file("bin/switchboard")
        let share = (prefix.file("share/switchboard") as NSString).standardizingPath
        let environment = ["SWITCHBOARD_API_KEY": "sk_x", "SALPRE_TOKEN": "t",
                           "SWITCHBOARD_ORG_SECRET": "whsec_c3dpdGNoYm9hcmQtZGV2LW9ubHktbm90LWEtc2VjcmV0"]
        let results = try await blocking {
            [try Self.run(["install", "PREFIX=\(prefix.path)", "INSTALL_BINARY=\(ServeProcessTests.binary)"], executable: "/usr/bin/make"),
             // The installed binary finds its own mappings (not the source tree's), from any directory.
             try Self.run(["check", "--help"], executable: installed, directory: "/"),
             try Self.run(["check"], executable: installed, directory: "/"),
             try Self.run(["--version"], executable: installed, directory: "/"),
             try Self.run(["config", "check", "--config", share + "/switchboard.example.json"], executable: installed,
                          directory: "/", environment: environment)]
        }
        let (make, help, check, version, example) = (results[0], results[1], results[2], results[3], results[4])
        #expect(make.status == 0, "\(make.err)")
        #expect(help.out.contains("(default: \(share)/mappings)"), "\(help.out)")
        #expect(check.status == 0, "\(check.out)\(check.err)")
        #expect(check.out.contains(" 0 failed"))
        #expect(version.out.hasPrefix("switchboard "))
        #expect(example.status == 0, "\(example.err)")
    }
}
