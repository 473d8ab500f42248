import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// Captures what a command prints.
final class CapturedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var outText = ""
    private var errText = ""
    var out: String { lock.withLock { outText } }
    var err: String { lock.withLock { errText } }
    var output: CommandOutput {
        CommandOutput(out: { text in self.lock.withLock { self.outText += text } },
                      err: { text in self.lock.withLock { self.errText += text } })
    }
}

@Suite("Command line")
struct CommandLineTests {
    private func run(_ arguments: [String]) -> (Int32, CapturedOutput) {
        let captured = CapturedOutput()
        return (SwitchboardCLI.main(arguments, output: captured.output), captured)
    }

    @Test func versionAndHelp() {
        let (status, output) = run(["version"])
        #expect(status == 0)
        #expect(output.out == "switchboard 0.1.0\n")
        let (helpStatus, help) = run(["help"])
        #expect(helpStatus == 0)
        #expect(help.out.contains("serve"))
        #expect(help.out.contains("version"))
        #expect(run([]).0 == 0)
    }

    @Test func everyCommandHasHelp() {
        for command in SwitchboardCLI.commands {
            let (status, output) = run([command.name, "--help"])
            #expect(status == 0, "\(command.name) --help")
            #expect(output.out.hasPrefix("Usage: switchboard \(command.name)"))
            #expect(run(["help", command.name]).1.out == output.out)
        }
    }

    @Test func usageErrorsAreOneLineWithStatus2() {
        let cases: [([String], String)] = [
            (["bogus"], "switchboard: unknown command 'bogus'"),
            (["serve", "--bogus"], "switchboard serve: unknown option --bogus"),
            (["serve", "--port"], "switchboard serve: option --port needs a value"),
            (["serve", "--port", "eighty"], "switchboard serve: --port must be an integer between 0 and 65535, got 'eighty'"),
            (["serve", "--port=1", "--port=2"], "switchboard serve: option --port is given more than once"),
            (["serve", "stray"], "switchboard serve: unexpected argument 'stray'"),
            (["version", "--help=yes"], "switchboard version: option --help takes no value"),
        ]
        for (arguments, prefix) in cases {
            let (status, output) = run(arguments)
            #expect(status == 2, "\(arguments)")
            #expect(output.err.hasPrefix(prefix), "\(arguments): \(output.err)")
            #expect(output.err.filter { $0 == "\n" }.count == 1, "\(arguments) prints one line")
        }
    }

    @Test func configErrorsAreOneLineWithStatus2() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("bad.json")
        try #"{"listen": {"port": 8080, "hots": "x"}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let (status, output) = run(["serve", "--config", path])
        #expect(status == 2)
        #expect(output.err == "switchboard: config error: \(path): listen.hots: unknown key\n")
        // --mappings overrides the file's (or the default) mappings, for serve and config check alike.
        let valid = directory.file("valid.json")
        try #"{"store": {"path": "gw.sqlite"}}"#.write(toFile: valid, atomically: true, encoding: .utf8)
        #expect(run(["config", "check", "--config", valid]).0 == 0)
        for command in ["serve", "config check"] {
            let (status, output) = run(command.split(separator: " ").map(String.init) + ["--config", valid, "--mappings", "/nonexistent"])
            #expect(status == 2)
            #expect(output.err == "switchboard: config error: \(valid): mappings: folder /nonexistent does not exist\n")
        }
        let (missing, missingOutput) = run(["serve", "--config", directory.file("none.json")])
        #expect(missing == 2)
        #expect(missingOutput.err.contains("cannot read the file"))
    }
}
