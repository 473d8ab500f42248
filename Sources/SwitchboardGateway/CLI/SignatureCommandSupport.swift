import Foundation
import SwitchboardCore

/// What `sign` and `verify` share: the scheme, the secrets and the body, read from the options.
struct SignatureCommandInputs {
    let scheme: any SignatureScheme
    let secrets: [String]
    let body: [UInt8]

    /// Reads `--scheme`, every `--secret` and the body (`--in FILE`, `-` or absent for standard
    /// input). `tokenHeader` is the header name for `header-token`, from the command's own option.
    init(_ arguments: ParsedArguments, tokenHeader: String?, tokenHeaderOption: String) throws {
        guard let name = arguments.value("scheme") else {
            throw UsageError("--scheme is required (\(SignatureSchemes.names.joined(separator: ", ")))")
        }
        do {
            scheme = try SignatureSchemes.scheme(named: name, tokenHeader: tokenHeader)
        } catch .missingTokenHeader {
            throw UsageError("the header-token scheme needs --\(tokenHeaderOption) NAME")
        } catch .tokenHeaderNotApplicable {
            throw UsageError("--\(tokenHeaderOption) NAME is only for the header-token scheme")
        } catch {
            throw UsageError(error.description)
        }
        secrets = arguments.all("secret")
        guard !secrets.isEmpty else { throw UsageError("--secret is required") }
        body = try Self.readBody(arguments.value("in"))
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
