import Foundation
import SwitchboardFuzzTargets
#if FUZZING
import CFuzzerDriver
#endif

// Built two ways (see `make fuzz`):
// - with `-sanitize=fuzzer -DFUZZING`: a fuzzer; `main` hands over to libFuzzer's driver with the
//   target named by `SWITCHBOARD_FUZZ_TARGET` (libFuzzer's flags pass through).
// - normally: a replay tool, `switchboard-fuzz <target> <file or directory>...`, which runs saved
//   inputs (a crash libFuzzer wrote, say) through the same target without the fuzzer.

#if FUZZING
/// Set once before libFuzzer starts and only read after; libFuzzer calls the target from one thread.
nonisolated(unsafe) private var fuzzState: (FuzzTarget, FuzzContext)?

/// The target libFuzzer calls for each input. libFuzzer owns `data` and keeps it only for the call.
private let fuzzOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32 = { data, size in
    guard let (target, context) = fuzzState else { return 0 }
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    target.run(input, context: context)
    return 0
}

/// libFuzzer's own `main` (linked in by `-sanitize=fuzzer`, unused: SwiftPM points `main` at
/// `FuzzDriver.main`) refers to this symbol, so it must exist; it runs the same target.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzOneInput(data, size)
}

@main
struct FuzzDriver {
    static func main() {
        let environment = ProcessInfo.processInfo.environment
        guard let name = environment["SWITCHBOARD_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("set SWITCHBOARD_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        do {
            fuzzState = (target, try FuzzContext(mappingsDirectory: environment["SWITCHBOARD_MAPPINGS"] ?? "mappings"))
        } catch {
            FileHandle.standardError.write(Data("switchboard-fuzz: \(error)\n".utf8))
            exit(2)
        }
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(sb_fuzzer_run(&argc, &argv, fuzzOneInput))
    }
}
#else
@main
struct FuzzReplay {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count > 1 else {
            print("usage: switchboard-fuzz <\(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|"))> <file or directory>...")
            exit(2)
        }
        do {
            let context = try FuzzContext(mappingsDirectory: ProcessInfo.processInfo.environment["SWITCHBOARD_MAPPINGS"] ?? "mappings")
            let inputs = try FuzzCorpus.inputs(at: Array(arguments.dropFirst()))
            for (path, input) in inputs {
                print("\(target.rawValue): \(path) (\(input.count) bytes)")
                target.run(input, context: context)
            }
            print("\(inputs.count) inputs ran through \(target.rawValue) without a crash")
        } catch {
            print("switchboard-fuzz: \(error)")
            exit(2)
        }
    }
}
#endif
