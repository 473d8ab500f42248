import SwitchboardCore
import SwitchboardHTTP

/// New signing secrets: `whsec_` and 32 random bytes.
///
/// - CallingBox endpoints: the bytes in lowercase hex (64 characters), the shape of CallingBox's own
///   example; the whole string, prefix included, is the HMAC key (as the CallingBox SDK verifies).
/// - Standard Webhooks (OneInbox-style) endpoints: the bytes in base64, as that scheme's secrets are
///   written; the key is the decoded bytes.
enum WebhookSecret {
    static let byteCount = 32

    static func make(for scheme: String) throws(HTTPError) -> String {
        let bytes: [UInt8]
        do {
            bytes = try SecureRandom.bytes(count: byteCount)
        } catch {
            throw HTTPError(500, type: "internal_error", message: "no random bytes for a secret: \(error)")
        }
        return "whsec_" + (scheme == "standard-webhooks" ? Base64.encode(bytes) : Hex.encode(bytes))
    }
}
