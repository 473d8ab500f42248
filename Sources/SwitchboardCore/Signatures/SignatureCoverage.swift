/// Which schemes' signatures cover the request body. A receiver that checks headers before the body
/// has arrived (the gateway's ingest preflight) may refuse a mismatch at once only where the body
/// plays no part: elsewhere a mismatch over an empty body says nothing about the real one.
extension SignatureSchemes {
    /// The schemes whose credential is a header compared as it is, with nothing of the body signed.
    public static let headerOnlyNames: Set<String> = [HeaderTokenSignature.schemeName, VapiSignature.schemeName]
}

extension SignatureScheme {
    /// Whether the signature depends on the body (false for ``SignatureSchemes/headerOnlyNames``).
    public var signsBody: Bool { !SignatureSchemes.headerOnlyNames.contains(name) }
}
