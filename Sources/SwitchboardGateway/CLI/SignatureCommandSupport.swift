import Foundation
import SwitchboardCore

/// What `sign` and `verify` share: the scheme, its secrets or keys, the body and the URL, read
/// from the options.
struct SignatureCommandInputs {
    let scheme: any SignatureScheme
    /// The `--secret` values, or for an Ed25519 scheme the command's key option's values.
    let secrets: [String]
    let body: [UInt8]
    /// `--url`: the URL the sender requested, for schemes that sign it (twilio).
    let url: String?

    /// Reads `--scheme`, every `--secret` (or, for an Ed25519 scheme, every `--<keyOption>`),
    /// `--url` and the body (`--in FILE`, `-` or absent for standard input). `tokenHeader` is the
    /// header name for `header-token`, from the command's own option.
    init(_ arguments: ParsedArguments, tokenHeader: String?, tokenHeaderOption: String, keyOption: String) throws {
        guard let name = arguments.value("scheme") else {
            throw UsageError("--scheme is required (\((SignatureSchemes.allNames + SignatureSchemes.asymmetricNames).joined(separator: ", ")))")
        }
        let plan = try Self.hmacPlan(arguments.value("hmac-plan"))
        do {
            scheme = try SignatureSchemes.scheme(named: name, tokenHeader: tokenHeader, hmacPlan: plan)
        } catch .missingTokenHeader {
            throw UsageError("the header-token scheme needs --\(tokenHeaderOption) NAME")
        } catch .tokenHeaderNotApplicable {
            throw UsageError("--\(tokenHeaderOption) NAME is only for the header-token scheme")
        } catch .hmacPlanNotApplicable {
            throw UsageError("--hmac-plan is only for \(SignatureSchemes.hmacPlanNames.joined(separator: ", "))")
        } catch {
            throw UsageError(error.description)
        }
        let secretValues = arguments.all("secret")
        let keys = arguments.all(keyOption)
        switch scheme.credential {
        case .sharedSecret:
            guard keys.isEmpty else { throw UsageError("--\(keyOption) is only for Ed25519 schemes (telnyx, standard-webhooks-v1a); use --secret") }
            guard !secretValues.isEmpty else { throw UsageError("--secret is required") }
            secrets = secretValues
        case .ed25519:
            guard secretValues.isEmpty else { throw UsageError("--secret is not used by \(name): give --\(keyOption)") }
            guard !keys.isEmpty else { throw UsageError("--\(keyOption) is required for \(name) (base64 of 32 bytes)") }
            secrets = keys
        }
        url = arguments.value("url")
        if url == nil, scheme.needsURL { throw UsageError("--url is required for \(name): the URL the sender requested") }
        if url != nil, !scheme.needsURL { throw UsageError("--url is not used by \(name)") }
        body = try Self.readBody(arguments.value("in"))
    }

    /// `--hmac-plan FILE`: a JSON object with the keys of a source's `auth.hmac` but `secret` (which
    /// is `--secret`), or nil when the option is absent. An unreadable or wrong file is a usage error.
    static func hmacPlan(_ path: String?) throws -> HMACPlan? {
        guard let path else { return nil }
        guard let bytes = FileBytes.read(atPath: path) else { throw UsageError("cannot read --hmac-plan '\(path)'") }
        do {
            var reader = try ConfigReader.parse(Data(bytes))
            let plan = try HMACPlanConfig.parsePlan(&reader)
            try reader.finish()
            return plan
        } catch let error as ConfigError {
            throw UsageError("--hmac-plan \(path): \(error.description)")
        }
    }

    /// The bytes of `path`, or of standard input for nil or `-`, exactly as stored: no newline
    /// is added or removed. An unreadable file is a usage error.
    static func readBody(_ path: String?) throws -> [UInt8] {
        guard let path, path != "-" else {
            return Array(try FileHandle.standardInput.readToEnd() ?? Data())
        }
        guard let data = FileBytes.read(atPath: path) else {
            throw UsageError("cannot read '\(path)'")
        }
        return data
    }

    /// The current Unix time in whole seconds.
    static func now() -> Int64 {
        Int64(Date().timeIntervalSince1970.rounded(.down))
    }

    /// An integer option for a count of seconds, or nil when absent.
    static func seconds(_ arguments: ParsedArguments, _ name: String) throws -> Int64? {
        try arguments.int(name, range: 0...999_999_999_999_999_999).map(Int64.init)
    }
}
