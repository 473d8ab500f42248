/// Checks how a request says where its body ends, before the body is read. Pure.
///
/// libmicrohttpd 0.9.75 accepts two `Content-Length` fields with different values (it uses one of
/// them). A proxy in front of Switchboard may use the other, which is how requests get smuggled, so
/// RFC 9112 §6.3 makes that an unrecoverable error: we answer 400 and close the connection.
enum RequestFraming {
    /// Why the framing headers are unusable, or nil when they are fine. `headers` are every field as
    /// received, repeated names included.
    static func problem(_ headers: [(String, String)]) -> String? {
        var lengths: Set<Substring> = []
        var hasTransferEncoding = false
        for (name, value) in headers {
            if name.caseInsensitiveCompare("Transfer-Encoding") == .orderedSame { hasTransferEncoding = true }
            guard name.caseInsensitiveCompare("Content-Length") == .orderedSame else { continue }
            // A list of identical values ("5, 5") is allowed by RFC 9110 §8.6; anything else is not.
            for item in value.split(separator: ",", omittingEmptySubsequences: false) {
                let digits = item.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
                guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                    return "invalid Content-Length: \(value)"
                }
                lengths.insert(Substring(String(digits)))
            }
        }
        if lengths.count > 1 { return "conflicting Content-Length values: \(lengths.sorted().joined(separator: ", "))" }
        if hasTransferEncoding && !lengths.isEmpty { return "both Transfer-Encoding and Content-Length are present" }
        return nil
    }
}
