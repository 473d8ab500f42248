import Foundation
import SwitchboardTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real binary at start-up: configuration errors are one line and exit 2, a store or port in use is
/// refused, relative paths and the mappings are found from any working directory, `config check`, and
/// `make install`.
@Suite("switchboard start-up checks as a process")
struct ServeStartupTests {
    struct Finished {
        var status: Int32
        var out: String
        var err: String
    }

    /// Runs the binary (or `executable`) to its end in `directory`.
    static func run(_ arguments: [String], executable: String = ServeProcessTests.binary,
                    directory: String = FileManager.default.currentDirectoryPath,
                    environment: [String: String]? = nil, input: String? = nil) throws -> Finished {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe(), stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        // Read both pipes to their end before waiting, so a full pipe never blocks the child.
        let errData = LockedArray<Data>()
        let reader = Thread { errData.append(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        _ = eventually { !errData.values.isEmpty }
        return Finished(status: process.terminationStatus, out: String(decoding: outData, as: UTF8.self),
                        err: String(decoding: errData.values.first ?? Data(), as: UTF8.self))
    }

    private func write(_ json: String, to path: String) throws {
        try json.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func aSecondServeOnTheSameStoreIsRefusedNamingThePID() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = directory.file("c.json")
        try write(#"{"listen": {"host": "127.0.0.1", "port": 0}, "store": {"path": "gw.sqlite"}}"#, to: config)
        let first = try ServeProcessTests.RunningServe(config: config)
        defer { if first.process.isRunning { first.process.terminate() } }
        #expect(first.port > 0, "no listening line in: \(first.log)")
        let second = try Self.run(["serve", "--config", config, "--port", "0"])
        let store = (directory.file("gw.sqlite") as NSString).standardizingPath
        #expect(second.status == 2)
        #expect(second.err == "switchboard: config error: \(config): store.path: store \(store) is in use by pid \(first.process.processIdentifier)\n")
        // The first keeps serving; once it is gone the store is free again.
        #expect(try RawHTTPConnection(port: first.port).request("GET", "/healthz").status == 200)
        first.process.terminate()
        first.waitForExit()
        let third = try ServeProcessTests.RunningServe(config: config)
        defer { if third.process.isRunning { third.process.terminate() } }
        #expect(third.port > 0, "no listening line in: \(third.log)")
    }

    @Test func aPortInUseIsOneLineNamingThePortAndItsProcess() throws {
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
        let result = try Self.run(["serve", "--config", config])
        #expect(result.status == 2)
        #expect(result.err.hasPrefix("switchboard: config error: \(config): listen.port: port \(port) on 127.0.0.1 is in use by pid \(getpid()) ("),
                "\(result.err)")
        #expect(result.err.filter { $0 == "\n" }.count == 1)
    }

    @Test func errorsFoundAtStartAreTheOnlyLineOnStderr() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = directory.file("c.json")
        let cases: [(String, String)] = [
            (#"{"store": {"path": "gw.sqlite"}, "sources": [{"name": "x", "format": "telepathy", "auth": {"scheme": "inkbox", "secret": "k"}}]}"#,
             #"sources[0].format: unknown format "telepathy" (known: callingbox, inkbox, oneinbox, salpre)"#),
            (#"{"store": {"path": "gw.sqlite"}, "mappings": "nowhere"}"#,
             "mappings: folder \((directory.path as NSString).standardizingPath)/nowhere does not exist"),
            (#"{"listen": {"host": "not a host.invalid"}, "store": {"path": "gw.sqlite"}}"#, #"listen.host: cannot listen on "not a host.invalid": "#),
        ]
        for (json, message) in cases {
            try write(json, to: config)
            for command in [["serve", "--config", config], ["config", "check", "--config", config]] {
                let result = try Self.run(command)
                #expect(result.status == 2, "\(command)")
                #expect(result.err.hasPrefix("switchboard: config error: \(config): \(message)"), "\(command): \(result.err)")
                #expect(result.err.filter { $0 == "\n" }.count == 1, "\(command): \(result.err)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: directory.file("gw.sqlite")), "nothing started")
    }

    @Test func relativePathsAndMappingsWorkFromAnyWorkingDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.file("etc"), withIntermediateDirectories: true)
        let config = directory.file("etc/c.json")
        try write(#"""
        {"listen": {"host": "127.0.0.1", "port": 0}, "store": {"path": "../data/gw.sqlite"},
         "sources": [{"name": "salpre", "format": "salpre", "auth": {"scheme": "header-token", "header": "X-T", "value": "t"}}]}
        """#, to: config)
        let check = try Self.run(["config", "check", "--config", config], directory: "/")
        #expect(check.status == 0, "\(check.err)")
        #expect(check.out.hasPrefix("ok: \(config)"))
        let serve = try ServeProcessTests.RunningServe(config: config, directory: "/")
        defer { if serve.process.isRunning { serve.process.terminate() } }
        #expect(serve.port > 0, "no listening line in: \(serve.log)")
        let response = try RawHTTPConnection(port: serve.port).request(
            "POST", "/v1/ingest/salpre", headers: [("X-T", "t"), ("Content-Type", "application/json")],
            body: Array(#"{"event_type":"call_ringing","timestamp_utc":1760084555,"payload":{"call_id":1},"is_test":false}"#.utf8))
        #expect(response.status == 202, "\(response.text)")
        #expect(FileManager.default.fileExists(atPath: directory.file("data/gw.sqlite")))
        #expect(FileManager.default.fileExists(atPath: directory.file("data/gw.sqlite.lock")))
        let translated = try Self.run(["translate", "--from", "salpre", "--to", "callingbox"], directory: "/",
                                      input: #"{"event_type":"call_ringing","timestamp_utc":1760084555,"payload":{"call_id":1},"is_test":false}"#)
        #expect(translated.status == 0, "\(translated.err)")
        #expect(translated.out.contains(#""type":"call.ringing""#))
    }

    @Test func makeInstallPutsTheBinaryMappingsAndAnExampleConfigUnderThePrefix() throws {
        let prefix = try TemporaryDirectory()
        defer { prefix.remove() }
        let make = try Self.run(["install", "PREFIX=\(prefix.path)", "INSTALL_BINARY=\(ServeProcessTests.binary)"],
                                executable: "/usr/bin/make")
        #expect(make.status == 0, "\(make.err)")
        let installed = prefix.file("bin/switchboard")
        let share = (prefix.file("share/switchboard") as NSString).standardizingPath
        // The installed binary finds its own mappings (not the source tree's), from any directory.
        let help = try Self.run(["check", "--help"], executable: installed, directory: "/")
        #expect(help.out.contains("(default: \(share)/mappings)"), "\(help.out)")
        let check = try Self.run(["check"], executable: installed, directory: "/")
        #expect(check.status == 0, "\(check.out)\(check.err)")
        #expect(check.out.contains(" 0 failed"))
        let version = try Self.run(["--version"], executable: installed, directory: "/")
        #expect(version.out.hasPrefix("switchboard "))
        let example = try Self.run(["config", "check", "--config", share + "/switchboard.example.json"], executable: installed,
                                   directory: "/", environment: ["SWITCHBOARD_API_KEY": "sk_x", "SALPRE_TOKEN": "t",
                                                                 "SWITCHBOARD_ORG_SECRET": "whsec_c3dpdGNoYm9hcmQtZGV2LW9ubHktbm90LWEtc2VjcmV0"])
        #expect(example.status == 0, "\(example.err)")
    }
}
