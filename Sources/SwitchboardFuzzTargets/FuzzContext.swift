import Foundation
import SwitchboardCore
import SwitchboardGateway

/// What the targets share, built once per process: the shipped mappings, every signature scheme,
/// and sample events of every format.
public struct FuzzContext: Sendable {
    /// The body the `signatures` target verifies headers against.
    static let signedBody = Array(#"{"event_type":"call_initiated","payload":{"call_id":"c1"}}"#.utf8)
    /// Secrets of each shape the schemes accept (Standard Webhooks needs `whsec_` + base64).
    static let secrets = ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "shh-a-plain-secret"]

    public let translator: Translator
    public let schemes: [any SignatureScheme]
    /// Bodies the `mapping` target decodes with each compiled mapping: the inputs of the golden
    /// cases in `<mappings>/tests`, so a fuzzed mapping meets real events of every format.
    public let sampleBodies: [[UInt8]]

    /// Loads every `*.json` mapping of `mappingsDirectory` and the golden inputs of its `tests` folder.
    public init(mappingsDirectory: String) throws {
        translator = Translator(mappings: try MappingLoader.load(directory: mappingsDirectory))
        let cases = MappingLoader.jsonFiles(in: (mappingsDirectory as NSString).appendingPathComponent("tests")) ?? []
        var samples = try cases.flatMap { path in
            guard let data = FileBytes.read(atPath: path), let document = try? JSONReader.parse(data) else {
                throw FuzzSetupError("\(path): cannot read or parse the file")
            }
            return document["input"]?.arrayValue ?? []
        }.map(BodyEncoding.caseBody)
        samples.append(Self.signedBody)
        sampleBodies = samples
        schemes = try SignatureSchemes.names.map { name in
            try SignatureSchemes.scheme(named: name, tokenHeader: name == HeaderTokenSignature.schemeName ? "X-Token" : nil)
        }
    }
}

/// The fuzz harness could not start (a missing mappings directory): a setup problem, not a finding.
public struct FuzzSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
