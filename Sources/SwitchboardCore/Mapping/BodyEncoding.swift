/// How a format's bodies are encoded on the wire (a mapping file's top-level `"body"`): JSON (the
/// default) or `application/x-www-form-urlencoded` (Twilio-style callbacks). A form body is turned
/// into a JSON object of strings before the decode rules run, so the rules read `$.CallSid` as they
/// would read a JSON member. The raw bytes stay what is stored and what signatures cover.
public enum BodyEncoding: String, Sendable, CaseIterable {
    case json
    case form

    /// The file's `body` value: absent means JSON.
    static func compile(_ value: JSONValue?) throws(MappingCompileError) -> BodyEncoding {
        guard let value else { return .json }
        guard let text = value.stringValue, let encoding = BodyEncoding(rawValue: text) else {
            throw MappingCompileError("body", "must be \"json\" or \"form\"")
        }
        return encoding
    }

    /// The document the decode rules see: the parsed JSON, or the form's fields as a JSON object
    /// of strings, in the order they came.
    func document(_ body: ArraySlice<UInt8>) throws(TranslationError) -> JSONValue {
        switch self {
        case .json:
            do { return try JSONReader.parse(body) } catch { throw .invalidJSON(error) }
        case .form:
            return .object(try Self.formObject(body))
        }
    }

    /// Fields decoded by the same parser as the Twilio signature (`FormURLEncoding`, Python's
    /// `parse_qsl`). A name given twice with the same value counts once, as the signature counts
    /// each distinct value once; a name given different values is refused (like a JSON object's
    /// duplicate keys, where parsers disagree on which one wins).
    public static func formObject(_ body: ArraySlice<UInt8>) throws(TranslationError) -> JSONObject {
        var object = JSONObject()
        for (name, value) in FormURLEncoding.decode(body) {
            if let existing = object[name] {
                guard existing.stringValue == value else {
                    throw .invalidForm("field \(name) appears more than once with different values")
                }
                continue
            }
            object.appendUnique(name, .string(value))
        }
        return object
    }
}

extension BodyEncoding {
    /// The raw body a golden case's input stands for: a JSON string is the body's text as it is (a
    /// form-encoded body, `"CallSid=CA1&CallStatus=ringing"`), any other value that value as JSON.
    public static func caseBody(_ input: JSONValue) -> [UInt8] {
        if case .string(let text) = input { return Array(text.utf8) }
        return JSONWriter.bytes(input)
    }
}
