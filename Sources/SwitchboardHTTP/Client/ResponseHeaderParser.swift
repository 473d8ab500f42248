import SwitchboardCore

/// Accumulates response header lines as curl's `CURLOPT_HEADERFUNCTION` hands them over, one complete
/// line per call. Keeps only the last header block, so interim 1xx responses are dropped.
struct ResponseHeaderParser {
    private var fields: [(String, String)] = []
    /// The `Content-Length` of the current block, if it had a valid one.
    private(set) var contentLength: Int?

    var headers: HTTPHeaders { HTTPHeaders(fields) }

    /// Consumes one raw header line (with or without its CRLF).
    mutating func consume(line raw: UnsafeRawBufferPointer) {
        // Strip the line ending as bytes: "\r\n" is one Character, so Character comparisons would miss it.
        var end = raw.count
        while end > 0, raw[end - 1] == 0x0D || raw[end - 1] == 0x0A { end -= 1 }
        let line = Substring(decoding: UnsafeRawBufferPointer(rebasing: raw[..<end]), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            fields.removeAll(keepingCapacity: true)
            contentLength = nil
            return
        }
        guard let first = line.first else { return }
        if first == " " || first == "\t" {
            // Obsolete line folding (RFC 9112 §5.2): replace the fold with a space.
            if let previous = fields.popLast() {
                fields.append((previous.0, previous.1 + " " + Self.trimmed(line)))
            }
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon])
        let value = Self.trimmed(line[line.index(after: colon)...])
        if name.equalsIgnoringASCIICase("Content-Length") { contentLength = Int(value) }
        fields.append((name, value))
    }

    private static func trimmed(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
