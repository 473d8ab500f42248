/// The layout shared by Standard Webhooks and Inkbox: a message id header, a Unix timestamp header
/// and a signature header, the HMAC-SHA256 covering `"<id>.<timestamp>.<raw body>"`. The schemes
/// differ only in header names, key derivation, the signature header's syntax and which timestamp
/// text is signed; those are the parameters.
struct MessageSignatureLayout: Sendable {
    /// Which text of the timestamp the HMAC covers on verification.
    enum SignedTimestampText: Sendable {
        /// The integer's canonical decimal form (`0017` → `17`).
        case canonical
        /// The header text exactly as received.
        case received
    }

    let scheme: String
    let idHeader: String
    let timestampHeader: String
    let signatureHeader: String
    /// The most secrets signing accepts (one signature each).
    let signingLimit: Int
    let signedTimestamp: SignedTimestampText
    let deriveKey: SigningKeys.Derivation
    /// The signature header's value for the codes, one per signing secret.
    let format: @Sendable ([[UInt8]]) -> String
    /// The candidate signatures in a received signature header's value.
    let parse: @Sendable (Substring) throws(SignatureFailure) -> [[UInt8]]

    func sign(body: [UInt8], secrets: [String], timestamp: Int64, id: String?) throws(SignatureSchemeError)
        -> [HeaderField] {
        let keys = try SigningKeys.forSigning(secrets, limit: signingLimit, scheme: scheme, deriveKey)
        guard let id else { throw .missingMessageID(scheme: scheme) }
        let messageID = try HeaderText.checked(id, for: idHeader)
        let time = "\(try SignedTimestamp.checkedForSigning(timestamp))"
        let codes = try keys.signingCodes(forParts: SignedContent.parts([messageID[...], time[...]], body))
        return [
            HeaderField(idHeader, messageID),
            HeaderField(timestampHeader, time),
            HeaderField(signatureHeader, format(codes)),
        ]
    }

    func verify(body: [UInt8], headers: [HeaderField], secrets: [String], now: Int64, tolerance: Int64)
        throws(SignatureFailure) {
        let keys = try SigningKeys.forVerifying(secrets, deriveKey)
        let received = ReceivedHeaders(fields: headers)
        let messageID = try received.single(idHeader)
        let timestampText = try received.single(timestampHeader)
        let signatureText = try received.single(signatureHeader)
        let timestamp = try SignedTimestamp.parse(timestampText, header: timestampHeader)
        let signatures = try parse(signatureText)
        try SignedTimestamp.checkFreshness(timestamp, now: now, tolerance: tolerance)
        let signedTime = signedTimestamp == .canonical ? "\(timestamp)"[...] : timestampText
        try keys.requireMatch(parts: SignedContent.parts([messageID, signedTime], body), candidates: signatures)
    }
}
