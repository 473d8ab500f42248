import SwitchboardStore

/// Rotating an endpoint's signing secret in the store (`endpoint_secrets`).
///
/// An endpoint has one current secret (`expires_at` NULL) and, during a rotation's grace period, the
/// previous one, which keeps signing beside it until `expires_at`. The deliverer signs with every live
/// secret, newest first (`DeliveryRecords.liveSecrets`), so a receiver that knows only the newest
/// secret, or only the previous one, verifies every request of the grace period. A `v1a` endpoint's
/// secrets are `whsk_` Ed25519 keys, rotated the same way (its receiver holds the `whpk_` public keys).
enum SecretRotation {
    /// The longest grace period a rotation accepts: 30 days, the bound of
    /// `delivery.secret_rotation_overlap_seconds`.
    static let maximumGraceSeconds = 30 * 86_400

    /// Makes `secret` the current one. The previous current secret keeps signing for `graceSeconds`
    /// (0: revoked now). Any older secret (one still in the grace of an earlier rotation) is dropped at
    /// once, so at most two secrets are ever live.
    static func rotate(_ connection: SQLiteConnection, endpointID: String, to secret: String,
                       now: Double, graceSeconds: Int) throws {
        try connection.execute("DELETE FROM endpoint_secrets WHERE endpoint_id = ? AND expires_at IS NOT NULL", [endpointID])
        if graceSeconds > 0 {
            try connection.execute("UPDATE endpoint_secrets SET expires_at = ? WHERE endpoint_id = ? AND expires_at IS NULL",
                                   [now + Double(graceSeconds), endpointID])
        } else {
            try connection.execute("DELETE FROM endpoint_secrets WHERE endpoint_id = ? AND expires_at IS NULL", [endpointID])
        }
        try connection.execute("INSERT INTO endpoint_secrets (endpoint_id, secret, created_at) VALUES (?, ?, ?)",
                               [endpointID, secret, now])
    }
}
