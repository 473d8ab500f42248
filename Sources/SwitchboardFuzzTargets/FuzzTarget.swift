import SwitchboardCore

/// The parsers that read untrusted bytes, each wrapped as a fuzz target: given any input, a target
/// must return (bad input is a thrown error, swallowed here) and never crash, hang or leak.
///
/// The same functions serve `make fuzz` (libFuzzer drives them) and the corpus replay test (every
/// seed and every crash ever found runs in `make test`), so a fixed crash stays fixed.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `JSONReader.parse`: the reader every body goes through.
    case json
    /// Each vendor format's decoder (the mapping files in `mappings/`), run on the same body.
    case decoders
    /// Signature header parsing and verification of every scheme. The input is header lines
    /// (`Name: value`); the body is fixed.
    case signatures
    /// The mapping language: the input is a mapping document, compiled and, if valid, used to decode.
    case mapping

    /// Runs one input through the target.
    public func run(_ input: [UInt8], context: FuzzContext) {
        switch self {
        case .json:
            _ = try? JSONReader.parse(input)
        case .decoders:
            for format in context.translator.mappings.keys.sorted() {
                _ = try? context.translator.decode(input, format: format, source: "fuzz", receivedAt: 1_700_000_000)
            }
        case .signatures:
            let headers = Self.headerFields(input)
            for scheme in context.schemes {
                _ = try? scheme.verify(body: FuzzContext.signedBody, headers: headers,
                                       secrets: FuzzContext.secrets, now: 1_700_000_000)
            }
        case .mapping:
            guard let document = try? JSONReader.parse(input),
                  let mapping = try? FormatMapping.compile(document, name: "fuzz") else { return }
            let translator = Translator(mappings: [mapping])
            for body in context.sampleBodies {
                _ = try? translator.decode(body, format: mapping.format, source: "fuzz", receivedAt: 1_700_000_000)
            }
        }
    }

    /// Splits the input into header fields: one `Name: value` per line (LF or CRLF); a line without
    /// a colon is a name with an empty value. Invalid UTF-8 is repaired, as the HTTP server would.
    static func headerFields(_ input: [UInt8]) -> [HeaderField] {
        input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map { line in
            let text = String(decoding: line, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":") else { return HeaderField(text, "") }
            let value = text[text.index(after: colon)...].drop { $0 == " " }
            return HeaderField(String(text[..<colon]), String(value.hasSuffix("\r") ? value.dropLast() : value))
        }
    }
}
