import Foundation
import SwitchboardCore

/// `switchboard translate`: offline translation of webhook bodies between formats.
struct TranslateCommand: SwitchboardCommand {
    static let name = "translate"
    static let summary = "Translate webhook bodies from one format to another (offline)."
    static let usage = """
    Usage: switchboard translate --from FORMAT --to FORMAT [--in FILE] [--out FILE] [options]

    Reads one JSON document, or JSON Lines (one webhook body per line), in format --from and writes
    JSON Lines of the bodies format --to would send. A format whose bodies are form-encoded (its
    mapping file says "body": "form", e.g. twilio) reads one urlencoded body per line. Call sessions live across the input, so a
    call's later events know its earlier ones (numbers, times, transcript).

    Options:
      --from FORMAT      input format (a mapping file's name: salpre, inkbox, callingbox, oneinbox, ...)
      --to FORMAT        output format
      --in FILE          input (default: standard input)
      --out FILE         output (default: standard output)
      --source NAME      source name used to derive call and event ids (default: the --from format)
      --mappings DIR     mapping files (default: \(MappingLoader.defaultDirectory))
      --unknown MODE     unknown event types: skip (default; reported) or error
      --verbose          report every skipped or ignored line, not only the summary
      --help             show this help

    A line that fails is reported on stderr with its line number and the reason; the rest is still
    translated. Exit status: 0 if every line translated (skipped kinds included), 1 if any failed,
    2 on usage or mapping errors.

    """
    static let options = OptionSpec(valued: ["from", "to", "in", "out", "source", "mappings", "unknown"],
                                    flags: ["help", "verbose"])

    static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        guard let from = arguments.value("from") else { throw UsageError("--from is required") }
        guard let to = arguments.value("to") else { throw UsageError("--to is required") }
        let unknown = arguments.value("unknown") ?? "skip"
        guard unknown == "skip" || unknown == "error" else { throw UsageError("--unknown must be skip or error, got '\(unknown)'") }
        let mappings = try MappingLoader.load(directory: arguments.value("mappings") ?? MappingLoader.defaultDirectory)
        var translator = Translator(mappings: mappings, unknownEventsAreErrors: unknown == "error")
        for format in [from, to] where translator.mappings[format] == nil {
            throw UsageError("unknown format '\(format)' (known: \(translator.mappings.keys.sorted().joined(separator: ", ")))")
        }
        let input = try readInput(arguments.value("in"))
        let sink = try OutputSink(path: arguments.value("out"), output: output)
        var report = TranslationReport(verbose: arguments.has("verbose"), output: output)
        let source = arguments.value("source") ?? from
        let receivedAt = Date().timeIntervalSince1970

        let eachLine = translator.mappings[from]?.bodyEncoding == .form
        for (number, range) in TranslateCommand.documents(in: input, eachLine: eachLine) {
            do {
                switch try translator.decode(input[range], format: from, source: source, receivedAt: receivedAt) {
                case .ignored(let type, let reason):
                    report.note(line: number, "ignored \(type): \(reason)")
                case .unknown(let type):
                    report.note(line: number, "skipped: unknown event type '\(type)'")
                case .event(var event):
                    translator.correlate(&event)
                    var produced = false
                    for result in try translator.encode(event, as: to, destination: to) {
                        switch result {
                        case .output(let output):
                            sink.write(output.body)
                            produced = true
                        case .skipped(let reason):
                            report.note(line: number, "skipped: \(reason)")
                        }
                    }
                    if produced { report.translated += 1 }
                }
            } catch {
                report.fail(line: number, error.description)
            }
        }
        try sink.finish()
        report.summarise(lines: report.lines)
        return report.failed == 0 ? 0 : 1
    }

    private static func readInput(_ path: String?) throws -> [UInt8] {
        guard let path else { return [UInt8](FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileBytes.read(atPath: path) else { throw UsageError("cannot read --in file '\(path)'") }
        return data
    }

    /// The bodies of the input (as ranges of it) with their line numbers: the whole input when it is one
    /// JSON document (even spread over lines), else each non-blank line. With `eachLine` (form-encoded
    /// bodies) always each non-blank line, without a line's trailing CR.
    static func documents(in input: [UInt8], eachLine: Bool = false) -> [(Int, Range<Int>)] {
        var lines: [(Int, Range<Int>)] = []
        var start = 0
        var number = 1
        input.withUnsafeBufferPointer { bytes in
            while start <= bytes.count {
                var end = start
                var blank = true
                while end < bytes.count, bytes[end] != 0x0A {
                    let byte = bytes[end]
                    if blank && !(byte == 0x20 || byte == 0x09 || byte == 0x0D) { blank = false }
                    end += 1
                }
                if !blank {
                    let stop = eachLine && end > start && bytes[end - 1] == 0x0D ? end - 1 : end
                    lines.append((number, start..<stop))
                }
                number += 1
                start = end + 1
            }
        }
        if !eachLine, lines.count > 1, (try? JSONReader.parse(input)) != nil { return [(1, input.indices)] }
        return lines
    }
}

/// Counts and reports what `translate` did: failures always, skips with --verbose, a summary at the end.
struct TranslationReport {
    let verbose: Bool
    let output: CommandOutput
    var lines = 0
    var translated = 0
    var notes = 0
    var failed = 0

    init(verbose: Bool, output: CommandOutput) {
        self.verbose = verbose
        self.output = output
    }

    mutating func note(line: Int, _ text: String) {
        lines = max(lines, line)
        notes += 1
        if verbose { output.err("line \(line): \(text)\n") }
    }

    mutating func fail(line: Int, _ reason: String) {
        lines = max(lines, line)
        failed += 1
        output.err("line \(line): \(reason)\n")
    }

    func summarise(lines: Int) {
        output.err("translate: \(translated) event(s) produced output, \(notes) skipped or ignored\(verbose || notes == 0 ? "" : " (--verbose lists them)"), \(failed) failed\n")
    }
}

/// Buffers output bytes and writes them to a file or standard output in large chunks.
final class OutputSink {
    private let handle: FileHandle?
    private let output: CommandOutput
    private var buffer: [UInt8] = []

    init(path: String?, output: CommandOutput) throws {
        self.output = output
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let handle = FileHandle(forWritingAtPath: path) else {
                throw UsageError("cannot write --out file '\(path)'")
            }
            self.handle = handle
        } else {
            handle = nil
        }
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ line: [UInt8]) {
        buffer.append(contentsOf: line)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { flush() }
    }

    func finish() throws {
        flush()
        try handle?.close()
    }

    private func flush() {
        guard !buffer.isEmpty else { return }
        if let handle { handle.write(Data(buffer)) } else { output.out(String(decoding: buffer, as: UTF8.self)) }
        buffer.removeAll(keepingCapacity: true)
    }
}
