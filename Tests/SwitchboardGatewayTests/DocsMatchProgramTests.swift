import Foundation
import SwitchboardTestSupport
import Testing
@testable import SwitchboardGateway

/// README.md against the program: every configuration key the parser reads is documented, and the
/// command-line block lists exactly the options each command accepts.
@Suite("README matches the program")
struct DocsMatchProgramTests {
    static let readme = (try? String(contentsOfFile: "README.md", encoding: .utf8)) ?? ""

    /// The keys the configuration parser reads: every literal key passed to a `ConfigReader` accessor
    /// (`reader.int("port", ...)`, `auth.secret("secret_previous", ...)`) in the Config sources.
    static func parsedKeys() throws -> Set<String> {
        let folder = "Sources/SwitchboardGateway/Config"
        let pattern = try NSRegularExpression(
            pattern: #"\.(?:string|int|double|bool|object|strings|ints|objects|secret|secrets|timestamp|path)\("([a-z_]+)""#
                + #"|parseNumber\(&\w+, "([a-z_]+)""#)
        var keys: Set<String> = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasSuffix(".swift") {
            let text = try String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                for group in 1...2 {
                    if let range = Range(match.range(at: group), in: text) { keys.insert(String(text[range])) }
                }
            }
        }
        return keys
    }

    @Test func everyConfigurationKeyIsDocumented() throws {
        let keys = try Self.parsedKeys()
        // The extraction itself works: keys of each level are found.
        #expect(keys.isSuperset(of: ["listen", "port", "max_concurrency_per_endpoint", "secret_previous_expires_at", "caller"]))
        let undocumented = keys.filter { !Self.readme.contains("`\($0)`") && !Self.readme.contains("\"\($0)\"") }
        #expect(undocumented.isEmpty, "README.md does not mention: \(undocumented.sorted())")
    }

    /// The README's command-line block: for each `switchboard <command>` line, the options it shows.
    static func documentedOptions() throws -> [String: Set<String>] {
        guard let start = readme.range(of: "## Command line\n\n```\n"),
              let end = readme.range(of: "```", range: start.upperBound..<readme.endIndex) else {
            throw MissingBlock()
        }
        let option = try NSRegularExpression(pattern: #"--([a-z][a-z-]*)"#)
        var options: [String: Set<String>] = [:]
        for line in readme[start.upperBound..<end.lowerBound].split(separator: "\n") where line.hasPrefix("switchboard ") {
            let command = String(line.split(separator: " ")[1])
            let text = String(line)
            let names = option.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
                Range($0.range(at: 1), in: text).map { String(text[$0]) }
            }
            options[command, default: []].formUnion(names.filter { $0 != "help" && $0 != "version" })
        }
        return options
    }

    struct MissingBlock: Error {}

    @Test func theCommandLineBlockListsEachCommandsOptions() throws {
        let documented = try Self.documentedOptions()
        var mismatches: [String] = []
        for command in SwitchboardCLI.commands {
            let name = command.name
            let accepted = command.options.valued.union(command.options.flags).subtracting(["help"])
            let shown = documented[name] ?? []
            if shown != accepted || documented[name] == nil {
                mismatches.append("switchboard \(name): README \(shown.sorted()), CLI \(accepted.sorted())")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
        let names = Set(SwitchboardCLI.commands.map { $0.name })
        #expect(Set(documented.keys) == names)
    }

    /// The configuration error the README quotes is what `config check` and `serve` print for that mistake.
    @Test func theQuotedConfigErrorIsWhatTheProgramPrints() async throws {
        let quoted = Self.readme.split(separator: "\n").filter { $0.hasPrefix("switchboard: config error: Config/switchboard.json: ") }
        #expect(quoted.count == 1)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(atPath: directory.file("Config"), withIntermediateDirectories: true)
        try #"{"store": {"path": "gw.sqlite"}, "sources": [{"name": "s", "format": "telepathy", "auth": {"scheme": "inkbox", "secret": "k"}}]}"#
            .write(toFile: directory.file("Config/switchboard.json"), atomically: true, encoding: .utf8)
        for command in [["config", "check"], ["serve"]] {
            let result = try await blocking { try ServeStartupTests.run(command, directory: directory.path) }
            #expect(result.status == 2)
            #expect(result.err == (quoted.first.map { "\($0)\n" } ?? "-"), "\(command)")
        }
    }
}
