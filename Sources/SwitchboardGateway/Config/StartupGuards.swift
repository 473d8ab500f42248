import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `<store>.lock`, next to the SQLite store, held while a gateway serves it.
///
/// Two gateways on one store would split its deliveries between them (each claims what is due), so a
/// second `serve` refuses to start: `store <path> is in use by pid <n>`. The lock goes with the process
/// (the kernel releases it on exit, even after SIGKILL); the file and the pid written in it stay, only
/// for the message.
public final class StoreLock: @unchecked Sendable {
    /// The lock file's path for a store.
    public static func path(forStore store: String) -> String { store + ".lock" }

    private let descriptor: Int32

    /// Takes the lock or throws a `ConfigError` at `store.path` naming the holder's pid.
    public init(store: String) throws {
        let path = Self.path(forStore: store)
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ConfigError(at: "store.path", "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.readPID(descriptor)
            close(descriptor)
            throw ConfigError(at: "store.path", "store \(store) is in use by pid \(holder.map(String.init) ?? "unknown")")
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.descriptor = descriptor
    }

    /// Lets the store go (also happens when the process ends).
    public func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    private static func readPID(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Whether the listen port is free, and if not who holds it (Linux `/proc`: the listening socket's
/// inode, then the process with that socket open; only processes this user may inspect are found).
public enum ListenPortProbe {
    /// Throws a `ConfigError` at `listen.port` when `host:port` cannot be bound because it is in use.
    public static func check(host: String, port: Int) throws {
        guard port != 0, let inUse = bindFails(host: host, port: port), inUse else { return }
        let holder = owner(port: port).map { " by pid \($0.pid) (\($0.name))" } ?? ""
        throw ConfigError(at: "listen.port", "port \(port) on \(host) is in use\(holder)")
    }

    /// True when binding fails with EADDRINUSE, false when it binds, nil when it cannot tell.
    static func bindFails(host: String, port: Int) -> Bool? {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let info = list else { return nil }
        defer { freeaddrinfo(list) }
        let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return false }
        return errno == EADDRINUSE
    }

    /// The process listening on TCP `port`, if it can be seen.
    static func owner(port: Int) -> (pid: Int32, name: String)? {
        let inodes = Set(["/proc/net/tcp", "/proc/net/tcp6"].flatMap { listeningInodes(table: $0, port: port) })
        guard !inodes.isEmpty,
              let pids = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for pid in pids.compactMap({ Int32($0) }) {
            let folder = "/proc/\(pid)/fd"
            for fd in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(folder)/\(fd)"),
                      target.hasPrefix("socket:["), inodes.contains(String(target.dropFirst(8).dropLast())) else { continue }
                let name = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
                return (pid, name)
            }
        }
        return nil
    }

    /// Inodes of the sockets listening (state 0A) on `port` in a `/proc/net/tcp*` table.
    static func listeningInodes(table: String, port: Int) -> [String] {
        // Read to the end: a /proc table reports size 0 and comes a page per read.
        guard let data = FileHandle(forReadingAtPath: table)?.readDataToEndOfFile() else { return [] }
        let text = String(decoding: data, as: UTF8.self)
        let portHex = String(format: ":%04X", port)
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 9, fields[1].hasSuffix(portHex), fields[3] == "0A" else { return nil }
            return String(fields[9])
        }
    }
}
