import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process for tests, started with `posix_spawn`: standard input from a file (or /dev/null),
/// standard output and error into files of its own temporary folder, every other descriptor closed in
/// the child.
///
/// Foundation's `Process` is not used: on Swift 6.3.1 its `run()` copies the entries of /proc/self/fd
/// into a buffer that overflows when the test process holds many descriptors (AddressSanitizer reports
/// it; a loaded full run crashed in its `memcpy`), and `FileHandle.availableData` on its pipes traps on
/// `EINTR`. Files instead of pipes also mean a child can never block on a full pipe.
public final class ChildProcess: @unchecked Sendable {
    /// How the process ended, with the same case names as Foundation's `Process.TerminationReason`.
    public enum TerminationReason: Sendable, Equatable {
        case exit
        case uncaughtSignal
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public var description: String
    }

    public let processIdentifier: pid_t
    /// Where its standard output and standard error go.
    public let outputPath: String
    public let errorPath: String
    private let folder: String
    private let lock = NSLock()
    private var status: Int32?

    /// Starts `executable` with `arguments` in `directory`; `environment` entries are added to (or
    /// replace) this process's; `input` is its standard input.
    public init(executable: String, arguments: [String], directory: String? = nil,
                environment: [String: String]? = nil, input: String? = nil) throws {
        var template = Array((NSTemporaryDirectory() + "switchboard-child-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw SpawnError(description: "mkdtemp: \(String(cString: strerror(errno)))") }
        folder = String(cString: made)
        outputPath = folder + "/stdout"
        errorPath = folder + "/stderr"
        let inputPath = folder + "/stdin"
        try Data((input ?? "").utf8).write(to: URL(fileURLWithPath: inputPath))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if let directory, Self.addChdir(&actions, directory) != 0 {
            try? FileManager.default.removeItem(atPath: folder)
            throw SpawnError(description: "cannot start \(executable) in \(directory)")
        }
        // glibc ≥ 2.34 (Debian 12 has 2.36); without it the child inherits descriptors not marked CLOEXEC.
        _ = Self.addCloseFrom(&actions, 3)

        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment ?? [:] { merged[name] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard result == 0 else {
            try? FileManager.default.removeItem(atPath: folder)
            throw SpawnError(description: "posix_spawn \(executable): \(String(cString: strerror(result)))")
        }
        processIdentifier = pid
    }

    deinit {
        if isRunning { kill(processIdentifier, SIGKILL) }
        waitUntilExit()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Whether it has not ended yet (reaps it when it has).
    public var isRunning: Bool {
        lock.withLock {
            if status != nil { return false }
            var raw: Int32 = 0
            guard waitpid(processIdentifier, &raw, WNOHANG) == processIdentifier else { return true }
            status = raw
            return false
        }
    }

    /// Waits for it to end.
    public func waitUntilExit() {
        lock.withLock {
            guard status == nil else { return }
            var raw: Int32 = 0
            while waitpid(processIdentifier, &raw, 0) == -1 {
                // Not ours to wait for (ECHILD): recorded as killed by SIGKILL, never as a clean exit.
                guard errno == EINTR else { status = SIGKILL; return }
            }
            status = raw
        }
    }

    /// SIGTERM.
    public func terminate() { kill(processIdentifier, SIGTERM) }

    /// Its exit code, or the signal that ended it (as Foundation's `terminationStatus`); waits for it.
    public var terminationStatus: Int32 {
        waitUntilExit()
        let raw = lock.withLock { status ?? 0 }
        return raw & 0x7f == 0 ? (raw >> 8) & 0xff : raw & 0x7f
    }

    public var terminationReason: TerminationReason {
        waitUntilExit()
        return lock.withLock { (status ?? 0) & 0x7f == 0 ? .exit : .uncaughtSignal }
    }

    /// What it has written so far.
    public var output: String { Self.read(outputPath) }
    public var errorOutput: String { Self.read(errorPath) }

    /// Read with `open`/`read`: Foundation's file reading (Swift 6.3.1) leaks 4 KiB for every empty file
    /// it reads (LeakSanitizer), and a child's output file is empty until it writes.
    private static func read(_ path: String) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return "" }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: chunk[0..<count])
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // glibc has both (2.29 and 2.34), but Swift's Glibc module does not export them.
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    private static func addChdir(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: String) -> Int32 {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return -1 }
        return unsafeBitCast(symbol, to: AddChdir.self)(actions, path)
    }

    private static func addCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) -> Int32 {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return -1 }
        return unsafeBitCast(symbol, to: AddCloseFrom.self)(actions, lowest)
    }
}
