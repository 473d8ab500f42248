/// The bound on id-like values taken from a vendor body (issue 13 §4): a call id or an event identity of
/// more than 256 bytes is refused at ingest (422 naming the field) rather than stored, indexed, put in
/// every delivery and echoed in every list. Real ids are UUIDs, numbers or short tokens.
public enum IdentifierBounds {
    /// At most this many UTF-8 bytes.
    public static let maxBytes = 256

    /// The id-like canonical fields of a decoded event, named as a mapping names them.
    static func identifiers(of event: CallEvent) -> [(field: String, value: String)] {
        [(CanonicalField.callKey.rawValue, event.call.key), ("event.identity", event.identity)]
    }

    /// Why `event` is refused: the first id-like field over the bound, with where it came from; nil when
    /// every one is within it. `sources` names the vendor fields a canonical field is read from.
    static func violation(of event: CallEvent, sources: (String) -> String) -> String? {
        for (field, value) in identifiers(of: event) where value.utf8.count > maxBytes {
            return "\(field) must be at most \(maxBytes) bytes, got \(value.utf8.count) (\(sources(field)))"
        }
        return nil
    }

    /// 422 text for an id from a request (a path or query parameter); nil when within the bound.
    public static func violation(_ value: String, field: String) -> String? {
        value.utf8.count > maxBytes ? "\(field): must be at most \(maxBytes) bytes, got \(value.utf8.count)" : nil
    }
}
