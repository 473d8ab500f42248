/// Unix timestamps in signature headers: parsing and the freshness window.
enum SignedTimestamp {
    /// The value of `text` when it is 1 to 18 ASCII digits (no sign, no fraction, no exponent;
    /// 18 digits always fit an `Int64`), else nil.
    static func parse(_ text: Substring) -> Int64? {
        guard (1...18).contains(text.utf8.count),
              text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int64(text)
    }

    /// Parses the timestamp in header `name`, or throws a malformed-header failure naming it.
    static func parse(_ text: Substring, header name: String) throws(SignatureFailure) -> Int64 {
        guard let value = parse(text) else {
            throw .malformedHeader(name: name, problem: "timestamp '\(text)' is not a whole number of seconds")
        }
        return value
    }

    /// Accepts `timestamp` when it is at most `tolerance` seconds before or after `now`
    /// (exactly `tolerance` away passes). A tolerance of 0 or less disables the check.
    static func checkFreshness(_ timestamp: Int64, now: Int64, tolerance: Int64) throws(SignatureFailure) {
        guard tolerance > 0 else { return }
        if now >= timestamp {
            let (age, overflow) = now.subtractingReportingOverflow(timestamp)
            let elapsed = overflow ? Int64.max : age
            if elapsed > tolerance { throw .staleTimestamp(age: elapsed, tolerance: tolerance) }
        } else {
            let (lead, overflow) = timestamp.subtractingReportingOverflow(now)
            let ahead = overflow ? Int64.max : lead
            if ahead > tolerance { throw .futureTimestamp(ahead: ahead, tolerance: tolerance) }
        }
    }

    /// `timestamp` when it can be signed, else ``SignatureSchemeError/invalidTimestamp(_:)``.
    static func checkedForSigning(_ timestamp: Int64) throws(SignatureSchemeError) -> Int64 {
        guard timestamp >= 0 else { throw .invalidTimestamp(timestamp) }
        return timestamp
    }
}

/// The signed message of the HMAC schemes: header texts each followed by `.`, then the raw body.
enum SignedContent {
    /// `"<fields[0]>.<fields[1]>.…<body>"` as the two parts an HMAC is computed over, so the body
    /// is never copied.
    static func parts(_ fields: [Substring], _ body: [UInt8]) -> [[UInt8]] {
        var prefix: [UInt8] = []
        for field in fields {
            prefix += field.utf8
            prefix.append(UInt8(ascii: "."))
        }
        return [prefix, body]
    }
}

/// Signatures written as lowercase hexadecimal (CallingBox `v1=`, Inkbox `sha256=`).
enum LowercaseHexSignature {
    /// The 32 bytes spelled by exactly 64 lowercase hex digits, else nil. Uppercase digits are
    /// refused, as the vendors' SDKs refuse them (they compare lowercase hex text), so that a
    /// signature has one accepted spelling.
    static func decode(_ text: Substring) -> [UInt8]? {
        guard text.utf8.count == 2 * HMACSHA256Key.codeLength,
              text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else { return nil }
        return try? Hex.decode(text)
    }
}

/// Turns configured secret strings into HMAC keys, with each scheme's rule for the key bytes.
struct SigningKeys {
    /// A scheme's rule from secret string to key bytes; throws a description of what is wrong.
    typealias Derivation = @Sendable (String) throws(SecretProblem) -> [UInt8]

    /// Why a secret string cannot give a key.
    struct SecretProblem: Error {
        let problem: String
    }

    let keys: [HMACSHA256Key]

    /// Keys for verification: every configured secret must be usable.
    static func forVerifying(_ secrets: [String], _ derive: Derivation) throws(SignatureFailure) -> SigningKeys {
        guard !secrets.isEmpty else { throw .noSecretConfigured }
        var keys: [HMACSHA256Key] = []
        for secret in secrets {
            let bytes: [UInt8]
            do { bytes = try derive(secret) } catch { throw .invalidSecret(problem: error.problem) }
            do { keys.append(try HMACSHA256Key(bytes)) } catch { throw .cryptoFailure(error) }
        }
        return SigningKeys(keys: keys)
    }

    /// Keys for signing: one to `limit` secrets, all usable.
    static func forSigning(
        _ secrets: [String], limit: Int, scheme: String, _ derive: Derivation
    ) throws(SignatureSchemeError) -> SigningKeys {
        guard !secrets.isEmpty else { throw .noSecret }
        guard secrets.count <= limit else { throw .tooManySecrets(scheme: scheme, limit: limit) }
        do {
            return try forVerifying(secrets, derive)
        } catch {
            switch error {
            case .invalidSecret(let problem): throw .invalidSecret(problem: problem)
            case .cryptoFailure(let failure): throw .cryptoFailure(failure)
            default: throw .noSecret
            }
        }
    }

    /// The HMAC-SHA256 code of the concatenated `parts` under every key, in key order.
    func codes(forParts parts: [[UInt8]]) throws(CryptoError) -> [[UInt8]] {
        var codes: [[UInt8]] = []
        for key in keys {
            codes.append(try key.authenticationCode(forParts: parts))
        }
        return codes
    }

    /// Signing: the codes, with a crypto failure reported as a scheme error.
    func signingCodes(forParts parts: [[UInt8]]) throws(SignatureSchemeError) -> [[UInt8]] {
        do { return try codes(forParts: parts) } catch { throw .cryptoFailure(error) }
    }

    /// Returns when any of `candidates` equals the code of `parts` under any key, else throws
    /// ``SignatureFailure/signatureMismatch``. Every pair is compared in constant time, and all
    /// pairs are compared, so the time taken does not depend on which one matched.
    func requireMatch(parts: [[UInt8]], candidates: [[UInt8]]) throws(SignatureFailure) {
        let expected: [[UInt8]]
        do { expected = try codes(forParts: parts) } catch { throw .cryptoFailure(error) }
        var matched = false
        for code in expected {
            for candidate in candidates where ConstantTime.equals(code, candidate) {
                matched = true
            }
        }
        guard matched else { throw .signatureMismatch }
    }
}

extension String {
    /// `self` without `prefix` when its UTF-8 bytes start with those of `prefix` (Python's
    /// `str.removeprefix`, which compares code points, not grapheme clusters).
    func removingPrefix(_ prefix: String) -> String {
        guard utf8.starts(with: prefix.utf8) else { return self }
        return String(decoding: utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
    }
}
