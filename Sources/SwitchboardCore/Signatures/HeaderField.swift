/// One HTTP header field: produced by signing, or received and handed to verification.
public struct HeaderField: Sendable, Hashable, CustomStringConvertible {
    /// The field name as written; lookups ignore ASCII case.
    public var name: String
    /// The field value.
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// `Name: value`: one header line without its line break.
    public var description: String { "\(name): \(value)" }
}

/// Case-insensitive lookup in the header fields of a received request.
struct ReceivedHeaders {
    let fields: [HeaderField]

    /// Whether a field named `name` is present (any case).
    func has(_ name: String) -> Bool {
        fields.contains { $0.name.equalsIgnoringASCIICase(name) }
    }

    /// The value of the one field named `name`, without surrounding spaces and tabs.
    /// Throws ``SignatureFailure/missingHeader(_:)`` when absent, and
    /// ``SignatureFailure/malformedHeader(name:problem:)`` when repeated or empty: a signature
    /// header has one meaning only when it appears once.
    func single(_ name: String) throws(SignatureFailure) -> Substring {
        var found: String?
        for field in fields where field.name.equalsIgnoringASCIICase(name) {
            guard found == nil else { throw .malformedHeader(name: name, problem: "appears more than once") }
            found = field.value
        }
        guard let found else { throw .missingHeader(name) }
        let value = HeaderText.trimmed(found[...])
        guard !value.isEmpty else { throw .malformedHeader(name: name, problem: "empty value") }
        return value
    }
}

/// Rules for the text of header names and values.
enum HeaderText {
    /// `text` without leading and trailing spaces and tabs (HTTP's optional whitespace). Works on
    /// UTF-8 bytes, so a combining mark after a space does not hide the space.
    static func trimmed(_ text: Substring) -> Substring {
        let isBlank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        let bytes = text.utf8
        guard let first = bytes.firstIndex(where: { !isBlank($0) }),
              let last = bytes.lastIndex(where: { !isBlank($0) }) else { return text[text.endIndex...] }
        return text[first...last]
    }

    /// The pieces of `text` between occurrences of the ASCII `separator`, empty pieces kept
    /// (Python's `str.split(sep)`: it splits on code points, so bytes are used, not characters).
    static func split(_ text: Substring, on separator: UInt8) -> [Substring] {
        var pieces: [Substring] = []
        var start = text.startIndex
        for index in text.utf8.indices where text.utf8[index] == separator {
            pieces.append(text[start..<index])
            start = text.utf8.index(after: index)
        }
        pieces.append(text[start...])
        return pieces
    }

    /// The text before and after the first ASCII `separator`, or nil when there is none.
    static func partition(_ text: Substring, at separator: UInt8) -> (before: Substring, after: Substring)? {
        guard let index = text.utf8.firstIndex(of: separator) else { return nil }
        return (text[..<index], text[text.utf8.index(after: index)...])
    }

    /// What makes `value` unfit to send as a header value, or nil when it is fit: it must be
    /// non-empty, contain no control characters (so never CR or LF) and no leading or trailing
    /// whitespace, which receivers strip and would thereby change the signed text.
    static func problem(withValue value: String) -> String? {
        if value.isEmpty { return "empty value" }
        if value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            return "contains a control character (such as CR or LF)"
        }
        if trimmed(value[...]).utf8.count != value.utf8.count { return "leading or trailing whitespace" }
        return nil
    }

    /// The credential of an `Authorization`-style value `Bearer <credential>` (the scheme word in
    /// any case, then spaces), or a malformed-header failure naming `header`.
    static func bearerCredential(_ value: Substring, header: String) throws(SignatureFailure) -> Substring {
        let scheme = "bearer "
        guard value.utf8.count > scheme.utf8.count,
              String(value.prefix(scheme.count)).lowercased() == scheme else {
            throw .malformedHeader(name: header, problem: "not 'Bearer <credential>'")
        }
        let credential = trimmed(value.dropFirst(scheme.count))
        guard !credential.isEmpty else { throw .malformedHeader(name: header, problem: "not 'Bearer <credential>'") }
        return credential
    }

    /// `value` when it may be sent in header `name`, else ``SignatureSchemeError/invalidHeaderValue(name:problem:)``.
    static func checked(_ value: String, for name: String) throws(SignatureSchemeError) -> String {
        if let problem = problem(withValue: value) { throw .invalidHeaderValue(name: name, problem: problem) }
        return value
    }
}
