import Foundation
import SwitchboardCore
import SwitchboardHTTP

/// Checks `Authorization: Bearer <key>` against the configured `api_keys`.
///
/// Every configured key is compared in constant time (no early exit on the first match), so neither the
/// position of a matching key nor a common prefix shows in the timing. With no keys configured every
/// request is refused: the management APIs are never open by accident.
struct APIKeyAuthenticator: Sendable {
    /// The keys; `replace(keys:)` (SIGHUP) swaps them while serving.
    private let liveKeys: LockedValue<[[UInt8]]>

    init(keys: [String]) {
        liveKeys = LockedValue(keys.map { Array($0.utf8) })
    }

    /// Accepts `keys` from the next request on.
    func replace(keys: [String]) {
        liveKeys.withLock { $0 = keys.map { Array($0.utf8) } }
    }

    /// Throws 401 with the reason unless the request carries a configured key.
    func authenticate(_ headers: HTTPHeaders) throws(HTTPError) {
        let keys = liveKeys.withLock { $0 }
        guard !keys.isEmpty else {
            throw Self.refusal("the management APIs are disabled: no api_keys are configured")
        }
        guard let value = headers["Authorization"] else {
            throw Self.refusal("missing Authorization header (expected 'Bearer <api key>')")
        }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].equalsIgnoringASCIICase("Bearer") else {
            throw Self.refusal("the Authorization header must use the Bearer scheme")
        }
        let presented = Array(parts[1].trimmingCharacters(in: .whitespaces).utf8)
        var matched = false
        for key in keys where ConstantTime.equals(key, presented) { matched = true }
        guard matched else { throw Self.refusal("invalid API key") }
    }

    private static func refusal(_ message: String) -> HTTPError {
        HTTPError(401, type: "unauthorized", message: message, headers: ["WWW-Authenticate": "Bearer"])
    }
}
