/// An absolute `http`/`https` URL as a signing sender wrote it, split only as far as the
/// signature schemes need: the authority's port and the raw query. Nothing is normalised.
struct RequestURL: Sendable {
    /// The URL text as given.
    let text: String
    private let scheme: Substring
    private let authority: Substring
    private let port: Substring?
    private let afterAuthority: Substring
    /// The raw query (between `?` and `#`), or nil.
    let query: Substring?

    /// Parses `text`, or nil when it is not `http://…` or `https://…` with a non-empty host.
    init?(_ text: String) {
        guard let separator = text.range(of: "://") else { return nil }
        let scheme = text[..<separator.lowerBound]
        guard ["http", "https"].contains(scheme.lowercased()) else { return nil }
        let rest = text[separator.upperBound...]
        let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<end]
        // The port follows the last ':' that is not inside an IPv6 literal's brackets.
        let hostEnd = authority.lastIndex(of: "]") ?? authority.startIndex
        if let colon = authority[hostEnd...].lastIndex(of: ":") {
            port = authority[authority.index(after: colon)...]
            self.authority = authority[..<colon]
        } else {
            port = nil
            self.authority = authority
        }
        guard !self.authority.isEmpty else { return nil }
        self.text = text
        self.scheme = scheme
        afterAuthority = rest[end...]
        let beforeFragment = afterAuthority.prefix { $0 != "#" }
        query = beforeFragment.firstIndex(of: "?").map { beforeFragment[beforeFragment.index(after: $0)...] }
    }

    /// The URL with any port removed.
    var withoutPort: String { port == nil ? text : "\(scheme)://\(authority)\(afterAuthority)" }

    /// The URL with the scheme's default port (443 or 80) added when it has none.
    var withDefaultPort: String {
        guard port == nil else { return text }
        return "\(scheme)://\(authority):\(scheme.lowercased() == "https" ? 443 : 80)\(afterAuthority)"
    }

    /// The decoded value of the first query parameter called `name`, or nil.
    func queryValue(_ name: String) -> String? {
        guard let query else { return nil }
        return FormURLEncoding.decode(Array(query.utf8)).first { $0.name == name }?.value
    }
}
