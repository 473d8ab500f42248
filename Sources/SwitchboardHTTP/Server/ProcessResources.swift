import CShims
#if canImport(Glibc)
import Glibc
#endif

/// Process-wide settings the server needs to hold up under load (issue 13 §1). Idempotent.
public enum ProcessResources {
    /// Raises the soft limit on open descriptors to the hard limit: each connection is one, and the
    /// usual soft limit (1,024) would stop accepting long before `connection_limit` (10,000).
    /// Returns the soft limit in force afterwards.
    @discardableResult
    public static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// Makes freed request bodies go back to the system: blocks of 128 KiB and more are mmapped (a
    /// fixed threshold: glibc otherwise raises it to the largest block freed, so 1 MiB bodies ended up
    /// in heap arenas that kept hundreds of MB after an attack), and heap tops over 1 MiB are trimmed.
    static func returnFreedMemory() {
        sb_memory_return_freed(128 << 10, 1 << 20)
    }
}
