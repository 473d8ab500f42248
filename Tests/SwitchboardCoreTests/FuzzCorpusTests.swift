import Foundation
import Testing
import SwitchboardCore
import SwitchboardFuzzTargets

/// Replays the fuzz seed corpus and every saved crash (`Tests/FuzzCorpus/<target>/`) through the same
/// functions `make fuzz` drives, so what libFuzzer once broke stays fixed in every `make test`.
@Suite("Fuzz corpus replay")
struct FuzzCorpusTests {
    private static let context = Result { try FuzzContext(mappingsDirectory: "mappings") }

    private func corpus(_ target: FuzzTarget) throws -> [(path: String, bytes: [UInt8])] {
        try FuzzCorpus.inputs(at: ["Tests/FuzzCorpus/\(target.rawValue)"])
    }

    @Test(arguments: FuzzTarget.allCases)
    func everySavedInputRunsWithoutACrash(_ target: FuzzTarget) throws {
        let context = try Self.context.get()
        let inputs = try corpus(target)
        #expect(inputs.count >= 4, "the \(target.rawValue) seed corpus is nearly empty")
        for (_, bytes) in inputs { target.run(bytes, context: context) }
    }

    @Test func theSetUpSeesEveryShippedFormatAndScheme() throws {
        let context = try Self.context.get()
        let shipped = try FileManager.default.contentsOfDirectory(atPath: "mappings")
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
        #expect(shipped.contains("salpre") && shipped.contains("callingbox"))
        #expect(context.translator.mappings.keys.sorted() == shipped)
        #expect(context.schemes.count == SignatureSchemes.names.count)
        #expect(context.sampleBodies.count > 20)
    }

    /// The decoder seeds are real events: each must decode in at least one format, or the fuzzer
    /// would start from inputs every decoder rejects at the first step.
    @Test func everyDecoderSeedExceptTheHostileOnesDecodes() throws {
        let context = try Self.context.get()
        for (path, bytes) in try corpus(.decoders) where !path.hasSuffix("deep-10000-payload") {
            let decoded = context.translator.mappings.keys.contains { format in
                (try? context.translator.decode(bytes, format: format, source: "seed", receivedAt: 1_700_000_000)) != nil
            }
            #expect(decoded, "\(path) decodes in no format")
        }
    }

    /// The hostile seeds get the reader's limits as errors, not a stack overflow.
    @Test func nestingTenThousandDeepIsRefusedAtTheDepthLimit() throws {
        for name in ["json/deep-10000", "decoders/deep-10000-payload"] {
            let bytes = try #require(FuzzCorpus.inputs(at: ["Tests/FuzzCorpus/\(name)"]).first?.bytes)
            #expect(throws: JSONReadError.self) { try JSONReader.parse(bytes) }
        }
    }
}
