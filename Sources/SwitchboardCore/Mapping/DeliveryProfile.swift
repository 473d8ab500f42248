/// How bodies of a format go out: the signature scheme that signs them and the headers sent with them,
/// declared in the mapping file's top-level `delivery` block, so that no vendor is named in delivery code:
///
/// ```json
/// "delivery": {"scheme": "callingbox",
///              "headers": {"CallingBox-Event-Id": "{{delivery.id}}", "CallingBox-Event-Type": "{{delivery.type}}"}}
/// ```
///
/// A header value is a literal, or one of `{{delivery.id}}` (the delivery id: the same on every retry
/// and replay, the receiver's idempotency key), `{{delivery.type}}` (the output's event type) and
/// `{{delivery.call_id}}` (the call's UUID).
public struct DeliveryProfile: Sendable, Equatable {
    /// What a header's value is.
    public enum Value: Sendable, Equatable {
        case literal(String)
        case deliveryID
        case eventType
        case callID
    }

    /// One header sent with every delivery of the format.
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: Value
    }

    /// The signature scheme's registry name.
    public var scheme: String
    /// In the file's order.
    public var headers: [Header]

    public init(scheme: String, headers: [Header] = []) {
        self.scheme = scheme
        self.headers = headers
    }

    /// The header fields of one delivery.
    public func fields(deliveryID: String, eventType: String, callID: String) -> [HeaderField] {
        headers.map { header in
            switch header.value {
            case .literal(let text): HeaderField(header.name, text)
            case .deliveryID: HeaderField(header.name, deliveryID)
            case .eventType: HeaderField(header.name, eventType)
            case .callID: HeaderField(header.name, callID)
            }
        }
    }

    private static let placeholders: [String: Value] = [
        "{{delivery.id}}": .deliveryID, "{{delivery.type}}": .eventType, "{{delivery.call_id}}": .callID,
    ]

    /// Compiles a `delivery` block (nil when the file has none). The scheme must be a registered one that
    /// signs with a secret alone (not `header-token`, which needs a header name); header names must be
    /// HTTP tokens and values printable, one line.
    static func compile(_ value: JSONValue?) throws(MappingCompileError) -> DeliveryProfile? {
        guard let value else { return nil }
        guard case .object(let block) = value else { throw MappingCompileError("delivery", "must be an object") }
        if let unknown = block.keys.first(where: { $0 != "scheme" && $0 != "headers" }) {
            throw MappingCompileError("delivery.\(unknown)", "unknown key")
        }
        let signing = SignatureSchemes.names.filter { $0 != HeaderTokenSignature.schemeName }
        guard let scheme = block["scheme"]?.stringValue, signing.contains(scheme) else {
            throw MappingCompileError("delivery.scheme", "must be one of \(signing.joined(separator: ", "))")
        }
        var profile = DeliveryProfile(scheme: scheme)
        guard let headers = block["headers"] else { return profile }
        guard case .object(let fields) = headers else { throw MappingCompileError("delivery.headers", "must be an object") }
        for (name, value) in fields {
            let here = "delivery.headers.\(name)"
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else { throw MappingCompileError(here, "is not a header name") }
            guard let text = value.stringValue, text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
                throw MappingCompileError(here, "must be a one-line string")
            }
            if text.hasPrefix("{{") {
                guard let placeholder = placeholders[text] else {
                    throw MappingCompileError(here, "must be a literal or one of \(placeholders.keys.sorted().joined(separator: ", "))")
                }
                profile.headers.append(Header(name: name, value: placeholder))
            } else {
                profile.headers.append(Header(name: name, value: .literal(text)))
            }
        }
        return profile
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            true
        default:
            Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
