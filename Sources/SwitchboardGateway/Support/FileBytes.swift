import Foundation

/// Reads whole files with `open`/`read`, for configuration, mapping, secret and input files.
///
/// Not `FileManager.contents(atPath:)`: in Swift 6.3.1's Foundation that leaks a 4 KiB buffer for every
/// empty file it reads (its zero-size path mallocs a chunk, reads nothing, and returns empty `Data`
/// that never frees it), which LeakSanitizer reports; see `scripts/sanitizers/lsan.supp`. Reading until
/// end of file also works for files whose reported size is 0 but that have content (`/proc`, pipes).
public enum FileBytes {
    /// The bytes of `path`, or nil when it cannot be opened or read (a missing file, a directory).
    public static func read(atPath path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: chunk[0..<count])
            } else if count == 0 {
                return bytes
            } else if errno != EINTR {
                return nil
            }
        }
    }
}
