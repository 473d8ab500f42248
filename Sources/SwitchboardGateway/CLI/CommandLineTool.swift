import Foundation
import SwitchboardCore

/// Where a command writes. Separate from the process's streams so commands are testable.
public struct CommandOutput: Sendable {
    public var out: @Sendable (String) -> Void
    public var err: @Sendable (String) -> Void

    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void) {
        self.out = out
        self.err = err
    }

    /// The process's standard output and standard error.
    public static let standard = CommandOutput(
        out: { FileHandle.standardOutput.write(Data($0.utf8)) },
        err: { FileHandle.standardError.write(Data($0.utf8)) })
}

/// One subcommand of `switchboard`.
protocol SwitchboardCommand: Sendable {
    static var name: String { get }
    static var summary: String { get }
    static var usage: String { get }
    static var options: OptionSpec { get }
    /// Runs with parsed options; returns the exit status. Throws `UsageError`/`ConfigError` for status 2.
    static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32
    /// A word that must follow the command's name (`switchboard config check`), or nil.
    static var subcommand: String? { get }
}

extension SwitchboardCommand {
    static var subcommand: String? { nil }
}

/// The `switchboard` command line: dispatches to subcommands, prints help, maps errors to exit statuses
/// (0 success, 1 the command's own failure, 2 usage or configuration errors).
public enum SwitchboardCLI {
    static let commands: [any SwitchboardCommand.Type] = [
        ServeCommand.self, ConfigCommand.self, TranslateCommand.self, CheckCommand.self, SignCommand.self, VerifyCommand.self,
        VersionCommand.self, HelpCommand.self,
    ]

    public static func main(_ arguments: [String], output: CommandOutput = .standard) -> Int32 {
        guard let name = arguments.first else {
            output.out(overview)
            return 0
        }
        if name == "--help" || name == "-h" {
            output.out(overview)
            return 0
        }
        if name == "--version" { return run(VersionCommand.self, [], output: output) }
        if name == "help", arguments.count == 2, let command = commands.first(where: { $0.name == arguments[1] }) {
            output.out(command.usage)
            return 0
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            output.err("switchboard: unknown command '\(name)'; run 'switchboard help' for the list\n")
            return 2
        }
        return run(command, Array(arguments.dropFirst()), output: output)
    }

    private static func run(_ command: any SwitchboardCommand.Type, _ arguments: [String],
                            output: CommandOutput) -> Int32 {
        do {
            var arguments = arguments
            if let subcommand = command.subcommand, arguments.first != "--help" {
                guard arguments.first == subcommand else {
                    throw UsageError("expected '\(command.name) \(subcommand)'\(arguments.first.map { ", got '\($0)'" } ?? "")")
                }
                arguments.removeFirst()
            }
            let parsed = try ParsedArguments(arguments, spec: command.options)
            if parsed.has("help") {
                output.out(command.usage)
                return 0
            }
            return try command.run(parsed, output: output)
        } catch let error as UsageError {
            output.err("switchboard \(command.name): \(error.description); run 'switchboard \(command.name) --help'\n")
            return 2
        } catch let error as ConfigError {
            output.err(error.line + "\n")
            return 2
        } catch {
            output.err("switchboard \(command.name): \(error)\n")
            return 1
        }
    }

    static var overview: String {
        var text = """
        switchboard \(SwitchboardVersion.current): a telephony event gateway.

        Usage: switchboard <command> [options]

        Commands:

        """
        for command in commands {
            text += "  " + command.name.padding(toLength: 10, withPad: " ", startingAt: 0) + command.summary + "\n"
        }
        text += "\nRun 'switchboard <command> --help' for a command's options.\n"
        return text
    }
}

struct VersionCommand: SwitchboardCommand {
    static let name = "version"
    static let summary = "Print the version."
    static let usage = "Usage: switchboard version\n\nPrints the version of switchboard.\n"
    static let options = OptionSpec()

    static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        output.out("switchboard \(SwitchboardVersion.current)\n")
        return 0
    }
}

struct HelpCommand: SwitchboardCommand {
    static let name = "help"
    static let summary = "Show this overview, or a command's help: switchboard help <command>."
    static let usage = "Usage: switchboard help [<command>]\n"
    static let options = OptionSpec()

    static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        output.out(SwitchboardCLI.overview)
        return 0
    }
}
