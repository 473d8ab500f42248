import Foundation
import SwitchboardCore

/// `switchboard check`: validates the mapping files and runs their golden cases.
struct CheckCommand: SwitchboardCommand {
    static let name = "check"
    static let summary = "Validate the mapping files and run their golden cases."
    static let usage = """
    Usage: switchboard check [--mappings DIR]

    Compiles every mapping file in DIR (default: \(MappingLoader.defaultDirectory)) and runs the golden cases
    in DIR/tests: each case translates its input and compares every output body with the pinned one.

    Exit status: 0 when every file compiles and every case passes, 1 otherwise.

    """
    static let options = OptionSpec(valued: ["mappings"])

    static func run(_ arguments: ParsedArguments, output: CommandOutput) throws -> Int32 {
        let directory = arguments.value("mappings") ?? MappingLoader.defaultDirectory
        let mappings: [FormatMapping]
        do {
            mappings = try MappingLoader.load(directory: directory)
        } catch {
            output.err("check: \(error)\n")
            return 1
        }
        output.out("mappings: \(mappings.map(\.format).joined(separator: ", ")) compile\n")
        let results = GoldenCases.run(directory: (directory as NSString).appendingPathComponent("tests"), mappings: mappings)
        for result in results {
            if let failure = result.failure {
                output.out("FAIL \(result.name): \(failure)\n")
            } else {
                output.out("ok   \(result.name)\n")
            }
        }
        let failed = results.filter { $0.failure != nil }.count
        output.out("\(results.count - failed) passed, \(failed) failed\n")
        return failed == 0 ? 0 : 1
    }
}

/// Golden cases: files in `mappings/tests/` that pin input → output.
///
/// A case is `{"description", "from", "via"?, "to", "source"?, "input": [bodies], "expected": [bodies]}`; the
/// inputs are translated in order with one set of call sessions (through each format of `via` in turn,
/// a hop's outputs being the next hop's inputs), and every output body must equal the
/// expected one exactly (members in the same order, same values), so a case also pins determinism.
/// An input that is a JSON string is the raw body text: a form-encoded format's bodies are written so.
public enum GoldenCases {
    public struct Result: Sendable {
        public let name: String
        public let failure: String?
    }

    public static func run(directory: String, mappings: [FormatMapping]) -> [Result] {
        (MappingLoader.jsonFiles(in: directory) ?? []).map { path in
            Result(name: (path as NSString).lastPathComponent, failure: check(path, mappings: mappings))
        }
    }

    /// Nil when the case passes, else what differs.
    static func check(_ path: String, mappings: [FormatMapping]) -> String? {
        guard let data = FileBytes.read(atPath: path) else { return "cannot read the file" }
        let document: JSONValue
        do { document = try JSONReader.parse(data) } catch { return error.description }
        guard let from = document["from"]?.stringValue, let to = document["to"]?.stringValue,
              case .array(let inputs)? = document["input"], case .array(let expected)? = document["expected"] else {
            return "a case needs from, to, input (array) and expected (array)"
        }
        // `via`: formats in between, each hop translating the previous hop's outputs (as `translate`
        // piped into `translate` would, each hop's source named after its input format).
        var via: [String] = []
        if let hops = document["via"] {
            guard case .array(let names) = hops, names.allSatisfy({ $0.stringValue != nil }) else { return "via must be an array of format names" }
            via = names.compactMap(\.stringValue)
        }
        let formats = [from] + via + [to]
        var produced = inputs
        for hop in 0..<(formats.count - 1) {
            let source = hop == 0 ? document["source"]?.stringValue ?? from : formats[hop]
            switch translate(produced, from: formats[hop], to: formats[hop + 1], source: source, mappings: mappings) {
            case .success(let outputs): produced = outputs
            case .failure(let failure): return hop == 0 ? failure.text : "\(formats[hop]) → \(formats[hop + 1]): \(failure.text)"
            }
        }
        guard produced.count == expected.count else {
            return "expected \(expected.count) output(s), got \(produced.count): \(produced.map { JSONWriter.string($0) })"
        }
        for (index, (got, want)) in zip(produced, expected).enumerated() where got != want {
            return "output #\(index + 1) differs:\n  expected \(JSONWriter.string(want))\n  got      \(JSONWriter.string(got))"
        }
        return nil
    }

    private struct Failure: Error { let text: String }

    /// One hop: every input translated in order with one set of call sessions.
    private static func translate(_ inputs: [JSONValue], from: String, to: String, source: String,
                                  mappings: [FormatMapping]) -> Swift.Result<[JSONValue], Failure> {
        var translator = Translator(mappings: mappings)
        var produced: [JSONValue] = []
        for (index, input) in inputs.enumerated() {
            do {
                guard case .event(var event) = try translator.decode(BodyEncoding.caseBody(input), format: from, source: source,
                                                                     receivedAt: 0) else { continue }
                translator.correlate(&event)
                for case .output(let output) in try translator.encode(event, as: to, destination: to) {
                    produced.append(try JSONReader.parse(output.body))
                }
            } catch {
                return .failure(Failure(text: "input #\(index + 1): \(error)"))
            }
        }
        return .success(produced)
    }
}
