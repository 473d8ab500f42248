#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a pthread mutex, in one allocation (the mutex lives in the object's tail).
///
/// Chosen over `NSLock`, which on Linux allocates a mutex and a condition pair per instance (this is
/// created once per HTTP request), and over `Synchronization.Mutex`, whose raw futex calls
/// ThreadSanitizer cannot see.
public final class LockedValue<Value>: @unchecked Sendable {
    @usableFromInline let storage: Storage

    public init(_ value: Value) {
        storage = Storage.create(value)
    }

    /// Runs `body` with exclusive access to the value. `body` must not re-enter this lock.
    @inlinable
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        try storage.withLock(body)
    }

    @usableFromInline
    final class Storage: ManagedBuffer<Value, pthread_mutex_t> {
        static func create(_ value: Value) -> Storage {
            let buffer = Storage.create(minimumCapacity: 1) { _ in value }
            // `create` returns ManagedBuffer<Value, pthread_mutex_t>; this subclass adds no stored state.
            let storage = unsafeDowncast(buffer, to: Storage.self)
            storage.withUnsafeMutablePointerToElements { mutex in
                mutex.initialize(to: pthread_mutex_t())
                pthread_mutex_init(mutex, nil)
            }
            return storage
        }

        @inlinable
        func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
            try withUnsafeMutablePointers { value, mutex in
                pthread_mutex_lock(mutex)
                defer { pthread_mutex_unlock(mutex) }
                return try body(&value.pointee)
            }
        }

        deinit {
            withUnsafeMutablePointerToElements { mutex in
                pthread_mutex_destroy(mutex)
                mutex.deinitialize(count: 1)
            }
        }
    }
}
