import Foundation

/// Decides whether a destination URL given to a management API is acceptable (create and update of
/// endpoints, webhooks and per-call overrides): absolute `http`/`https` with a host, no credentials, no
/// fragment; then the outbound policy (`policy`), which may refuse hosts resolving to private networks.
///
/// The policy is a seam: until the outbound policy is wired in it accepts everything, and the
/// deliverer's address check at send time still applies.
struct WebhookURLValidator: Sendable {
    /// A further check after the syntax: nil to accept, else the reason for refusing.
    typealias Policy = @Sendable (URLComponents) -> String?

    private let policy: Policy

    init(policy: @escaping Policy = { _ in nil }) {
        self.policy = policy
    }

    /// Nil when `text` is acceptable, else why not (a sentence for a 422 message).
    func refusal(for text: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= 2048 else { return "must be a URL of 1 to 2048 characters" }
        guard !text.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            return "must not contain spaces or control characters"
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            return "must be an absolute URL, got \"\(text)\""
        }
        guard scheme == "http" || scheme == "https" else { return "must use http or https, got \"\(scheme)\"" }
        guard let host = components.host, !host.isEmpty else { return "must have a host" }
        guard components.user == nil, components.password == nil else { return "must not carry credentials" }
        guard components.fragment == nil else { return "must not have a fragment" }
        if let port = components.port, !(1...65_535).contains(port) { return "has an invalid port \(port)" }
        return policy(components)
    }
}
