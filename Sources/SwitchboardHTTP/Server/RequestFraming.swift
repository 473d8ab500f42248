import SwitchboardCore

/// Checks how a request says where its body ends, before the body is read. Pure.
///
/// libmicrohttpd 0.9.75 accepts two `Content-Length` fields with different values (it uses one of
/// them). A proxy in front of Switchboard may use the other, which is how requests get smuggled, so
/// RFC 9112 §6.3 makes that an unrecoverable error: we answer 400 and close the connection.
enum RequestFraming {
    /// Why the framing headers are unusable, or nil when they are fine. `headers` are every field as
    /// received, repeated names included.
    static func problem(_ headers: [(String, String)]) -> String? {
        var lengths: Set<String> = []
        var hasTransferEncoding = false
        for (name, value) in headers {
            // ASCII comparison: Foundation's caseInsensitiveCompare cost 6% of the gateway's CPU here.
            if name.equalsIgnoringASCIICase("Transfer-Encoding") { hasTransferEncoding = true }
            guard name.equalsIgnoringASCIICase("Content-Length") else { continue }
            // A list of identical values ("5, 5") is allowed by RFC 9110 §8.6; anything else is not.
            // On UTF-8 bytes: this runs for every request with a body.
            for item in value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                var digits = item[...]
                while let first = digits.first, first == 0x20 || first == 0x09 { digits.removeFirst() }
                while let last = digits.last, last == 0x20 || last == 0x09 { digits.removeLast() }
                guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                    return "invalid Content-Length: \(value)"
                }
                lengths.insert(String(decoding: digits, as: UTF8.self))
            }
        }
        if lengths.count > 1 { return "conflicting Content-Length values: \(lengths.sorted().joined(separator: ", "))" }
        if hasTransferEncoding && !lengths.isEmpty { return "both Transfer-Encoding and Content-Length are present" }
        return nil
    }
}
